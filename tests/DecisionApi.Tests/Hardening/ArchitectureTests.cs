using DecisionApi.Infrastructure;
using DecisionApi.Tests.CdsHooks;
using DecisionApi.Tests.Support;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DecisionApi.Tests.Hardening;

/// <summary>Issue #22: Infrastructure imports no feature; the clinical route groups declare their policy.</summary>
public sealed class ArchitectureTests(CdsHooksFactory factory) : IClassFixture<CdsHooksFactory>
{
    [Fact]
    public void Infrastructure_refers_to_no_feature_namespace()
    {
        var folder = Path.Combine(RepositoryPaths.Root, "src", "DecisionApi", "Infrastructure");
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs"))
        {
            File.ReadAllText(file).Should().NotContain("DecisionApi.Features", Path.GetFileName(file));
        }
    }

    [Fact]
    public void Every_clinical_endpoint_declares_client_rate_limit_body_limit_and_cache_policy()
    {
        _ = factory.CreateClient();
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } path && (path.StartsWith("/v1", StringComparison.Ordinal) || path.StartsWith("/cds-services", StringComparison.Ordinal)))
            .ToList();

        endpoints.Should().HaveCountGreaterThan(8);
        foreach (var endpoint in endpoints)
        {
            var name = endpoint.RoutePattern.RawText;
            var scheme = endpoint.Metadata.GetMetadata<ClientSchemeMetadata>();
            scheme.Should().NotBeNull(name);
            scheme!.Scheme.Should().Be(name!.StartsWith("/v1", StringComparison.Ordinal) ? ApiKeyAuthenticationHandler.SchemeName : "CdsJwt", name);
            endpoint.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName.Should().Be(RateLimits.ClientPolicy, name);
            endpoint.Metadata.GetMetadata<EnableRateLimitingAttribute>().Should().NotBeNull(name);
            endpoint.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize.Should().BePositive(name);
            endpoint.Metadata.GetMetadata<CacheControlMetadata>()?.Value.Should().Be("no-store", name);
            endpoint.Metadata.GetMetadata<CacheControlMetadata>().Should().NotBeNull(name);
        }
    }
}
