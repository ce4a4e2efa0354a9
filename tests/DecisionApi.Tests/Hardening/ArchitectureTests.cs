using DecisionApi.Infrastructure;
using DecisionApi.Tests.CdsHooks;
using DecisionApi.Tests.Support;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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

/// <summary>Issue #22, minor item: no stack trace below Error (Kestrel's BadRequests category logs at Debug).</summary>
public sealed class LogStackTraceTests
{
    [Theory]
    [InlineData(LogLevel.Debug, false)]
    [InlineData(LogLevel.Warning, false)]
    [InlineData(LogLevel.Error, true)]
    public void Stack_traces_are_written_only_at_error_and_above(LogLevel level, bool withTrace)
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("bad request line");
        }
        catch (InvalidOperationException exception)
        {
            thrown = exception;
        }

        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer, CompactJsonFormatter.WriterOptions))
        {
            CompactJsonFormatter.WriteEntry(json, level, "Microsoft.AspNetCore.Server.Kestrel.BadRequests", new EventId(17), "Bad request", thrown, (s, _) => s);
        }

        var line = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        line.Should().Contain("bad request line");
        line.Contains("   at ", StringComparison.Ordinal).Should().Be(withTrace);
    }
}

/// <summary>Issue #22, minor item: bidi and control characters never reach a log line raw.</summary>
public sealed class LogBidiTests
{
    [Theory]
    [InlineData("\u202e")]
    [InlineData("\u2066")]
    [InlineData("\u001b")]
    public void Bidi_and_control_characters_are_escaped(string character)
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer, CompactJsonFormatter.WriterOptions))
        {
            CompactJsonFormatter.WriteEntry(json, LogLevel.Warning, "Microsoft.AspNetCore.Test", new EventId(1), "value " + character + "evil", null, (s, _) => s);
        }

        System.Text.Encoding.UTF8.GetString(buffer.ToArray()).Should().NotContain(character);
    }
}
