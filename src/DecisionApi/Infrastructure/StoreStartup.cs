using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Storage;

namespace DecisionApi.Infrastructure;

/// <summary>
/// The rule store is read and verified on a worker thread from the moment configuration is known, while the host is
/// built and Kestrel starts listening (start-up to ready, tracker issue 11). Readiness answers 503 until the store is
/// in; a store that cannot be used still stops the service with one line and exit code 1.
/// </summary>
public sealed class StorePreload
{
    private StorePreload(string path, Task<RuleStoreSnapshot> snapshot)
    {
        Path = path;
        Snapshot = snapshot;
    }

    /// <summary>The file being loaded (<c>RuleStore:Path</c> as configured when the preload started).</summary>
    public string Path { get; }

    public Task<RuleStoreSnapshot> Snapshot { get; }

    public static StorePreload Start(IConfiguration configuration)
    {
        var options = new RuleStoreOptions();
        configuration.GetSection(RuleStoreOptions.SectionName).Bind(options);
        var path = options.ResolvedPath();
        return new StorePreload(path, Task.Run(() => RuleStoreSnapshot.Load(path)));
    }

    /// <summary>The snapshot of <paramref name="path"/>: the preloaded one when it is that file (a host such as the test
    /// factory may name another after the preload started), otherwise loaded now. Throws as <see cref="RuleStoreSnapshot.Load"/>.</summary>
    public RuleStoreSnapshot Take(string path) =>
        string.Equals(path, Path, StringComparison.Ordinal) ? Snapshot.GetAwaiter().GetResult() : RuleStoreSnapshot.Load(path);
}

/// <summary>
/// Once the server listens (<see cref="IHostedLifecycleService.StartedAsync"/>, before the host reports itself started),
/// takes the rule store in: waits for the preload, builds the engine and marks the service as serving. A store that
/// cannot be used is logged in one line and stops the host; <see cref="Failed"/> then gives the exit code.
/// </summary>
public sealed partial class StoreStartup(IServiceProvider services, ShutdownState state, IHostApplicationLifetime lifetime, ILogger<StoreStartup> logger)
    : IHostedLifecycleService
{
    public bool Failed { get; private set; }

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Run(services.GetRequiredService<LiveRuleStore>, cancellationToken);
            state.MarkServing();
        }
        catch (RuleStoreException exception)
        {
            Failed = true;
            RuleStoreUnusable(logger, exception.Message);
            lifetime.StopApplication();
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1, Level = LogLevel.Critical, Message = "{Problem}")]
    private static partial void RuleStoreUnusable(ILogger logger, string problem);
}
