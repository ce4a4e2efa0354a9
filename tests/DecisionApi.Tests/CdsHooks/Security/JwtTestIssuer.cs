using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DecisionApi.Features.CdsHooks;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DecisionApi.Tests.CdsHooks.Security;

/// <summary>
/// A fake EHR: an ES384 (P-384) and an RS384 (RSA 3072) key made in the test, their JWK Set written to a temp folder,
/// and JWTs minted with <see cref="JsonWebTokenHandler"/> (plus hand-built <c>alg: none</c> tokens).
/// </summary>
public sealed class JwtTestIssuer : IDisposable
{
    public const string DefaultIssuer = "https://ehr.example.org/fhir";
    public const string DefaultAudience = "https://cds.example.org/cds-services/msc-knee-oa";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public JwtTestIssuer(string issuer = DefaultIssuer, string keyIdPrefix = "ehr")
    {
        Issuer = issuer;
        EcKid = keyIdPrefix + "-es384";
        RsaKid = keyIdPrefix + "-rs384";
        EcKey = new ECDsaSecurityKey(Ec) { KeyId = EcKid };
        RsaKey = new RsaSecurityKey(Rsa) { KeyId = RsaKid };
        Folder = Directory.CreateTempSubdirectory("cds-jwt-tests-").FullName;
        JwksPath = Path.Combine(Folder, "jwks.json");
        File.WriteAllText(JwksPath, JwksJson());
    }

    public string Issuer { get; }

    public string EcKid { get; }

    public string RsaKid { get; }

    public ECDsa Ec { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    public RSA Rsa { get; } = RSA.Create(3072);

    public ECDsaSecurityKey EcKey { get; }

    public RsaSecurityKey RsaKey { get; }

    public string Folder { get; }

    /// <summary>The JWK Set file holding both public keys.</summary>
    public string JwksPath { get; }

    /// <summary>A client entry trusting this issuer through <see cref="JwksPath"/>.</summary>
    public CdsClientOptions Client(params string[] tenants)
    {
        var client = new CdsClientOptions { Issuer = Issuer, JwksPath = JwksPath };
        foreach (var tenant in tenants)
        {
            client.Tenants.Add(tenant);
        }

        return client;
    }

    /// <summary>The public JWK Set (kty/crv/x/y and kty/n/e, with kid, alg and use).</summary>
    public string JwksJson()
    {
        var ec = Ec.ExportParameters(includePrivateParameters: false);
        var rsa = Rsa.ExportParameters(includePrivateParameters: false);
        var set = new JsonObject
        {
            ["keys"] = new JsonArray(
                new JsonObject
                {
                    ["kty"] = "EC",
                    ["crv"] = "P-384",
                    ["x"] = Base64UrlEncoder.Encode(ec.Q.X!),
                    ["y"] = Base64UrlEncoder.Encode(ec.Q.Y!),
                    ["kid"] = EcKid,
                    ["alg"] = "ES384",
                    ["use"] = "sig",
                },
                new JsonObject
                {
                    ["kty"] = "RSA",
                    ["n"] = Base64UrlEncoder.Encode(rsa.Modulus!),
                    ["e"] = Base64UrlEncoder.Encode(rsa.Exponent!),
                    ["kid"] = RsaKid,
                    ["alg"] = "RS384",
                    ["use"] = "sig",
                }),
        };
        return set.ToJsonString();
    }

    /// <summary>The standard claims: iss, aud, exp (+5 min), iat (now), a fresh jti.</summary>
    public Dictionary<string, object> Claims(string? audience = DefaultAudience, DateTimeOffset? now = null)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["exp"] = at.AddMinutes(5).ToUnixTimeSeconds(),
            ["iat"] = at.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString(),
        };
        if (audience is not null)
        {
            claims["aud"] = audience;
        }

        return claims;
    }

    /// <summary>An ES384 token (the EC key) with the standard claims changed by <paramref name="edit"/>.</summary>
    public string Es384(Action<Dictionary<string, object>>? edit = null, string audience = DefaultAudience, IDictionary<string, object>? header = null) =>
        Mint(EcKey, SecurityAlgorithms.EcdsaSha384, Edited(audience, edit), header);

    /// <summary>An RS384 token (the RSA key).</summary>
    public string Rs384(Action<Dictionary<string, object>>? edit = null, string audience = DefaultAudience) =>
        Mint(RsaKey, SecurityAlgorithms.RsaSha384, Edited(audience, edit));

    /// <summary>A token signed with any key and algorithm; its kid is the key's KeyId.</summary>
    public static string Mint(SecurityKey key, string algorithm, IDictionary<string, object> claims, IDictionary<string, object>? header = null) =>
        Handler.CreateToken(new SecurityTokenDescriptor
        {
            SigningCredentials = new SigningCredentials(key, algorithm),
            Claims = claims,
            AdditionalHeaderClaims = header,
            TokenType = "JWT",
        });

    /// <summary>An unsecured <c>alg: none</c> token, built by hand (the handler refuses to make one).</summary>
    public string AlgNone(Action<Dictionary<string, object>>? edit = null, string audience = DefaultAudience)
    {
        var header = JsonSerializer.Serialize(new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "JWT", ["kid"] = EcKid });
        var payload = JsonSerializer.Serialize(Edited(audience, edit));
        return Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(header)) + "." + Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload)) + ".";
    }

    /// <summary>An HS256 token signed with a shared secret and this issuer's EC kid.</summary>
    public string Hs256(Action<Dictionary<string, object>>? edit = null, string audience = DefaultAudience)
    {
        var secret = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = EcKid };
        return Mint(secret, SecurityAlgorithms.HmacSha256, Edited(audience, edit));
    }

    /// <summary>An ES384 token signed by a different P-384 key that claims this issuer's EC kid.</summary>
    public string Es384WithImpostorKey(Action<Dictionary<string, object>>? edit = null, string audience = DefaultAudience)
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        return Mint(new ECDsaSecurityKey(other) { KeyId = EcKid }, SecurityAlgorithms.EcdsaSha384, Edited(audience, edit));
    }

    private Dictionary<string, object> Edited(string audience, Action<Dictionary<string, object>>? edit)
    {
        var claims = Claims(audience);
        edit?.Invoke(claims);
        return claims;
    }

    public void Dispose()
    {
        Ec.Dispose();
        Rsa.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
