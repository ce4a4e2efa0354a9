using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Evaluation;

namespace DecisionApi.Tests.Support;

/// <summary>The built store, loaded once for the unit tests.</summary>
public static class BuiltStore
{
    private static readonly Lazy<RuleStoreSnapshot> Lazy = new(() => RuleStoreSnapshot.Load(RepositoryPaths.BuiltStore));

    public static RuleStoreSnapshot Snapshot => Lazy.Value;

    public static Evaluator Evaluator { get; } = new(Snapshot, "US");
}
