using DecisionApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DecisionApi.Features.Health;

/// <summary>
/// Ready when the rule store is loaded and verified (the service refuses to start otherwise) and the process is not
/// stopping. Reports the serving store's version and content hash, and a refused replacement without turning unready:
/// the last good store keeps serving.
/// </summary>
public sealed class RuleStoreHealthCheck(IServiceProvider services, ShutdownState shutdown) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // The store is read on a worker thread while the server starts (StoreStartup): not ready until it is in.
        if (!shutdown.Serving)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Starting: the rule store is being loaded and verified."));
        }

        var store = services.GetRequiredService<LiveRuleStore>();
        var snapshot = store.Current.Snapshot;
        var data = new Dictionary<string, object>
        {
            ["version"] = snapshot.Version,
            ["contentHash"] = snapshot.ContentHash,
        };
        if (store.LastRefusal is { } refusal)
        {
            data["refusedReplacement"] = refusal;
        }

        return Task.FromResult(shutdown.Draining
            ? HealthCheckResult.Unhealthy("Stopping: finishing the requests in flight.", data: data)
            : HealthCheckResult.Healthy(
                store.LastRefusal is null ? "Rule store loaded and verified." : "Rule store loaded and verified; the last replacement was refused.", data));
    }
}

/// <summary>Health of the process or of one dependency.</summary>
/// <param name="Status">Healthy, Degraded or Unhealthy.</param>
/// <param name="Checks">Each readiness check with its status, description and data (for the rule store: version and content hash).</param>
public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, HealthCheckEntry>? Checks = null);

/// <summary>One readiness check.</summary>
public sealed record HealthCheckEntry(string Status, string? Description, IReadOnlyDictionary<string, object> Data);

public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        var health = routes.MapGroup("/health").WithTags("Health");
        health.MapGet("/live", Live)
            .WithName("Liveness")
            .WithSummary("Liveness")
            .WithDescription("200 while the process is running. For orchestrator liveness probes.");
        health.MapGet("/ready", ReadyAsync)
            .WithName("Readiness")
            .WithSummary("Readiness")
            .WithDescription("200 when the rule store is loaded and verified, with the store version and content hash; 503 otherwise. For load-balancer readiness probes.");
        return routes;
    }

    public static Ok<HealthResponse> Live() => TypedResults.Ok(new HealthResponse("Healthy"));

    public static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> ReadyAsync(HealthCheckService health, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(check => check.Tags.Contains(ReadyTag), cancellationToken);
        var response = new HealthResponse(
            report.Status.ToString(),
            report.Entries.ToDictionary(e => e.Key, e => new HealthCheckEntry(e.Value.Status.ToString(), e.Value.Description, e.Value.Data)));
        return report.Status == HealthStatus.Healthy
            ? TypedResults.Ok(response)
            : TypedResults.Json(response, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
