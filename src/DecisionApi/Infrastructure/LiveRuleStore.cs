using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Evaluation;
using DecisionApi.RuleStore.Storage;
using Microsoft.Extensions.Options;

namespace DecisionApi.Infrastructure;

/// <summary>
/// Everything built from one rule store snapshot: the evaluator, the memos of encoded answers, and every part the
/// features registered with <see cref="StoreBound.AddStoreBound{T}"/> (the CDS Hooks reader and composer, the request
/// validator, ...). Built once per snapshot and swapped as a whole, so a request (which takes the engine once, when its
/// scope starts) never mixes two stores, and a replaced store never serves an answer of the one before.
/// </summary>
public sealed class RuleStoreEngine
{
    private readonly IReadOnlyDictionary<Type, object> parts;

    private RuleStoreEngine(RuleStoreSnapshot snapshot, Evaluator evaluator, AnswerMemo evaluationAnswers, AnswerMemo cardAnswers, IReadOnlyDictionary<Type, object> parts)
    {
        Snapshot = snapshot;
        Evaluator = evaluator;
        EvaluationAnswers = evaluationAnswers;
        CardAnswers = cardAnswers;
        this.parts = parts;
    }

    public RuleStoreSnapshot Snapshot { get; }

    public Evaluator Evaluator { get; }

    public AnswerMemo EvaluationAnswers { get; }

    public AnswerMemo CardAnswers { get; }

    /// <summary>A part a feature registered for this store.</summary>
    public T Get<T>()
        where T : class => (T)parts[typeof(T)];

    public static RuleStoreEngine Create(RuleStoreSnapshot snapshot, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(services);
        var jurisdiction = services.GetRequiredService<IOptions<EvaluationOptions>>().Value.DefaultJurisdiction.ToUpperInvariant();
        var built = new Dictionary<Type, object>();
        var build = new StoreBuild(snapshot, services, built);
        foreach (var factory in services.GetServices<StoreBoundFactory>())
        {
            built[factory.Type] = factory.Create(build);
        }

        var memo = services.GetRequiredService<IOptions<AnswerMemoOptions>>().Value;
        return new RuleStoreEngine(
            snapshot,
            new Evaluator(snapshot, jurisdiction),
            new AnswerMemo(AnswerMemoOptions.Bytes(memo.EvaluationMegabytes)),
            new AnswerMemo(AnswerMemoOptions.Bytes(memo.CardMegabytes)),
            built);
    }
}

/// <summary>
/// The serving rule store. Loaded and verified at start (a failure stops the service with one line); with
/// <c>RuleStore:Watch</c> (default true) the file at <c>RuleStore:Path</c> is checked every
/// <c>RuleStore:WatchSeconds</c> (default 2): a replaced file (atomic rename) passes the same checks as at start, then the
/// engine built from it replaces the serving one in one reference swap, so no request fails during the swap. A file that
/// fails is refused, logged with the path and the problem, reported by readiness, and the last good store keeps serving.
/// </summary>
public sealed partial class LiveRuleStore : IDisposable
{
    private readonly string path;
    private readonly IServiceProvider services;
    private readonly ILogger<LiveRuleStore> logger;
    private readonly Timer? timer;
    private RuleStoreEngine current;
    private (DateTime Written, long Length) seen;
    private int checking;

    public LiveRuleStore(IOptions<RuleStoreOptions> options, IServiceProvider services, ILogger<LiveRuleStore> logger, StorePreload? preload = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        path = options.Value.ResolvedPath();
        this.services = services;
        this.logger = logger;
        seen = Stamp(path);
        current = RuleStoreEngine.Create(preload is null ? RuleStoreSnapshot.Load(path) : preload.Take(path), services);
        if (options.Value.Watch)
        {
            var period = TimeSpan.FromSeconds(Math.Max(0.2, options.Value.WatchSeconds));
            timer = new Timer(_ => Check(), null, period, period);
        }
    }

    /// <summary>The engine serving now.</summary>
    public RuleStoreEngine Current => Volatile.Read(ref current);

    /// <summary>The last replacement refused ("path: problem"), until a good one is loaded; null when none was.</summary>
    public string? LastRefusal { get; private set; }

    /// <summary>Looks at the file once: loads it if it changed since it was last seen. Also called by tests.</summary>
    public void Check()
    {
        if (Interlocked.Exchange(ref checking, 1) == 1)
        {
            return;
        }

        try
        {
            var stamp = Stamp(path);
            if (stamp == seen)
            {
                return;
            }

            seen = stamp;
            try
            {
                var snapshot = RuleStoreSnapshot.Load(path);
                if (snapshot.ContentHash == Current.Snapshot.ContentHash)
                {
                    LastRefusal = null;
                    return;
                }

                var engine = RuleStoreEngine.Create(snapshot, services);
                var previous = Interlocked.Exchange(ref current, engine);
                LastRefusal = null;
                LogReplaced(logger, path, previous.Snapshot.Version, snapshot.Version, snapshot.ContentHash);
            }
            catch (RuleStoreException exception)
            {
                LastRefusal = exception.Message;
                LogRefused(logger, exception.Message, Current.Snapshot.Version);
            }
        }
        finally
        {
            Volatile.Write(ref checking, 0);
        }
    }

    private static (DateTime, long) Stamp(string file)
    {
        var info = new FileInfo(file);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
    }

    public void Dispose() => timer?.Dispose();

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Rule store replaced from {Path}: version {OldVersion} -> {NewVersion} (content hash {ContentHash})")]
    private static partial void LogReplaced(ILogger logger, string path, string oldVersion, string newVersion, string contentHash);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "{Problem}; the replacement is refused and store version {ServingVersion} keeps serving")]
    private static partial void LogRefused(ILogger logger, string problem, string servingVersion);
}
