using System.Text.Json.Nodes;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Contract;

/// <summary>
/// openapi-typescript generates types from the committed document and `tsc --strict` compiles the portal module
/// (tests/tools/portal/portal.ts) against them; a document that drops a field the portal reads must fail to compile.
/// </summary>
public sealed class TypedClientTests
{
    private static readonly SemaphoreSlim Serial = new(1, 1);

    private static (int Code, string Output) Compile(string documentPath)
    {
        var bin = ExternalTools.NodeTools.Path!;
        var portal = Path.Combine(ExternalTools.NodeToolsFolder, "portal");
        var generated = Path.Combine(portal, "generated", "decision-api.ts");
        var (genCode, genOutput) = ExternalTools.Run(Path.Combine(bin, "openapi-typescript"), [documentPath, "--output", generated]);
        genCode.Should().Be(0, genOutput);
        return ExternalTools.Run(Path.Combine(bin, "tsc"), ["-p", "tsconfig.json", "--strict"], portal);
    }

    [SkippableFact]
    public async Task The_portal_module_compiles_strictly_against_the_committed_document_and_breaks_when_a_field_is_dropped()
    {
        var tools = ExternalTools.NodeTools;
        Skip.If(tools.Path is null, tools.Why);
        await Serial.WaitAsync();
        try
        {
            var (code, output) = Compile(RepositoryPaths.OpenApiDocument);
            code.Should().Be(0, output);
            File.ReadAllText(Path.Combine(ExternalTools.NodeToolsFolder, "portal", "generated", "decision-api.ts"))
                .Should().Contain("category: string;").And.Contain("headline: string;");

            var document = JsonNode.Parse(File.ReadAllText(RepositoryPaths.OpenApiDocument))!;
            var assessment = document["components"]!["schemas"]!["AssessmentResult"]!;
            assessment["properties"]!.AsObject().Remove("headline");
            var mutated = Path.Combine(Path.GetTempPath(), $"decision-api-mutated-{Guid.NewGuid():N}.json");
            File.WriteAllText(mutated, document.ToJsonString());
            try
            {
                var (brokenCode, brokenOutput) = Compile(mutated);
                brokenCode.Should().NotBe(0, "dropping a field the portal reads must fail the compilation");
                brokenOutput.Should().Contain("headline");
            }
            finally
            {
                File.Delete(mutated);
                Compile(RepositoryPaths.OpenApiDocument);
            }
        }
        finally
        {
            Serial.Release();
        }
    }
}
