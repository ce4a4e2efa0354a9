using System.Text.Json;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Contract;

/// <summary>
/// The committed document passes Spectral (spectral:oas and the OWASP ruleset, openapi/.spectral.yaml) and Redocly's
/// recommended rules (redocly.yaml) with zero errors, using the pinned tools of tests/tools. Skipped, with the reason,
/// when npm cannot install them.
/// </summary>
public sealed class OpenApiLintTests
{
    private static string Bin(string tool) => Path.Combine(ExternalTools.NodeTools.Path!, tool);

    [SkippableFact]
    public void Spectral_oas_and_owasp_report_zero_errors()
    {
        var tools = ExternalTools.NodeTools;
        Skip.If(tools.Path is null, tools.Why);
        var (code, output) = ExternalTools.Run(Bin("spectral"),
            ["lint", "--ruleset", "openapi/.spectral.yaml", "--format", "json", "--quiet", "--fail-severity", "error", RepositoryPaths.OpenApiDocument]);
        var json = output[output.IndexOf('[', StringComparison.Ordinal)..];
        var results = JsonDocument.Parse(json).RootElement.EnumerateArray().ToList();
        var errors = results.Where(r => r.GetProperty("severity").GetInt32() == 0)
            .Select(r => $"{r.GetProperty("code").GetString()} at {string.Join('/', r.GetProperty("path").EnumerateArray().Select(p => p.ToString()))}: {r.GetProperty("message").GetString()}")
            .ToList();
        errors.Should().BeEmpty();
        code.Should().Be(0, output);
    }

    [SkippableFact]
    public void Spectral_runs_the_owasp_rules_so_a_document_without_security_fails()
    {
        var tools = ExternalTools.NodeTools;
        Skip.If(tools.Path is null, tools.Why);
        var document = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(RepositoryPaths.OpenApiDocument))!;
        document["components"]!.AsObject().Remove("securitySchemes");
        foreach (var (_, item) in document["paths"]!.AsObject())
        {
            foreach (var (_, operation) in item!.AsObject())
            {
                operation!.AsObject().Remove("security");
            }
        }

        var copy = Path.Combine(RepositoryPaths.Root, "openapi", $"lint-probe-{Guid.NewGuid():N}.json");
        File.WriteAllText(copy, document.ToJsonString());
        try
        {
            var (code, output) = ExternalTools.Run(Bin("spectral"), ["lint", "--ruleset", "openapi/.spectral.yaml", "--format", "text", copy]);
            code.Should().NotBe(0);
            output.Should().Contain("owasp:api2:2023-write-restricted");
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [SkippableFact]
    public void Redocly_recommended_reports_zero_errors()
    {
        var tools = ExternalTools.NodeTools;
        Skip.If(tools.Path is null, tools.Why);
        var (code, output) = ExternalTools.Run(Bin("redocly"), ["lint", "--config", "redocly.yaml", "--format", "stylish", RepositoryPaths.OpenApiDocument]);
        output.Should().NotContain("error", "Redocly must report zero errors");
        code.Should().Be(0, output);
    }
}
