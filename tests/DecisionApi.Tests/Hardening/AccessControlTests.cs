using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DecisionApi.Tests.CdsHooks;
using DecisionApi.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DecisionApi.Tests.Hardening;

/// <summary>Tracker issue 9 (items 3 and 4): API keys on /v1 and per-client rate limits.</summary>
public sealed class AccessControlTests(CdsHooksFactory factory) : IClassFixture<CdsHooksFactory>
{
    private const string PortalKey = "portal-key-0f3c9a1d7e";
    private const string RotatedKey = "portal-key-2026-12-rotated";
    private const string Profile = """{"age":62,"klGrade":3,"priorTreatments":[]}""";

    private static string Sha256(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant();

    private WebApplicationFactory<Program> WithKeys(params (string Key, string Value)[] more) => factory.WithWebHostBuilder(builder =>
    {
        builder.UseSetting("ApiKeys:Enabled", "true");
        builder.UseSetting("ApiKeys:Keys:0:Name", "portal");
        builder.UseSetting("ApiKeys:Keys:0:Sha256", Sha256(PortalKey));
        builder.UseSetting("ApiKeys:Keys:1:Name", "portal-next");
        builder.UseSetting("ApiKeys:Keys:1:Sha256", Sha256(RotatedKey).ToUpperInvariant());
        foreach (var (key, value) in more)
        {
            builder.UseSetting(key, value);
        }
    });

    private static HttpRequestMessage Evaluation(string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/evaluations") { Content = HttpAssertions.Json(Profile) };
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        return request;
    }

    [Fact]
    public async Task With_keys_on_no_v1_call_succeeds_without_a_valid_key()
    {
        using var secured = WithKeys();
        var client = secured.CreateClient();
        foreach (var key in new string?[] { null, "", "wrong", PortalKey + " ", Sha256(PortalKey), PortalKey.ToUpperInvariant() })
        {
            var response = await client.SendAsync(Evaluation(key));
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, $"key '{key}'");
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            (await response.Content.ReadAsStringAsync()).Should().Contain("X-Api-Key");
        }

        foreach (var path in new[] { "/v1/treatments", "/v1/sources", "/v1/about" })
        {
            (await client.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, path);
        }

        (await client.SendAsync(Evaluation(PortalKey))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.SendAsync(Evaluation(RotatedKey))).StatusCode.Should().Be(HttpStatusCode.OK, "two keys at once allow rotation");
        factory.Logs.Messages.Should().Contain(m => m.StartsWith("POST /v1/evaluations 200 ", StringComparison.Ordinal) && m.EndsWith("client=portal-next", StringComparison.Ordinal));
        factory.Logs.Messages.Should().NotContain(m => m.Contains(PortalKey, StringComparison.Ordinal) || m.Contains(RotatedKey, StringComparison.Ordinal), "keys are never logged");
    }

    [Fact]
    public async Task Health_documentation_the_evidence_page_and_cds_hooks_need_no_key()
    {
        using var secured = WithKeys();
        var client = secured.CreateClient();
        foreach (var path in new[] { "/health/live", "/health/ready", "/swagger/v1/swagger.json", "/swagger/index.html", "/summary", "/cds-services" })
        {
            (await client.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.OK, path);
        }
    }

    [Fact]
    public async Task Keys_on_but_none_configured_refuses_every_v1_call()
    {
        using var none = factory.WithWebHostBuilder(b => b.UseSetting("ApiKeys:Enabled", "true"));
        (await none.CreateClient().SendAsync(Evaluation("anything"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        factory.Logs.Messages.Should().Contain(m => m.Contains("none is configured", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_malformed_key_hash_stops_the_service_with_one_clear_line()
    {
        var outcome = await ServiceProcess.RunAsync(
            new Dictionary<string, string>
            {
                ["RuleStore__Path"] = RepositoryPaths.BuiltStore,
                ["ApiKeys__Keys__0__Name"] = "portal",
                ["ApiKeys__Keys__0__Sha256"] = PortalKey,
            },
            TimeSpan.FromSeconds(60));
        outcome.Exited.Should().BeTrue();
        outcome.ExitCode.Should().Be(1);
        outcome.Output.Should().Contain("Sha256 of 64 hex digits").And.NotContain(PortalKey).And.NotContain("   at ");
    }

    [Fact]
    public async Task Bursts_beyond_the_limit_get_429_with_retry_after_per_client()
    {
        using var limited = WithKeys(("RateLimiting:Enabled", "true"), ("RateLimiting:PermitLimit", "3"), ("RateLimiting:WindowSeconds", "30"));
        var client = limited.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await client.SendAsync(Evaluation(PortalKey))).StatusCode);
        }

        statuses.Should().Equal(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests);
        var rejected = await client.SendAsync(Evaluation(PortalKey));
        rejected.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        int.Parse(rejected.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture).Should().BeInRange(1, 30);
        rejected.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");

        (await client.SendAsync(Evaluation(RotatedKey))).StatusCode.Should().Be(HttpStatusCode.OK, "another key is another client");
        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK, "probes are never limited");

        // CDS Hooks: same limit, by remote address here (no configured issuer), answered as an OperationOutcome.
        HttpResponseMessage? last = null;
        for (var i = 0; i < 5; i++)
        {
            last = await client.PostAsync("/cds-services/msc-knee-oa", HttpAssertions.Json(CdsFixtures.OrderSign(CdsFixtures.Prefetch(), CdsFixtures.MscOrder()).ToJsonString()));
        }

        last!.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        last.Headers.Contains("Retry-After").Should().BeTrue();
        JsonDocument.Parse(await last.Content.ReadAsStringAsync()).RootElement.GetProperty("issue")[0].GetProperty("code").GetString().Should().Be("throttled");
    }
}
