using System.Globalization;
using System.Threading.RateLimiting;
using DecisionApi.Features.CdsHooks;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace DecisionApi.Infrastructure;

/// <summary><c>RateLimiting</c> settings: a fixed window per client, on <c>/v1/*</c> and <c>/cds-services/*</c>.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimiting";

    public bool Enabled { get; set; } = true;

    public int PermitLimit { get; set; } = 1200;

    public int WindowSeconds { get; set; } = 60;
}

/// <summary>
/// ASP.NET Core's rate limiter, partitioned per client: the API key's name, else a CDS Hooks client's configured issuer
/// (from the bearer token's <c>iss</c>, only when it is one of <c>CdsHooks:Clients</c>, so a caller cannot invent
/// partitions), else the remote address. Health, documentation and the evidence page are not limited. A rejected call
/// is 429 with <c>Retry-After</c>: problem+json on REST, an OperationOutcome on CDS Hooks.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddDecisionApiRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                !settings.Enabled || !Limited(context.Request.Path)
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    : RateLimitPartition.GetFixedWindowLimiter(ClientOf(context), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = Math.Max(1, settings.PermitLimit),
                        Window = TimeSpan.FromSeconds(Math.Max(1, settings.WindowSeconds)),
                        QueueLimit = 0,
                    }));
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var http = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(settings.WindowSeconds);
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = "This client sent more requests than the service accepts in the window; retry after the time in Retry-After.",
                    },
                });
            };
        });
        return services;
    }

    private static bool Limited(PathString path) =>
        path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/cds-services", StringComparison.OrdinalIgnoreCase);

    private static string ClientOf(HttpContext context)
    {
        if (context.Items.TryGetValue(RequestLogMiddleware.ClientItemKey, out var name) && name is string key)
        {
            return "key:" + key;
        }

        if (IssuerOf(context) is { } issuer)
        {
            return "iss:" + issuer;
        }

        return "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }

    /// <summary>The bearer token's issuer when it is a configured CDS client (not verified here: the JWT filter does that).</summary>
    private static string? IssuerOf(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/cds-services", StringComparison.OrdinalIgnoreCase)
            || context.Request.Headers.Authorization is not { Count: 1 } header
            || header[0] is not { } value || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var clients = context.RequestServices.GetRequiredService<IOptions<CdsHooksOptions>>().Value.Clients;
        if (clients.Count == 0)
        {
            return null;
        }

        try
        {
            var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(value["Bearer ".Length..].Trim());
            return clients.Any(c => string.Equals(c.Issuer, token.Issuer, StringComparison.Ordinal)) ? token.Issuer : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
