using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Storage;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.CdsHooks;

/// <summary>The lint keeps recognition.yaml honest: every entry sourced, verified or secondary, naming a known treatment.</summary>
public sealed class RecognitionLintTests
{
    private static readonly StoreContent Content = StoreFile.Read(RepositoryPaths.BuiltStore);

    private static IReadOnlyList<string> LintWith(Func<RecognitionRow, RecognitionRow?> change, RecognitionRow? extra = null)
    {
        var first = Content.Recognition.First(r => r.Kind == Vocab.RecognitionKinds.MedicationName);
        List<RecognitionRow> rows = [.. Content.Recognition.Select(r => ReferenceEquals(r, first) ? change(r) : r).OfType<RecognitionRow>()];
        if (extra is not null)
        {
            rows.Add(extra);
        }

        try
        {
            RuleStoreSnapshot.FromContent(StoreMutations.With(Content, recognition: rows), "test");
            return [];
        }
        catch (RuleStoreException exception)
        {
            return exception.LintProblems.Count > 0 ? exception.LintProblems : [exception.Problem];
        }
    }

    private static RecognitionRow Copy(RecognitionRow row, string? treatment = null, string? term = null, string? source = null, string? verification = null, long? ordinal = null) => new()
    {
        Kind = row.Kind, Ordinal = ordinal ?? row.Ordinal, Treatment = treatment ?? row.Treatment, TopicalTreatment = row.TopicalTreatment,
        System = row.System, Code = row.Code, Term = term ?? row.Term, Display = row.Display, SourceId = source ?? row.SourceId,
        Verification = verification ?? row.Verification,
    };

    [Fact]
    public void The_curated_recognition_content_passes() => LintWith(r => r).Should().BeEmpty();

    [Fact]
    public void An_unknown_treatment_fails() =>
        LintWith(r => Copy(r, treatment: "aspirin-therapy")).Should().Contain(p => p.Contains("unknown treatment 'aspirin-therapy'", StringComparison.Ordinal));

    [Fact]
    public void An_unverified_mapping_fails() =>
        LintWith(r => Copy(r, verification: "unconfirmed")).Should().Contain(p => p.Contains("verification is 'unconfirmed'", StringComparison.Ordinal));

    [Fact]
    public void A_source_not_in_the_store_fails() =>
        LintWith(r => Copy(r, source: "my-memory")).Should().ContainSingle().Which.Should().Contain("unknown source 'my-memory'");

    [Fact]
    public void A_term_that_cannot_match_on_word_boundaries_fails() =>
        LintWith(r => Copy(r, term: " naproxen-")).Should().Contain(p => p.Contains("word boundaries", StringComparison.Ordinal));

    [Fact]
    public void A_term_listed_twice_fails()
    {
        var first = Content.Recognition.First(r => r.Kind == Vocab.RecognitionKinds.MedicationName);
        LintWith(r => r, Copy(first, ordinal: 999)).Should().Contain(p => p.Contains("is listed twice", StringComparison.Ordinal));
    }

    [Fact]
    public void A_code_entry_without_a_code_fails()
    {
        var code = Content.Recognition.First(r => r.Kind == Vocab.RecognitionKinds.MedicationCode);
        var broken = new RecognitionRow
        {
            Kind = code.Kind, Ordinal = 999, Treatment = code.Treatment, System = code.System, SourceId = code.SourceId, Verification = code.Verification,
        };
        LintWith(r => r, broken).Should().Contain(p => p.Contains("needs a system and a code", StringComparison.Ordinal));
    }
}
