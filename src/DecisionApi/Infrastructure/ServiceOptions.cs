namespace DecisionApi.Infrastructure;

/// <summary><c>RuleStore:*</c> settings.</summary>
public sealed class RuleStoreOptions
{
    public const string SectionName = "RuleStore";

    /// <summary>Path of the compiled store. A relative path is resolved against the service's own folder.</summary>
    public string Path { get; set; } = "rules/decision-rules.db";

    public string ResolvedPath() => System.IO.Path.GetFullPath(System.IO.Path.Combine(AppContext.BaseDirectory, Path));

    /// <summary>Pick up a replaced store file while running (see <c>LiveRuleStore</c>).</summary>
    public bool Watch { get; set; } = true;

    /// <summary>How often the file is looked at, in seconds.</summary>
    public double WatchSeconds { get; set; } = 2;
}

/// <summary><c>Evaluation:*</c> settings.</summary>
public sealed class EvaluationOptions
{
    public const string SectionName = "Evaluation";

    /// <summary>Jurisdiction used when a request names none (ISO 3166-1 alpha-2).</summary>
    public string DefaultJurisdiction { get; set; } = "US";
}

/// <summary><c>Limits:*</c> settings.</summary>
public sealed class LimitOptions
{
    public const string SectionName = "Limits";

    /// <summary>Largest request body accepted on <c>/v1/*</c>, in bytes.</summary>
    public long RestBodyBytes { get; set; } = 64 * 1024;
}
