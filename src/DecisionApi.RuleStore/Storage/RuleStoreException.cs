namespace DecisionApi.RuleStore.Storage;

/// <summary>The store file cannot be used. <see cref="Exception.Message"/> names the path and the problem in one line.</summary>
public sealed class RuleStoreException(string path, string problem, Exception? inner = null)
    : Exception($"Rule store '{path}' cannot be used: {problem}", inner)
{
    public string StorePath { get; } = path;
    public string Problem { get; } = problem;

    /// <summary>Every lint problem, when the content failed the lint.</summary>
    public IReadOnlyList<string> LintProblems { get; init; } = [];
}
