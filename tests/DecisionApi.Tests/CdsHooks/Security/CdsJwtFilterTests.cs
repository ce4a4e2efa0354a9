using DecisionApi.Features.CdsHooks;
using DecisionApi.Features.CdsHooks.Security;
using Microsoft.AspNetCore.Http;

namespace DecisionApi.Tests.CdsHooks.Security;

public sealed class CdsJwtFilterTests
{
    private static HttpRequest Request(string path, string host = "localhost", string scheme = "http", string pathBase = "")
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = scheme;
        context.Request.Host = new HostString(host);
        context.Request.PathBase = new PathString(pathBase);
        context.Request.Path = new PathString(path);
        return context.Request;
    }

    [Fact]
    public void The_audience_is_the_request_URL_without_a_public_base() =>
        CdsJwtAuthenticationHandler.AcceptedAudiences(Request("/cds-services"), null)
            .Should().Equal("http://localhost/cds-services");

    [Fact]
    public void The_request_audience_keeps_port_and_path_base() =>
        CdsJwtAuthenticationHandler.AcceptedAudiences(Request("/cds-services/msc-knee-oa", "cds.local:8443", "https", "/api"), null)
            .Should().Equal("https://cds.local:8443/api/cds-services/msc-knee-oa");

    [Theory]
    [InlineData("https://cds.example.org")]
    [InlineData("https://cds.example.org/")]
    public void The_public_base_URL_replaces_the_request_origin(string publicBase) =>
        CdsJwtAuthenticationHandler.AcceptedAudiences(Request("/cds-services/msc-knee-oa", "10.0.0.5:8080", "http", "/internal"), publicBase)
            .Should().Equal("https://cds.example.org/cds-services/msc-knee-oa");

    [Fact]
    public void A_feedback_call_also_accepts_the_service_URL() =>
        CdsJwtAuthenticationHandler.AcceptedAudiences(Request("/cds-services/msc-knee-oa/feedback"), "https://cds.example.org")
            .Should().Equal("https://cds.example.org/cds-services/msc-knee-oa/feedback", "https://cds.example.org/cds-services/msc-knee-oa");

    [Theory]
    [InlineData(null, "Development", false)]
    [InlineData(null, "Production", true)]
    [InlineData(null, "Testing", true)]
    [InlineData(true, "Development", true)]
    [InlineData(false, "Production", false)]
    public void Authentication_defaults_to_on_except_in_Development(bool? configured, string environment, bool expected)
    {
        var options = new CdsHooksOptions();
        options.Authentication.Enabled = configured;

        CdsJwtAuthenticationHandler.IsAuthenticationEnabled(options, new TestHostEnvironment(environment)).Should().Be(expected);
    }
}
