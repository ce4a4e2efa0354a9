using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DecisionApi.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DecisionApi.Tests.CdsHooks.Security;

/// <summary>The real service with a trusted test EHR, in the Testing environment, under a few configurations.</summary>
public sealed class CdsJwtServiceFixture : IDisposable
{
    public const string PublicBaseUrl = "https://cds.example.org";

    private readonly DecisionApiFactory root = new();

    public CdsJwtServiceFixture()
    {
        Secured = With(("CdsHooks:Authentication:Enabled", "true"));
        DefaultAuthentication = With();
        BehindProxy = With(("CdsHooks:Authentication:Enabled", "true"), ("CdsHooks:PublicBaseUrl", PublicBaseUrl));
        Open = With(("CdsHooks:Authentication:Enabled", "false"));
    }

    public JwtTestIssuer Ehr { get; } = new();

    /// <summary>Authentication:Enabled true, audiences from the request URL (http://localhost).</summary>
    public WebApplicationFactory<Program> Secured { get; }

    /// <summary>Authentication:Enabled unset, in the Testing environment: on.</summary>
    public WebApplicationFactory<Program> DefaultAuthentication { get; }

    /// <summary>Authentication on with PublicBaseUrl https://cds.example.org.</summary>
    public WebApplicationFactory<Program> BehindProxy { get; }

    /// <summary>Authentication:Enabled false.</summary>
    public WebApplicationFactory<Program> Open { get; }

    private WebApplicationFactory<Program> With(params (string Key, string Value)[] settings) =>
        root.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("CdsHooks:Clients:0:Issuer", Ehr.Issuer);
            builder.UseSetting("CdsHooks:Clients:0:JwksPath", Ehr.JwksPath);
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });

    public void Dispose()
    {
        root.Dispose();
        Ehr.Dispose();
    }
}

public sealed class CdsJwtEndpointTests(CdsJwtServiceFixture service) : IClassFixture<CdsJwtServiceFixture>
{
    private const string LocalDiscovery = "http://localhost/cds-services";

    private JwtTestIssuer Ehr => service.Ehr;

    private static async Task<HttpResponseMessage> Send(WebApplicationFactory<Program> factory, HttpMethod method, string path, string? token, string? body = null)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request);
    }

    private static Task<HttpResponseMessage> Discover(WebApplicationFactory<Program> factory, string? token) =>
        Send(factory, HttpMethod.Get, "/cds-services", token);

    private static async Task ShouldBeBare401(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).Should().BeEmpty("a failed JWT check answers without any additional information");
        response.Content.Headers.ContentType.Should().BeNull();
        response.Headers.WwwAuthenticate.Should().ContainSingle(h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task Discovery_without_a_token_is_a_bare_401() =>
        await ShouldBeBare401(await Discover(service.Secured, null));

    [Fact]
    public async Task Authentication_is_on_by_default_outside_Development() =>
        await ShouldBeBare401(await Discover(service.DefaultAuthentication, null));

    [Fact]
    public async Task Discovery_with_a_valid_ES384_token_is_200()
    {
        var response = await Discover(service.Secured, Ehr.Es384(audience: LocalDiscovery));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Contain("\"services\"");
    }

    [Fact]
    public async Task Discovery_with_a_valid_RS384_token_is_200() =>
        (await Discover(service.Secured, Ehr.Rs384(audience: LocalDiscovery))).StatusCode.Should().Be(HttpStatusCode.OK);

    [Fact]
    public async Task Discovery_with_a_wrong_audience_is_401() =>
        await ShouldBeBare401(await Discover(service.Secured, Ehr.Es384(audience: "http://localhost/cds-services/msc-knee-oa")));

    [Fact]
    public async Task Discovery_with_alg_none_is_401() =>
        await ShouldBeBare401(await Discover(service.Secured, Ehr.AlgNone(audience: LocalDiscovery)));

    [Fact]
    public async Task A_replayed_token_is_401()
    {
        var token = Ehr.Es384(audience: LocalDiscovery);

        (await Discover(service.Secured, token)).StatusCode.Should().Be(HttpStatusCode.OK);
        await ShouldBeBare401(await Discover(service.Secured, token));
    }

    [Fact]
    public async Task Behind_a_proxy_the_audience_is_the_public_URL()
    {
        (await Discover(service.BehindProxy, Ehr.Es384(audience: CdsJwtServiceFixture.PublicBaseUrl + "/cds-services")))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        await ShouldBeBare401(await Discover(service.BehindProxy, Ehr.Es384(audience: LocalDiscovery)));
    }

    [Fact]
    public async Task With_authentication_disabled_no_token_is_needed() =>
        (await Discover(service.Open, null)).StatusCode.Should().Be(HttpStatusCode.OK);

    [Fact]
    public async Task A_service_call_without_a_token_is_a_bare_401_before_the_body_is_read() =>
        await ShouldBeBare401(await Send(service.Secured, HttpMethod.Post, "/cds-services/msc-knee-oa", null, "{ not json"));

    [Fact]
    public async Task A_service_call_with_the_discovery_audience_is_401() =>
        await ShouldBeBare401(await Send(service.Secured, HttpMethod.Post, "/cds-services/msc-knee-oa", Ehr.Es384(audience: LocalDiscovery), "{}"));

    [Fact]
    public async Task A_service_call_with_its_own_audience_passes_the_JWT_check()
    {
        var response = await Send(service.Secured, HttpMethod.Post, "/cds-services/msc-knee-oa", Ehr.Es384(audience: LocalDiscovery + "/msc-knee-oa"), "{}");

        response.StatusCode.Should().NotBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData(LocalDiscovery + "/msc-knee-oa/feedback")]
    [InlineData(LocalDiscovery + "/msc-knee-oa")]
    public async Task Feedback_accepts_the_feedback_or_the_service_URL_as_audience(string audience)
    {
        var response = await Send(service.Secured, HttpMethod.Post, "/cds-services/msc-knee-oa/feedback", Ehr.Es384(audience: audience), """{"feedback":[]}""");

        response.StatusCode.Should().NotBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Feedback_with_the_discovery_audience_is_401() =>
        await ShouldBeBare401(await Send(service.Secured, HttpMethod.Post, "/cds-services/msc-knee-oa/feedback", Ehr.Es384(audience: LocalDiscovery), """{"feedback":[]}"""));
}
