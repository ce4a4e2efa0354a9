using Microsoft.Extensions.Options;

namespace DecisionApi.Infrastructure;

/// <summary><c>Shutdown</c> settings.</summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>Seconds between SIGTERM and closing the listener: readiness answers 503 while requests are still served,
    /// so load balancers stop sending new ones first.</summary>
    public double UnreadySeconds { get; set; } = 2;

    /// <summary>Seconds in-flight requests get to finish once the listener is closed.</summary>
    public double DrainSeconds { get; set; } = 10;
}

/// <summary>Whether the service serves (the rule store is in) and whether it was asked to stop; readiness reports both.</summary>
public sealed class ShutdownState
{
    private volatile bool serving;
    private volatile bool draining;

    public bool Serving => serving;

    public bool Draining => draining;

    public void MarkServing() => serving = true;

    public void BeginDraining() => draining = true;
}

/// <summary>
/// On SIGTERM: readiness turns 503 at once, the service keeps serving for <c>Shutdown:UnreadySeconds</c>, then Kestrel
/// stops accepting and in-flight requests get <c>Shutdown:DrainSeconds</c> to finish (the host's shutdown timeout is the
/// sum); the process then exits 0.
/// </summary>
public sealed partial class GracefulShutdown(IHostApplicationLifetime lifetime, ShutdownState state, IOptions<ShutdownOptions> options, ILogger<GracefulShutdown> logger)
    : IHostedService
{
    public static IServiceCollection AddGracefulShutdown(IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(ShutdownOptions.SectionName).Get<ShutdownOptions>() ?? new ShutdownOptions();
        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.SectionName);
        services.AddSingleton<ShutdownState>();
        services.AddHostedService<GracefulShutdown>();
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(Math.Max(0, settings.UnreadySeconds) + Math.Max(1, settings.DrainSeconds)));
        return services;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(() =>
        {
            state.BeginDraining();
            if (!state.Serving)
            {
                return; // never ready (a start that failed): no load balancer sends anything to wait for
            }

            var unready = TimeSpan.FromSeconds(Math.Max(0, options.Value.UnreadySeconds));
            LogDraining(logger, unready.TotalSeconds, options.Value.DrainSeconds);
            // Runs before the listener closes: the host waits for this callback, so requests are still served meanwhile.
            Thread.Sleep(unready);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Stopping: readiness is 503; serving for {UnreadySeconds} s more, then in-flight requests get {DrainSeconds} s")]
    private static partial void LogDraining(ILogger logger, double unreadySeconds, double drainSeconds);
}
