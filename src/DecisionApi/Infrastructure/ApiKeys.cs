using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace DecisionApi.Infrastructure;

/// <summary>
/// <c>ApiKeys</c> settings. <c>Enabled</c> defaults to on outside Development. Each key is configured by name and the hex
/// SHA-256 of the key (<c>ApiKeys:Keys:0:Name</c>, <c>ApiKeys:Keys:0:Sha256</c>); the key itself is never in
/// configuration or logs.
/// </summary>
public sealed class ApiKeyOptions
{
    public const string SectionName = "ApiKeys";

    public bool? Enabled { get; set; }

    public IList<ApiKeyEntry> Keys { get; } = [];
}

public sealed class ApiKeyEntry
{
    public string Name { get; set; } = "";

    public string Sha256 { get; set; } = "";
}

/// <summary>
/// Requires <c>X-Api-Key</c> on <c>/v1/*</c> when keys are on: the key's SHA-256 is compared with every configured hash
/// in constant time; a match names the client for the request log and the rate limiter. Missing or wrong: 401
/// problem+json. Health, the OpenAPI document, Swagger UI, the evidence page and CDS Hooks (its own JWTs) need no key.
/// With keys on and none configured, every <c>/v1</c> call is refused (and the start-up log says so).
/// </summary>
public sealed partial class ApiKeyMiddleware
{
    public const string HeaderName = "X-Api-Key";

    private readonly RequestDelegate next;
    private readonly IProblemDetailsService problems;
    private readonly bool enabled;
    private readonly (string Name, byte[] Hash)[] keys;

    public ApiKeyMiddleware(RequestDelegate next, IOptions<ApiKeyOptions> options, IHostEnvironment environment, IProblemDetailsService problems, ILogger<ApiKeyMiddleware> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.next = next;
        this.problems = problems;
        enabled = IsEnabled(options.Value, environment);
        keys = [.. options.Value.Keys.Select(k => (k.Name, Hash: Parse(k)))];
        if (enabled && keys.Length == 0)
        {
            LogNoKeys(logger);
        }
    }

    public static bool IsEnabled(ApiKeyOptions options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        return options.Enabled ?? !environment.IsDevelopment();
    }

    /// <summary>What is wrong with the configured keys, for the one start-up line; null when they are usable.</summary>
    public static string? Problem(ApiKeyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var bad = options.Keys.FirstOrDefault(k => string.IsNullOrWhiteSpace(k.Name) || k.Sha256.Length != 64 || !k.Sha256.All(Uri.IsHexDigit));
        return bad is null ? null
            : $"ApiKeys: each key needs a Name and a Sha256 of 64 hex digits (the SHA-256 of the key, not the key); the key named '{bad.Name}' does not.";
    }

    /// <summary>The configured hash as bytes (checked at start-up by <see cref="Problem"/>).</summary>
    private static byte[] Parse(ApiKeyEntry entry)
    {
        return Convert.FromHexString(entry.Sha256);
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (!enabled || !context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        if (Match(context.Request.Headers[HeaderName]) is { } name)
        {
            context.Items[RequestLogMiddleware.ClientItemKey] = name;
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "API key required",
                Detail = $"Send a valid key in the {HeaderName} header.",
            },
        }).AsTask();
    }

    private string? Match(Microsoft.Extensions.Primitives.StringValues header)
    {
        if (header.Count != 1 || string.IsNullOrEmpty(header[0]) || header[0]!.Length > 512)
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[32];
        Span<byte> key = stackalloc byte[512 * 3];
        SHA256.HashData(key[..Encoding.UTF8.GetBytes(header[0], key)], hash);
        string? found = null;
        foreach (var (name, expected) in keys)
        {
            // Every configured hash is compared, in constant time, whether or not one already matched.
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                found ??= name;
            }
        }

        return found;
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Critical, Message = "API keys are on (ApiKeys:Enabled) but none is configured: every /v1 call is refused with 401. Configure ApiKeys:Keys:0:Name and ApiKeys:Keys:0:Sha256.")]
    private static partial void LogNoKeys(ILogger logger);
}
