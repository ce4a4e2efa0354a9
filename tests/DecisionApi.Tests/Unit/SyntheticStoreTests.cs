using DecisionApi.Benchmarks;
using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using DecisionApi.RuleStore.Storage;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Unit;

/// <summary>The scaling benchmark's synthetic stores (tracker issue 11) still pass the store's own lint and evaluate.</summary>
public sealed class SyntheticStoreTests
{
    [Theory]
    [InlineData(10)]
    [InlineData(100)]
    public void A_store_scaled_n_times_loads_and_evaluates_with_n_times_the_rules(int scale)
    {
        var content = StoreFile.Read(RepositoryPaths.BuiltStore);
        var shipped = RuleStoreSnapshot.FromContent(content, "shipped");
        var scaled = RuleStoreSnapshot.FromContent(SyntheticStore.Scaled(content, scale), "synthetic");

        var assessments = shipped.Rules.Count(r => r.Kind == Vocab.Kinds.Assessment);
        scaled.Rules.Count.Should().Be(assessments + (scale * (shipped.Rules.Count - assessments)));
        var profile = new PatientProfile(62, 3, ["exercise-therapy"], 28.5, null);
        var once = new Evaluator(shipped, "US").Evaluate(profile, Language.En);
        var many = new Evaluator(scaled, "US").Evaluate(profile, Language.En);
        many.Assessment.Category.Should().Be(once.Assessment.Category);
        many.Caveats.Should().HaveCount(scale * once.Caveats.Count);
    }
}
