using DecisionApi.Features.CdsHooks;
using DecisionApi.Features.CdsHooks.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace DecisionApi.Tests.CdsHooks.Security;

/// <summary>A JWK Set served over HTTP on 127.0.0.1; counts its requests.</summary>
public sealed class JwksServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private int requests;

    private JwksServer(WebApplication app) => this.app = app;

    /// <summary>What the server answers (settable to rotate keys).</summary>
    public string Json { get; set; } = """{"keys":[]}""";

    /// <summary>Status code to answer with instead of the set, when not 200.</summary>
    public int Status { get; set; } = StatusCodes.Status200OK;

    /// <summary>Delay before answering.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public int Requests => Volatile.Read(ref requests);

    public string Url => app.Urls.First() + "/jwks.json";

    public static async Task<JwksServer> StartAsync(string json)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new JwksServer(app) { Json = json };
        app.MapGet("/jwks.json", async (HttpContext context) =>
        {
            Interlocked.Increment(ref server.requests);
            if (server.Delay > TimeSpan.Zero)
            {
                await Task.Delay(server.Delay, context.RequestAborted);
            }

            context.Response.StatusCode = server.Status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(server.Json, context.RequestAborted);
        });
        app.MapGet("/redirect", () => Results.Redirect("/jwks.json"));
        await app.StartAsync();
        // One uncounted request first: on a busy machine a cold server's first answer can take longer than the
        // validator's 3 s fetch time-out, which made the refetch tests flaky.
        using (var warm = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }))
        {
            using var _ = await warm.GetAsync(new Uri(app.Urls.First() + "/redirect"));
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

public sealed class CdsJwksUrlTests : IDisposable
{
    private static readonly string[] Audience = [JwtTestIssuer.DefaultAudience];

    private readonly JwtTestIssuer ehr = new();
    private readonly ManualTimeProvider clock = new(DateTimeOffset.UtcNow);

    public void Dispose() => ehr.Dispose();

    private CdsJwtValidator ValidatorFor(string jwksUrl) =>
        Validators.Create(Validators.Trusting(new CdsClientOptions { Issuer = ehr.Issuer, JwksUrl = jwksUrl }), clock);

    private static Task<CdsJwtValidationResult> Check(CdsJwtValidator validator, string token) =>
        validator.ValidateTokenAsync(Validators.Bearer(token), Audience, CancellationToken.None);

    /// <summary>Tokens minted on the test clock.</summary>
    private string Es384(Action<Dictionary<string, object>>? edit = null, IDictionary<string, object>? header = null)
    {
        var claims = ehr.Claims(JwtTestIssuer.DefaultAudience, clock.GetUtcNow());
        edit?.Invoke(claims);
        return JwtTestIssuer.Mint(ehr.EcKey, SecurityAlgorithms.EcdsaSha384, claims, header);
    }

    [Fact]
    public async Task Tokens_verify_against_the_URL_and_the_set_is_fetched_once()
    {
        await using var server = await JwksServer.StartAsync(ehr.JwksJson());
        var validator = ValidatorFor(server.Url);

        (await Check(validator, Es384())).IsValid.Should().BeTrue();
        (await Check(validator, Es384())).IsValid.Should().BeTrue();
        var rs = JwtTestIssuer.Mint(ehr.RsaKey, SecurityAlgorithms.RsaSha384, ehr.Claims(JwtTestIssuer.DefaultAudience, clock.GetUtcNow()));
        (await Check(validator, rs)).IsValid.Should().BeTrue();

        server.Requests.Should().Be(1);
    }

    [Fact]
    public async Task Concurrent_first_calls_fetch_once()
    {
        await using var server = await JwksServer.StartAsync(ehr.JwksJson());
        server.Delay = TimeSpan.FromMilliseconds(200);
        var validator = ValidatorFor(server.Url);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Check(validator, Es384())));

        results.Should().OnlyContain(r => r.IsValid);
        server.Requests.Should().Be(1);
    }

    [Fact]
    public async Task The_set_is_refetched_after_ten_minutes()
    {
        await using var server = await JwksServer.StartAsync(ehr.JwksJson());
        var validator = ValidatorFor(server.Url);

        (await Check(validator, Es384())).IsValid.Should().BeTrue();
        clock.Advance(TimeSpan.FromMinutes(9));
        (await Check(validator, Es384())).IsValid.Should().BeTrue();
        server.Requests.Should().Be(1);

        clock.Advance(TimeSpan.FromMinutes(2));
        (await Check(validator, Es384())).IsValid.Should().BeTrue();
        server.Requests.Should().Be(2);
    }

    [Fact]
    public async Task An_unknown_kid_refetches_at_most_once_a_minute()
    {
        await using var server = await JwksServer.StartAsync(ehr.JwksJson());
        var validator = ValidatorFor(server.Url);
        (await Check(validator, Es384())).IsValid.Should().BeTrue();

        using var rotated = new JwtTestIssuer(ehr.Issuer, "rotated");
        string Rotated() => JwtTestIssuer.Mint(rotated.EcKey, SecurityAlgorithms.EcdsaSha384, rotated.Claims(JwtTestIssuer.DefaultAudience, clock.GetUtcNow()));

        // The EHR rotates, but only after the service refetched once within the minute: still unknown, no second refetch.
        clock.Advance(TimeSpan.FromSeconds(61));
        (await Check(validator, Rotated())).Failure.Should().Be(CdsJwtFailure.UnknownKeyId);
        server.Requests.Should().Be(2);

        server.Json = rotated.JwksJson();
        (await Check(validator, Rotated())).Failure.Should().Be(CdsJwtFailure.UnknownKeyId);
        server.Requests.Should().Be(2);

        // A minute later the unknown kid triggers one more fetch, which finds the new key.
        clock.Advance(TimeSpan.FromSeconds(61));
        (await Check(validator, Rotated())).IsValid.Should().BeTrue();
        (await Check(validator, Rotated())).IsValid.Should().BeTrue();
        server.Requests.Should().Be(3);
    }

    [Fact]
    public async Task A_jku_header_pointing_elsewhere_is_never_fetched()
    {
        using var attacker = new JwtTestIssuer(ehr.Issuer, "attacker");
        await using var configured = await JwksServer.StartAsync(ehr.JwksJson());
        await using var elsewhere = await JwksServer.StartAsync(attacker.JwksJson());
        var validator = ValidatorFor(configured.Url);

        var token = JwtTestIssuer.Mint(
            attacker.EcKey,
            SecurityAlgorithms.EcdsaSha384,
            attacker.Claims(JwtTestIssuer.DefaultAudience, clock.GetUtcNow()),
            new Dictionary<string, object> { ["jku"] = elsewhere.Url });

        (await Check(validator, token)).Failure.Should().Be(CdsJwtFailure.UnknownKeyId);
        elsewhere.Requests.Should().Be(0);
        configured.Requests.Should().Be(1);
    }

    [Fact]
    public async Task A_jku_equal_to_the_configured_URL_is_fine()
    {
        await using var server = await JwksServer.StartAsync(ehr.JwksJson());
        var validator = ValidatorFor(server.Url);

        (await Check(validator, Es384(header: new Dictionary<string, object> { ["jku"] = server.Url }))).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task An_unreachable_URL_means_no_keys_and_no_exception()
    {
        int port;
        await using (var gone = await JwksServer.StartAsync(ehr.JwksJson()))
        {
            port = new Uri(gone.Url).Port;
        }

        var validator = ValidatorFor($"http://127.0.0.1:{port}/jwks.json");

        (await Check(validator, Es384())).Failure.Should().Be(CdsJwtFailure.UnknownKeyId);
    }

    [Fact]
    public async Task An_error_status_means_no_keys_and_is_retried_after_a_minute()
    {
        await using var server = await JwksServer.StartAsync(ehr.JwksJson());
        server.Status = StatusCodes.Status503ServiceUnavailable;
        var validator = ValidatorFor(server.Url);

        (await Check(validator, Es384())).Failure.Should().Be(CdsJwtFailure.UnknownKeyId);
        (await Check(validator, Es384())).Failure.Should().Be(CdsJwtFailure.UnknownKeyId);
        server.Requests.Should().Be(1);

        server.Status = StatusCodes.Status200OK;
        clock.Advance(TimeSpan.FromSeconds(61));
        (await Check(validator, Es384())).IsValid.Should().BeTrue();
        server.Requests.Should().Be(2);
    }

    [Fact]
    public async Task A_slow_server_times_out_in_about_three_seconds()
    {
        await using var server = await JwksServer.StartAsync(ehr.JwksJson());
        server.Delay = TimeSpan.FromSeconds(20);
        var validator = ValidatorFor(server.Url);

        var started = DateTime.UtcNow;
        (await Check(validator, Es384())).Failure.Should().Be(CdsJwtFailure.UnknownKeyId);

        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_garbage_body_means_no_keys()
    {
        await using var server = await JwksServer.StartAsync("<html>not a key set</html>");

        (await Check(ValidatorFor(server.Url), Es384())).Failure.Should().Be(CdsJwtFailure.UnknownKeyId);
    }

    [Fact]
    public async Task A_redirect_is_not_followed()
    {
        await using var server = await JwksServer.StartAsync(ehr.JwksJson());
        var redirect = server.Url.Replace("/jwks.json", "/redirect", StringComparison.Ordinal);

        (await Check(ValidatorFor(redirect), Es384())).Failure.Should().Be(CdsJwtFailure.UnknownKeyId);
        server.Requests.Should().Be(0);
    }

    [Fact]
    public async Task Plain_http_is_refused_off_loopback()
    {
        (await Check(ValidatorFor("http://jwks.example.invalid/jwks.json"), Es384())).Failure.Should().Be(CdsJwtFailure.UnknownKeyId);
    }

    [Fact]
    public async Task After_a_failed_refresh_the_last_keys_are_used_for_up_to_an_hour()
    {
        await using var server = await JwksServer.StartAsync(ehr.JwksJson());
        var validator = ValidatorFor(server.Url);
        (await Check(validator, Es384())).IsValid.Should().BeTrue();

        server.Status = StatusCodes.Status500InternalServerError;
        clock.Advance(TimeSpan.FromMinutes(11));
        (await Check(validator, Es384())).IsValid.Should().BeTrue();
        server.Requests.Should().Be(2);

        clock.Advance(TimeSpan.FromMinutes(50));
        (await Check(validator, Es384())).Failure.Should().Be(CdsJwtFailure.UnknownKeyId);
    }
}
