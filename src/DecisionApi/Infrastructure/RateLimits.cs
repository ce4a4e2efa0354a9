using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace DecisionApi.Infrastructure;

/// <summary><c>RateLimiting</c> settings: a fixed window per authenticated client, and a smaller one per address for callers not authenticated.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimiting";

    public bool Enabled { get; set; } = true;

    /// <summary>Requests per window for one authenticated client (an API key's name, a CDS client's verified issuer).</summary>
    public int PermitLimit { get; set; } = 1200;

    /// <summary>
    /// Requests per window for one remote address calling without a valid credential where one is required (missing or
    /// wrong keys, refused tokens): a separate, smaller budget, so guessing keys is limited and never spends a client's.
    /// </summary>
    public int AnonymousPermitLimit { get; set; } = 120;

    public int WindowSeconds { get; set; } = 60;
}

/// <summary>
/// ASP.NET Core's rate limiter as a named policy (<see cref="ClientPolicy"/>) that route groups declare. The partition is
/// the client <b>authenticated</b> by the group's scheme (UseAuthentication runs before the limiter), never a claim read
/// from an unverified token; a caller not authenticated where a client is required is limited by remote address in the
/// smaller anonymous budget; where authentication is off (Development), by address in the full budget. A rejected call is
/// 429 with <c>Retry-After</c>, written by the problem details service (problem+json on REST, an OperationOutcome on
/// CDS Hooks) whatever the request's <c>Accept</c>.
/// </summary>
public static class RateLimits
{
    public const string ClientPolicy = "client";

    public static IServiceCollection AddDecisionApiRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();
        var window = TimeSpan.FromSeconds(Math.Max(1, settings.WindowSeconds));
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(ClientPolicy, context =>
            {
                if (!settings.Enabled)
                {
                    return RateLimitPartition.GetNoLimiter("off");
                }

                var (partition, permits) = PartitionOf(context, settings);
                return RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = Math.Max(1, permits),
                    Window = window,
                    QueueLimit = 0,
                });
            });
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var http = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : window;
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await ProblemResults.WriteAsync(http, StatusCodes.Status429TooManyRequests, "Too many requests",
                    "This client sent more requests than the service accepts in the window; retry after the time in Retry-After.");
            };
        });
        return services;
    }

    /// <summary>The partition key and its budget: the authenticated client, else the remote address.</summary>
    public static (string Partition, int Permits) PartitionOf(HttpContext context, RateLimitOptions settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        if (ClientAccess.ClientName(context.User) is { } client)
        {
            return ("client:" + context.User.Identity!.AuthenticationType + ":" + client, settings.PermitLimit);
        }

        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return ClientAccess.RequiresClient(context.GetEndpoint())
            ? ("anonymous:" + address, Math.Min(settings.AnonymousPermitLimit, settings.PermitLimit))
            : ("address:" + address, settings.PermitLimit);
    }
}
