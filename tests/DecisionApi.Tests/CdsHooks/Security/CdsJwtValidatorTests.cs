using System.Security.Cryptography;
using DecisionApi.Features.CdsHooks;
using DecisionApi.Features.CdsHooks.Security;
using Microsoft.IdentityModel.Tokens;

namespace DecisionApi.Tests.CdsHooks.Security;

public sealed class CdsJwtValidatorTests : IDisposable
{
    private static readonly string[] Audience = [JwtTestIssuer.DefaultAudience];

    private readonly JwtTestIssuer ehr = new();
    private readonly CdsJwtValidator validator;

    public CdsJwtValidatorTests() => validator = Validators.Create(Validators.Trusting(ehr.Client()));

    public void Dispose() => ehr.Dispose();

    private Task<CdsJwtValidationResult> Check(string? header, IReadOnlyCollection<string>? audiences = null) =>
        validator.ValidateTokenAsync(header, audiences ?? Audience, CancellationToken.None);

    private async Task ShouldFail(string token, CdsJwtFailure failure)
    {
        var result = await Check(Validators.Bearer(token));
        result.IsValid.Should().BeFalse();
        result.Failure.Should().Be(failure);
    }

    [Fact]
    public async Task An_ES384_token_is_accepted()
    {
        var result = await Check(Validators.Bearer(ehr.Es384()));

        result.IsValid.Should().BeTrue();
        result.Issuer.Should().Be(ehr.Issuer);
    }

    [Fact]
    public async Task An_RS384_token_is_accepted() =>
        (await Check(Validators.Bearer(ehr.Rs384()))).IsValid.Should().BeTrue();

    [Fact]
    public async Task The_bool_API_agrees() =>
        (await validator.ValidateAsync(Validators.Bearer(ehr.Es384()), Audience, CancellationToken.None)).Should().BeTrue();

    [Fact]
    public async Task Epic_style_sub_and_past_nbf_are_accepted()
    {
        var now = DateTimeOffset.UtcNow;
        var result = await Check(Validators.Bearer(ehr.Rs384(c =>
        {
            c["sub"] = "epic-cds-client-id";
            c["nbf"] = now.AddMinutes(-5).ToUnixTimeSeconds();
        })));

        result.IsValid.Should().BeTrue();
        result.Subject.Should().Be("epic-cds-client-id");
    }

    [Fact]
    public async Task An_audience_array_holding_the_endpoint_is_accepted() =>
        (await Check(Validators.Bearer(ehr.Es384(c => c["aud"] = new[] { "https://other.example.org", JwtTestIssuer.DefaultAudience }))))
            .IsValid.Should().BeTrue();

    [Fact]
    public async Task A_trailing_slash_on_either_audience_is_ignored()
    {
        (await Check(Validators.Bearer(ehr.Es384(c => c["aud"] = JwtTestIssuer.DefaultAudience + "/")))).IsValid.Should().BeTrue();
        (await Check(Validators.Bearer(ehr.Es384()), [JwtTestIssuer.DefaultAudience + "/"])).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task The_scheme_name_is_case_insensitive() =>
        (await Check("bearer " + ehr.Es384())).IsValid.Should().BeTrue();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task A_missing_header_fails(string? header) =>
        (await Check(header)).Failure.Should().Be(CdsJwtFailure.MissingAuthorization);

    [Fact]
    public async Task A_non_Bearer_scheme_fails()
    {
        (await Check("Basic dXNlcjpwYXNz")).Failure.Should().Be(CdsJwtFailure.NotBearer);
        (await Check(ehr.Es384())).Failure.Should().Be(CdsJwtFailure.NotBearer);
        (await Check("Bearer ")).Failure.Should().Be(CdsJwtFailure.NotBearer);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d.e")]
    [InlineData("%%%.%%%.%%%")]
    public async Task Malformed_tokens_fail(string token) =>
        await ShouldFail(token, CdsJwtFailure.Malformed);

    [Fact]
    public async Task Alg_none_fails() =>
        await ShouldFail(ehr.AlgNone(), CdsJwtFailure.AlgorithmNotAllowed);

    [Fact]
    public async Task HS256_fails() =>
        await ShouldFail(ehr.Hs256(), CdsJwtFailure.AlgorithmNotAllowed);

    [Fact]
    public async Task HS384_signed_with_the_public_key_bytes_fails()
    {
        // The classic algorithm-confusion attack: HMAC keyed with the published key material.
        var key = new SymmetricSecurityKey(Base64UrlEncoder.DecodeBytes(Base64UrlEncoder.Encode(ehr.Rsa.ExportSubjectPublicKeyInfo()))) { KeyId = ehr.RsaKid };
        await ShouldFail(JwtTestIssuer.Mint(key, SecurityAlgorithms.HmacSha384, ehr.Claims()), CdsJwtFailure.AlgorithmNotAllowed);
    }

    [Fact]
    public async Task ES256_fails()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await ShouldFail(JwtTestIssuer.Mint(new ECDsaSecurityKey(p256) { KeyId = ehr.EcKid }, SecurityAlgorithms.EcdsaSha256, ehr.Claims()), CdsJwtFailure.AlgorithmNotAllowed);
    }

    [Fact]
    public async Task A_typ_other_than_JWT_fails()
    {
        var token = JwtTestIssuer.Mint(ehr.EcKey, SecurityAlgorithms.EcdsaSha384, ehr.Claims(), new Dictionary<string, object> { ["typ"] = "at+jwt" });
        await ShouldFail(token, CdsJwtFailure.WrongType);
    }

    [Fact]
    public async Task A_missing_kid_fails()
    {
        var keyWithoutId = new ECDsaSecurityKey(ehr.Ec);
        await ShouldFail(JwtTestIssuer.Mint(keyWithoutId, SecurityAlgorithms.EcdsaSha384, ehr.Claims()), CdsJwtFailure.MissingKeyId);
    }

    [Fact]
    public async Task A_wrong_audience_fails() =>
        await ShouldFail(ehr.Es384(audience: "https://cds.example.org/cds-services/other-service"), CdsJwtFailure.AudienceMismatch);

    [Fact]
    public async Task A_missing_audience_fails() =>
        await ShouldFail(ehr.Es384(c => c.Remove("aud")), CdsJwtFailure.AudienceMismatch);

    [Fact]
    public async Task An_unknown_issuer_fails() =>
        await ShouldFail(ehr.Es384(c => c["iss"] = "https://attacker.example.org"), CdsJwtFailure.IssuerNotTrusted);

    [Fact]
    public async Task The_issuer_must_match_exactly() =>
        await ShouldFail(ehr.Es384(c => c["iss"] = ehr.Issuer + "/"), CdsJwtFailure.IssuerNotTrusted);

    [Fact]
    public async Task A_missing_issuer_fails() =>
        await ShouldFail(ehr.Es384(c => c.Remove("iss")), CdsJwtFailure.MissingIssuer);

    [Fact]
    public async Task An_unknown_kid_fails()
    {
        var stranger = new ECDsaSecurityKey(ehr.Ec) { KeyId = "no-such-key" };
        await ShouldFail(JwtTestIssuer.Mint(stranger, SecurityAlgorithms.EcdsaSha384, ehr.Claims()), CdsJwtFailure.UnknownKeyId);
    }

    [Fact]
    public async Task A_kid_of_another_trusted_issuer_fails()
    {
        using var other = new JwtTestIssuer("https://other-ehr.example.org", "other");
        var both = Validators.Create(Validators.Trusting(ehr.Client(), other.Client()));

        // Signed with the other issuer's key and kid, but claiming to be ehr.
        var token = JwtTestIssuer.Mint(other.EcKey, SecurityAlgorithms.EcdsaSha384, ehr.Claims());

        var result = await both.ValidateTokenAsync(Validators.Bearer(token), Audience, CancellationToken.None);
        result.Failure.Should().Be(CdsJwtFailure.UnknownKeyId);
        (await both.ValidateAsync(Validators.Bearer(other.Es384()), Audience, CancellationToken.None)).Should().BeTrue();
    }

    [Fact]
    public async Task A_signature_by_a_different_key_with_the_same_kid_fails() =>
        await ShouldFail(ehr.Es384WithImpostorKey(), CdsJwtFailure.InvalidSignature);

    [Fact]
    public async Task A_tampered_payload_fails()
    {
        var parts = ehr.Es384().Split('.');
        var other = ehr.Es384(c => c["tenant"] = "x").Split('.');
        await ShouldFail(parts[0] + "." + other[1] + "." + parts[2], CdsJwtFailure.InvalidSignature);
    }

    [Fact]
    public async Task An_RS384_header_on_the_EC_key_fails()
    {
        // kid of the EC key, alg RS384, signed by the RSA key: the JWK's alg (ES384) rules it out.
        var token = JwtTestIssuer.Mint(new RsaSecurityKey(ehr.Rsa) { KeyId = ehr.EcKid }, SecurityAlgorithms.RsaSha384, ehr.Claims());
        await ShouldFail(token, CdsJwtFailure.UnknownKeyId);
    }

    [Fact]
    public async Task An_expired_token_fails()
    {
        var now = DateTimeOffset.UtcNow;
        await ShouldFail(ehr.Es384(c =>
        {
            c["iat"] = now.AddMinutes(-10).ToUnixTimeSeconds();
            c["exp"] = now.AddMinutes(-5).ToUnixTimeSeconds();
        }), CdsJwtFailure.Expired);
    }

    [Fact]
    public async Task Expiry_within_the_clock_skew_is_tolerated() =>
        (await Check(Validators.Bearer(ehr.Es384(c => c["exp"] = DateTimeOffset.UtcNow.AddSeconds(-30).ToUnixTimeSeconds())))).IsValid.Should().BeTrue();

    [Fact]
    public async Task A_missing_exp_fails() =>
        await ShouldFail(ehr.Es384(c => c.Remove("exp")), CdsJwtFailure.MissingExpiration);

    [Fact]
    public async Task A_string_exp_fails() =>
        await ShouldFail(ehr.Es384(c => c["exp"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)), CdsJwtFailure.MissingExpiration);

    [Fact]
    public async Task A_missing_iat_fails() =>
        await ShouldFail(ehr.Es384(c => c.Remove("iat")), CdsJwtFailure.MissingIssuedAt);

    [Fact]
    public async Task An_iat_in_the_future_fails() =>
        await ShouldFail(ehr.Es384(c => c["iat"] = DateTimeOffset.UtcNow.AddMinutes(3).ToUnixTimeSeconds()), CdsJwtFailure.IssuedInFuture);

    [Fact]
    public async Task An_nbf_in_the_future_fails() =>
        await ShouldFail(ehr.Es384(c => c["nbf"] = DateTimeOffset.UtcNow.AddMinutes(3).ToUnixTimeSeconds()), CdsJwtFailure.NotYetValid);

    [Fact]
    public async Task The_clock_skew_is_configurable()
    {
        var options = Validators.Trusting(ehr.Client());
        options.Authentication.ClockSkewSeconds = 0;
        var strict = Validators.Create(options);

        var token = ehr.Es384(c => c["exp"] = DateTimeOffset.UtcNow.AddSeconds(-30).ToUnixTimeSeconds());

        (await strict.ValidateTokenAsync(Validators.Bearer(token), Audience, CancellationToken.None)).Failure.Should().Be(CdsJwtFailure.Expired);
    }

    [Fact]
    public async Task A_missing_jti_fails() =>
        await ShouldFail(ehr.Es384(c => c.Remove("jti")), CdsJwtFailure.MissingJti);

    [Fact]
    public async Task A_replayed_token_fails_the_second_time()
    {
        var token = Validators.Bearer(ehr.Es384());

        (await Check(token)).IsValid.Should().BeTrue();
        (await Check(token)).Failure.Should().Be(CdsJwtFailure.ReplayedJti);
    }

    [Fact]
    public async Task A_new_token_reusing_a_jti_fails()
    {
        (await Check(Validators.Bearer(ehr.Es384(c => c["jti"] = "nonce-1")))).IsValid.Should().BeTrue();
        (await Check(Validators.Bearer(ehr.Rs384(c => c["jti"] = "nonce-1")))).Failure.Should().Be(CdsJwtFailure.ReplayedJti);
    }

    [Fact]
    public async Task A_rejected_token_does_not_burn_its_jti()
    {
        (await Check(Validators.Bearer(ehr.Es384WithImpostorKey(c => c["jti"] = "nonce-2")))).IsValid.Should().BeFalse();
        (await Check(Validators.Bearer(ehr.Es384(c => c["jti"] = "nonce-2")))).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task The_same_jti_from_two_issuers_is_not_a_replay()
    {
        using var other = new JwtTestIssuer("https://other-ehr.example.org", "other");
        var both = Validators.Create(Validators.Trusting(ehr.Client(), other.Client()));

        (await both.ValidateAsync(Validators.Bearer(ehr.Es384(c => c["jti"] = "shared")), Audience, CancellationToken.None)).Should().BeTrue();
        (await both.ValidateAsync(Validators.Bearer(other.Es384(c => c["jti"] = "shared")), Audience, CancellationToken.None)).Should().BeTrue();
    }

    [Fact]
    public async Task A_listed_tenant_is_accepted()
    {
        var tenanted = Validators.Create(Validators.Trusting(ehr.Client("hospital-a", "hospital-b")));

        var result = await tenanted.ValidateTokenAsync(Validators.Bearer(ehr.Es384(c => c["tenant"] = "hospital-b")), Audience, CancellationToken.None);

        result.IsValid.Should().BeTrue();
        result.Tenant.Should().Be("hospital-b");
    }

    [Fact]
    public async Task A_tenant_not_on_the_list_fails()
    {
        var tenanted = Validators.Create(Validators.Trusting(ehr.Client("hospital-a")));

        (await tenanted.ValidateTokenAsync(Validators.Bearer(ehr.Es384(c => c["tenant"] = "hospital-z")), Audience, CancellationToken.None))
            .Failure.Should().Be(CdsJwtFailure.TenantNotAllowed);
    }

    [Fact]
    public async Task A_missing_tenant_fails_when_tenants_are_listed()
    {
        var tenanted = Validators.Create(Validators.Trusting(ehr.Client("hospital-a")));

        (await tenanted.ValidateTokenAsync(Validators.Bearer(ehr.Es384()), Audience, CancellationToken.None))
            .Failure.Should().Be(CdsJwtFailure.TenantNotAllowed);
    }

    [Fact]
    public async Task A_tenant_is_ignored_when_none_are_listed() =>
        (await Check(Validators.Bearer(ehr.Es384(c => c["tenant"] = "anything")))).IsValid.Should().BeTrue();

    [Fact]
    public async Task No_configured_clients_means_every_token_fails()
    {
        var none = Validators.Create(new CdsHooksOptions());

        (await none.ValidateTokenAsync(Validators.Bearer(ehr.Es384()), Audience, CancellationToken.None)).Failure.Should().Be(CdsJwtFailure.IssuerNotTrusted);
    }

    [Fact]
    public async Task A_missing_JWKS_file_means_no_keys()
    {
        var client = new CdsClientOptions { Issuer = ehr.Issuer, JwksPath = Path.Combine(ehr.Folder, "missing.json") };
        var broken = Validators.Create(Validators.Trusting(client));

        (await broken.ValidateTokenAsync(Validators.Bearer(ehr.Es384()), Audience, CancellationToken.None)).Failure.Should().Be(CdsJwtFailure.UnknownKeyId);
    }

    [Fact]
    public async Task A_malformed_JWKS_file_means_no_keys()
    {
        var path = Path.Combine(ehr.Folder, "broken.json");
        await File.WriteAllTextAsync(path, "{ not json");
        var broken = Validators.Create(Validators.Trusting(new CdsClientOptions { Issuer = ehr.Issuer, JwksPath = path }));

        (await broken.ValidateTokenAsync(Validators.Bearer(ehr.Es384()), Audience, CancellationToken.None)).Failure.Should().Be(CdsJwtFailure.UnknownKeyId);
    }

    [Fact]
    public async Task A_relative_JWKS_path_is_resolved_against_the_service_folder()
    {
        var relative = Path.GetRelativePath(AppContext.BaseDirectory, ehr.JwksPath);
        var client = new CdsClientOptions { Issuer = ehr.Issuer, JwksPath = relative };

        CdsJwksProvider.ResolvePath(relative).Should().Be(Path.GetFullPath(ehr.JwksPath));
        (await Validators.Create(Validators.Trusting(client)).ValidateAsync(Validators.Bearer(ehr.Es384()), Audience, CancellationToken.None)).Should().BeTrue();
    }

    [Fact]
    public async Task The_JWKS_file_is_read_once()
    {
        (await Check(Validators.Bearer(ehr.Es384()))).IsValid.Should().BeTrue();
        File.Delete(ehr.JwksPath);

        (await Check(Validators.Bearer(ehr.Rs384()))).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task A_cancelled_request_is_a_failure_not_an_exception()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var result = await validator.ValidateTokenAsync(Validators.Bearer(ehr.Es384()), Audience, cancelled.Token);

        result.IsValid.Should().BeFalse();
    }

    [Fact]
    public async Task A_crit_header_fails()
    {
        var token = JwtTestIssuer.Mint(ehr.EcKey, SecurityAlgorithms.EcdsaSha384, ehr.Claims(), new Dictionary<string, object> { ["crit"] = new[] { "exp" } });
        await ShouldFail(token, CdsJwtFailure.UnsupportedCriticalHeader);
    }
}
