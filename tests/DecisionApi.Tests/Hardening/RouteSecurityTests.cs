using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DecisionApi.Infrastructure;
using DecisionApi.Tests.CdsHooks;
using DecisionApi.Tests.CdsHooks.Security;
using DecisionApi.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DecisionApi.Tests.Hardening;

/// <summary>
/// Issue #22: policy declared on the route groups. Reproductions of defects 3 (401/429 whatever Accept says), 5 (unsigned
/// tokens spent a named EHR's quota; wrong keys never limited), 7 (the card link and the memo took the Host header) and
/// 10 (the CDS 401 as sent and as documented).
/// </summary>
public sealed class RouteSecurityTests(CdsHooksFactory factory) : IClassFixture<CdsHooksFactory>, IDisposable
{
    private const string PortalKey = "portal-key-0f3c9a1d7e";
    private readonly JwtTestIssuer ehr = new();

    public void Dispose() => ehr.Dispose();

    private static string Sha256(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant();

    private WebApplicationFactory<Program> With(params (string Key, string Value)[] settings) => factory.WithWebHostBuilder(builder =>
    {
        builder.UseSetting("ApiKeys:Enabled", "true");
        builder.UseSetting("ApiKeys:Keys:0:Name", "portal");
        builder.UseSetting("ApiKeys:Keys:0:Sha256", Sha256(PortalKey));
        builder.UseSetting("CdsHooks:Clients:0:Issuer", ehr.Issuer);
        builder.UseSetting("CdsHooks:Clients:0:JwksPath", ehr.JwksPath);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    });

    private static HttpRequestMessage Get(string path, string? key, string? accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return request;
    }

    public static TheoryData<string?> Accepts => new() { null, "text/html", "application/json;q=0", "text/html, application/xhtml+xml", "image/png", "*/*" };

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task V1_answers_401_as_problem_json_with_www_authenticate_whatever_accept_says(string? accept)
    {
        using var secured = With();
        var response = await secured.CreateClient().SendAsync(Get("/v1/about", "wrong-key", accept));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        response.Headers.WwwAuthenticate.Should().ContainSingle().Which.Scheme.Should().Be("ApiKey");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("status").GetInt32().Should().Be(401);
        body.RootElement.TryGetProperty("traceId", out _).Should().BeTrue();
        factory.Logs.Messages.Should().NotContain(m => m.Contains("Unhandled exception", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task V1_answers_429_as_problem_json_whatever_accept_says(string? accept)
    {
        using var limited = With(("RateLimiting:Enabled", "true"), ("RateLimiting:PermitLimit", "1"), ("RateLimiting:WindowSeconds", "60"));
        var client = limited.CreateClient();
        (await client.SendAsync(Get("/v1/about", PortalKey, accept))).StatusCode.Should().NotBe(HttpStatusCode.TooManyRequests);
        var response = await client.SendAsync(Get("/v1/about", PortalKey, accept));

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        response.Headers.Contains("Retry-After").Should().BeTrue();
        factory.Logs.Messages.Should().NotContain(m => m.Contains("Unhandled exception", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wrong_keys_are_limited_by_address_in_the_smaller_budget_and_never_spend_a_client_s()
    {
        using var limited = With(("RateLimiting:Enabled", "true"), ("RateLimiting:PermitLimit", "3"), ("RateLimiting:AnonymousPermitLimit", "2"), ("RateLimiting:WindowSeconds", "60"));
        var client = limited.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await client.SendAsync(Get("/v1/about", "guess-" + i, null))).StatusCode);
        }

        statuses.Should().Equal(HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests);
        for (var i = 0; i < 3; i++)
        {
            (await client.SendAsync(Get("/v1/about", PortalKey, null))).StatusCode.Should().Be(HttpStatusCode.OK, "the client's own budget is untouched");
        }
    }

    [Fact]
    public async Task Unsigned_tokens_naming_an_ehr_do_not_spend_its_quota()
    {
        using var limited = With(
            ("CdsHooks:Authentication:Enabled", "true"),
            ("RateLimiting:Enabled", "true"), ("RateLimiting:PermitLimit", "3"), ("RateLimiting:AnonymousPermitLimit", "2"), ("RateLimiting:WindowSeconds", "60"));
        var client = limited.CreateClient();
        async Task<HttpStatusCode> Discover(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/cds-services");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return (await client.SendAsync(request)).StatusCode;
        }

        const string Audience = "http://localhost/cds-services";
        // The factory's clock is fixed (CdsHooksFactory.Today): tokens are minted for that time.
        void At(Dictionary<string, object> claims)
        {
            claims["iat"] = CdsHooksFactory.Today.ToUnixTimeSeconds();
            claims["exp"] = CdsHooksFactory.Today.AddMinutes(5).ToUnixTimeSeconds();
        }

        for (var i = 0; i < 5; i++)
        {
            (await Discover(ehr.Es384WithImpostorKey(At, Audience))).Should().BeOneOf(HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests);
        }

        var valid = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            valid.Add(await Discover(ehr.Es384(At, Audience)));
        }

        valid.Should().Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], "forged tokens were counted against the caller's address, not the EHR");

        (await Discover(ehr.Es384(At, Audience))).Should().Be(HttpStatusCode.TooManyRequests, "the EHR's own budget still applies");
    }

    [Fact]
    public async Task The_cds_401_is_bare_with_www_authenticate_bearer_as_documented()
    {
        using var secured = With(("CdsHooks:Authentication:Enabled", "true"));
        var client = secured.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cds-services/msc-knee-oa")
        {
            Content = HttpAssertions.Json(CdsFixtures.OrderSign(CdsFixtures.Prefetch(), CdsFixtures.MscOrder()).ToJsonString()),
        };
        request.Headers.TryAddWithoutValidation("Accept", "text/html");
        var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Should().ContainSingle().Which.Scheme.Should().Be("Bearer");
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"));
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/cds-services", StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var unauthorized = operation.Value.GetProperty("responses").GetProperty("401");
                unauthorized.TryGetProperty("content", out _).Should().BeFalse($"{operation.Name} {path.Name}: the 401 has no body");
                unauthorized.GetProperty("headers").TryGetProperty("WWW-Authenticate", out _).Should().BeTrue();
            }
        }
    }

    [Fact]
    public async Task The_card_link_never_takes_its_host_from_the_request_and_hosts_do_not_grow_the_memo()
    {
        using var configured = With(("ApiKeys:Enabled", "false"), ("CdsHooks:PublicBaseUrl", "https://cds.example.org/api"));
        var client = configured.CreateClient();
        var body = CdsFixtures.OrderSign(CdsFixtures.Prefetch(), CdsFixtures.MscOrder()).ToJsonString();
        var memo = configured.Services.GetRequiredService<LiveRuleStore>();
        long? bytesAfterFirst = null;
        for (var i = 0; i < 40; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/cds-services/msc-knee-oa") { Content = HttpAssertions.Json(body) };
            request.Headers.Host = "evil" + i + "." + string.Join(".", Enumerable.Repeat(new string('h', 60), 30)) + ".example";
            var response = await client.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            using var card = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            card.RootElement.GetProperty("cards")[0].GetProperty("links")[0].GetProperty("url").GetString()
                .Should().StartWith("https://cds.example.org/api/summary?");
            var cards = memo.Current.CardAnswers;
            bytesAfterFirst ??= cards.Bytes + cards.SeenOnceBytes;
            (cards.Bytes + cards.SeenOnceBytes).Should().BeLessThan(64 * 1024, "one chart, one key, whatever the Host");
        }
    }

    [Fact]
    public async Task Outside_development_the_service_refuses_to_start_without_a_public_base_url()
    {
        var outcome = await ServiceProcess.RunAsync(
            new Dictionary<string, string> { ["RuleStore__Path"] = RepositoryPaths.BuiltStore, ["CdsHooks__PublicBaseUrl"] = "" },
            TimeSpan.FromSeconds(60));

        outcome.Exited.Should().BeTrue();
        outcome.ExitCode.Should().Be(1);
        outcome.Output.Should().Contain("CdsHooks:PublicBaseUrl is required").And.NotContain("   at ");
    }
}
