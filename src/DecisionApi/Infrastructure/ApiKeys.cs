using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

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
}

public sealed class ApiKeyEntry
{
    public string Name { get; set; } = "";

    public string Sha256 { get; set; } = "";
}

/// <summary>
/// The configured API keys, read once: whether keys are on, and the name of the key a header holds (the key's SHA-256
/// compared with every configured hash in constant time). Logs once when keys are on and none is configured.
/// </summary>
public sealed partial class ApiKeyRing
{
    public const string HeaderName = "X-Api-Key";

    private readonly (string Name, byte[] Hash)[] keys;

    public ApiKeyRing(IOptions<ApiKeyOptions> options, IHostEnvironment environment, ILogger<ApiKeyRing> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Enabled = ApiKeyOptions.IsEnabled(options.Value, environment);
        keys = [.. options.Value.Keys.Select(k => (k.Name, Hash: Convert.FromHexString(k.Sha256)))];
        if (Enabled && keys.Length == 0)
        {
            LogNoKeys(logger);
        }
    }

    public bool Enabled { get; }

    /// <summary>The name of the configured key in <paramref name="header"/>, or null.</summary>
    public string? Match(Microsoft.Extensions.Primitives.StringValues header)
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

/// <summary>
/// The <c>ApiKey</c> authentication scheme: <c>X-Api-Key</c> naming a configured key authenticates the caller as that
/// key's name. No header: no result; a wrong key: a failure (the caller stays anonymous, so the rate limiter counts it
/// in the smaller anonymous budget). The challenge is a 401 problem+json whatever the request's <c>Accept</c>, with
/// <c>WWW-Authenticate: ApiKey</c>.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyRing keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!keys.Enabled || !Request.Headers.TryGetValue(ApiKeyRing.HeaderName, out var header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (keys.Match(header) is not { } name)
        {
            return Task.FromResult(AuthenticateResult.Fail("Not a configured API key."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers[HeaderNames.WWWAuthenticate] = $"{SchemeName} header=\"{ApiKeyRing.HeaderName}\"";
        return ProblemResults.WriteAsync(Context, StatusCodes.Status401Unauthorized, "API key required",
            $"Send a valid key in the {ApiKeyRing.HeaderName} header.");
    }
}
