using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DecisionApi.Features.CdsHooks.Security;

/// <summary>Why a CDS Hooks JWT was refused (logged, never sent to the caller).</summary>
public enum CdsJwtFailure
{
    None = 0,
    MissingAuthorization,
    NotBearer,
    Malformed,
    AlgorithmNotAllowed,
    WrongType,
    MissingKeyId,
    UnsupportedCriticalHeader,
    MissingIssuer,
    IssuerNotTrusted,
    AudienceMismatch,
    MissingExpiration,
    Expired,
    MissingIssuedAt,
    IssuedInFuture,
    LifetimeTooLong,
    NotYetValid,
    MissingJti,
    TenantNotAllowed,
    UnknownKeyId,
    InvalidSignature,
    ReplayedJti,
    Cancelled,
}

/// <summary>Outcome of <see cref="CdsJwtValidator.ValidateTokenAsync"/>. On success, the validated issuer, subject and tenant.</summary>
public sealed record CdsJwtValidationResult(CdsJwtFailure Failure, string? Issuer = null, string? Subject = null, string? Tenant = null)
{
    public bool IsValid => Failure == CdsJwtFailure.None;
}

/// <summary>
/// Checks the JWT a CDS client sends (CDS Hooks 2.0 "Trusting CDS Clients"): Bearer scheme, ES384 or RS384 only,
/// <c>typ</c> JWT, <c>kid</c> of a key of the issuer, <c>iss</c> on the allowlist, <c>aud</c> = the endpoint,
/// <c>exp</c>/<c>iat</c>/<c>nbf</c> with clock skew and a lifetime cap (<c>exp - iat</c> and <c>exp - now</c> at most
/// <c>MaxLifetimeSeconds</c>, 5 minutes by default), <c>jti</c> not replayed, <c>tenant</c> on the client's list.
/// Keys come only from the configured JWK Set of the issuer; a <c>jku</c> header is never fetched.
/// The token itself is never logged.
/// </summary>
public sealed partial class CdsJwtValidator(
    IOptions<CdsHooksOptions> options,
    CdsJwksProvider keys,
    CdsJtiReplayCache replayCache,
    TimeProvider time,
    ILogger<CdsJwtValidator> logger)
{
    /// <summary>The only signing algorithms accepted (the spec recommends both; no <c>none</c>, no symmetric).</summary>
    public static readonly IReadOnlyList<string> AllowedAlgorithms = [SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.RsaSha384];

    /// <summary>Longest token accepted, in characters.</summary>
    public const int MaxTokenLength = 16 * 1024;

    /// <summary>Longest <c>jti</c> accepted, in characters (bounds the replay cache).</summary>
    public const int MaxJtiLength = 256;

    private static readonly JsonWebTokenHandler Handler = new();

    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false, MaxDepth = 16 };

    private readonly CdsHooksOptions settings = options.Value;

    /// <summary>True when the <c>Authorization</c> header carries a JWT valid for one of <paramref name="acceptedAudiences"/>.</summary>
    public async Task<bool> ValidateAsync(string? authorizationHeader, IReadOnlyCollection<string> acceptedAudiences, CancellationToken ct) =>
        (await ValidateTokenAsync(authorizationHeader, acceptedAudiences, ct)).IsValid;

    /// <summary>As <see cref="ValidateAsync"/>, with the reason of a failure and the validated claims of a success.</summary>
    public async Task<CdsJwtValidationResult> ValidateTokenAsync(
        string? authorizationHeader, IReadOnlyCollection<string> acceptedAudiences, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(acceptedAudiences);

        CdsJwtValidationResult result;
        try
        {
            result = await ValidateCoreAsync(authorizationHeader, acceptedAudiences, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            result = new CdsJwtValidationResult(CdsJwtFailure.Cancelled);
        }

        if (!result.IsValid && logger.IsEnabled(LogLevel.Warning))
        {
            LogRejected(logger, result.Failure.ToString(), Printable(result.Issuer));
        }

        return result;
    }

    private async Task<CdsJwtValidationResult> ValidateCoreAsync(
        string? authorizationHeader, IReadOnlyCollection<string> acceptedAudiences, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(authorizationHeader))
        {
            return Fail(CdsJwtFailure.MissingAuthorization);
        }

        var token = ReadBearer(authorizationHeader);
        if (token is null)
        {
            return Fail(CdsJwtFailure.NotBearer);
        }

        var parts = token.Split('.');
        if (token.Length > MaxTokenLength || parts.Length != 3)
        {
            return Fail(CdsJwtFailure.Malformed);
        }

        using var header = ParseSegment(parts[0]);
        using var payload = ParseSegment(parts[1]);
        if (header is null || payload is null
            || header.RootElement.ValueKind != JsonValueKind.Object || payload.RootElement.ValueKind != JsonValueKind.Object)
        {
            return Fail(CdsJwtFailure.Malformed);
        }

        // The header, checked raw before any key or signature work.
        var head = header.RootElement;
        var alg = GetString(head, JwtHeaderParameterNames.Alg);
        if (alg is null || !AllowedAlgorithms.Contains(alg, StringComparer.Ordinal))
        {
            return Fail(CdsJwtFailure.AlgorithmNotAllowed);
        }

        if (head.TryGetProperty(JwtHeaderParameterNames.Typ, out var typ)
            && !(typ.ValueKind == JsonValueKind.String && string.Equals(typ.GetString(), "JWT", StringComparison.OrdinalIgnoreCase)))
        {
            return Fail(CdsJwtFailure.WrongType);
        }

        var kid = GetString(head, JwtHeaderParameterNames.Kid);
        if (string.IsNullOrEmpty(kid))
        {
            return Fail(CdsJwtFailure.MissingKeyId);
        }

        if (head.TryGetProperty("crit", out _))
        {
            return Fail(CdsJwtFailure.UnsupportedCriticalHeader);
        }

        // The claims, before the signature so an untrusted token never triggers a JWK Set fetch.
        var claims = payload.RootElement;
        var issuer = GetString(claims, JwtRegisteredClaimNames.Iss);
        if (string.IsNullOrEmpty(issuer))
        {
            return Fail(CdsJwtFailure.MissingIssuer);
        }

        var client = settings.Clients.FirstOrDefault(c => !string.IsNullOrEmpty(c.Issuer) && string.Equals(c.Issuer, issuer, StringComparison.Ordinal));
        if (client is null)
        {
            return Fail(CdsJwtFailure.IssuerNotTrusted, issuer);
        }

        issuer = client.Issuer;
        if (!AudienceMatches(claims, acceptedAudiences))
        {
            return Fail(CdsJwtFailure.AudienceMismatch, issuer);
        }

        // Times are compared as seconds (doubles) and bounded before any DateTimeOffset is built: an exp of year 10000
        // or beyond can then never overflow a conversion. The CDS Hooks specification asks for short-lived tokens: exp
        // may be at most MaxLifetimeSeconds after iat and after now (plus the skew).
        var skew = (double)Math.Max(0, settings.Authentication.ClockSkewSeconds);
        var maxLifetime = (double)Math.Max(1, settings.Authentication.MaxLifetimeSeconds);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        if (!TryGetNumericDate(claims, JwtRegisteredClaimNames.Exp, out var expires))
        {
            return Fail(CdsJwtFailure.MissingExpiration, issuer);
        }

        if (now > expires + skew)
        {
            return Fail(CdsJwtFailure.Expired, issuer);
        }

        if (expires > now + maxLifetime + skew)
        {
            return Fail(CdsJwtFailure.LifetimeTooLong, issuer);
        }

        if (!TryGetNumericDate(claims, JwtRegisteredClaimNames.Iat, out var issuedAt))
        {
            return Fail(CdsJwtFailure.MissingIssuedAt, issuer);
        }

        if (issuedAt > now + skew)
        {
            return Fail(CdsJwtFailure.IssuedInFuture, issuer);
        }

        if (expires - issuedAt > maxLifetime)
        {
            return Fail(CdsJwtFailure.LifetimeTooLong, issuer);
        }

        if (claims.TryGetProperty(JwtRegisteredClaimNames.Nbf, out _))
        {
            if (!TryGetNumericDate(claims, JwtRegisteredClaimNames.Nbf, out var notBefore) || notBefore > now + skew)
            {
                return Fail(CdsJwtFailure.NotYetValid, issuer);
            }
        }

        var jti = GetString(claims, JwtRegisteredClaimNames.Jti);
        if (string.IsNullOrEmpty(jti) || jti.Length > MaxJtiLength)
        {
            return Fail(CdsJwtFailure.MissingJti, issuer);
        }

        var tenant = GetString(claims, "tenant");
        if (client.Tenants.Count > 0 && (tenant is null || !client.Tenants.Contains(tenant, StringComparer.Ordinal)))
        {
            return Fail(CdsJwtFailure.TenantNotAllowed, issuer);
        }

        // The signature, with the issuer's own key of that kid only.
        var signingKeys = await keys.GetKeysAsync(client, kid, ct);
        var candidates = signingKeys.Where(k => string.IsNullOrEmpty(k.Alg) || string.Equals(k.Alg, alg, StringComparison.Ordinal)).ToList();
        if (candidates.Count == 0)
        {
            return Fail(CdsJwtFailure.UnknownKeyId, issuer);
        }

        var parameters = new TokenValidationParameters
        {
            ValidAlgorithms = [.. AllowedAlgorithms],
            IssuerSigningKeys = candidates,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            ValidateIssuer = false, // checked above, exactly
            ValidateAudience = false, // checked above, against the endpoint URL
            ValidateLifetime = false, // checked above, with the configured skew
            RequireExpirationTime = false,
            ValidateTokenReplay = false, // the replay cache below
        };
        var validation = await Handler.ValidateTokenAsync(token, parameters);
        if (!validation.IsValid)
        {
            return Fail(CdsJwtFailure.InvalidSignature, issuer);
        }

        // expires is within now + maxLifetime + skew here, so this conversion cannot overflow.
        if (!replayCache.TryRegister(issuer, jti, DateTimeOffset.UnixEpoch.AddSeconds(expires + skew)))
        {
            return Fail(CdsJwtFailure.ReplayedJti, issuer);
        }

        return new CdsJwtValidationResult(CdsJwtFailure.None, issuer, GetString(claims, JwtRegisteredClaimNames.Sub), tenant);
    }

    private static CdsJwtValidationResult Fail(CdsJwtFailure failure, string? issuer = null) => new(failure, issuer);

    /// <summary>The token of a <c>Bearer</c> header (scheme case-insensitive), or null.</summary>
    private static string? ReadBearer(string header)
    {
        var value = header.Trim();
        const string Scheme = "Bearer ";
        if (!value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = value[Scheme.Length..].Trim();
        return token.Length == 0 || token.Any(char.IsWhiteSpace) ? null : token;
    }

    private static JsonDocument? ParseSegment(string segment)
    {
        try
        {
            var bytes = Base64UrlEncoder.DecodeBytes(segment);
            return JsonDocument.Parse(bytes, StrictJson);
        }
        catch (Exception exception) when (exception is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A NumericDate (seconds since the epoch, possibly fractional), as a number: no date is built from it here.</summary>
    private static bool TryGetNumericDate(JsonElement claims, string name, out double seconds)
    {
        seconds = 0;
        return claims.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Number
            && element.TryGetDouble(out seconds) && double.IsFinite(seconds) && seconds >= 0;
    }

    /// <summary><c>aud</c> (a string or an array of strings) holds one of the accepted audiences; a trailing slash is ignored.</summary>
    private static bool AudienceMatches(JsonElement claims, IReadOnlyCollection<string> acceptedAudiences)
    {
        if (!claims.TryGetProperty(JwtRegisteredClaimNames.Aud, out var aud))
        {
            return false;
        }

        var accepted = acceptedAudiences.Select(NormalizeAudience).ToHashSet(StringComparer.Ordinal);
        return aud.ValueKind switch
        {
            JsonValueKind.String => accepted.Contains(NormalizeAudience(aud.GetString()!)),
            JsonValueKind.Array => aud.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && accepted.Contains(NormalizeAudience(a.GetString()!))),
            _ => false,
        };
    }

    internal static string NormalizeAudience(string audience) => audience.Trim().TrimEnd('/');

    /// <summary>An issuer from an untrusted token, made safe to log.</summary>
    private static string Printable(string? value)
    {
        if (value is null)
        {
            return "(none)";
        }

        var builder = new StringBuilder(Math.Min(value.Length, 128));
        foreach (var c in value.Take(128))
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return builder.ToString();
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "CDS Hooks JWT rejected: {Reason} (issuer {Issuer})")]
    private static partial void LogRejected(ILogger logger, string reason, string issuer);
}
