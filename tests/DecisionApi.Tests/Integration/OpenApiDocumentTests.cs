using System.Text.Json;
using System.Text.Json.Nodes;
using DecisionApi.Tests.Support;
using Microsoft.AspNetCore.Hosting;

namespace DecisionApi.Tests.Integration;

/// <summary>
/// The served OpenAPI document must equal the committed openapi/decision-api.v1.json. To regenerate the file after an
/// intended API change: UPDATE_OPENAPI=1 dotnet test --filter OpenApiDocumentTests
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class OpenApiDocumentTests(DecisionApiFactory factory)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The document as Production serves it (keys and CDS Hooks JWTs on): the committed contract.</summary>
    private Task<JsonNode> ServedDocument() => ProductionDocument.GetAsync(factory);

    [Fact]
    public async Task In_development_the_document_says_no_credential_is_needed()
    {
        using var development = factory.WithWebHostBuilder(b => b.UseEnvironment("Development")
            .UseSetting("ApiKeys:Enabled", null).UseSetting("CdsHooks:Authentication:Enabled", null));
        var document = JsonNode.Parse(await development.CreateClient().GetStringAsync("/swagger/v1/swagger.json"))!;
        document["servers"]![0]!["description"]!.GetValue<string>().Should().StartWith("Development:");
        var tags = document["tags"]!.AsArray().ToDictionary(t => t!["name"]!.GetValue<string>(), t => t!["description"]!.GetValue<string>());
        tags["Evaluations"].Should().Contain("No X-Api-Key is needed here").And.NotContain("Needs an X-Api-Key");
        tags["CDS Hooks"].Should().Contain("No JWT is needed here");
        var evaluate = document["paths"]!["/v1/evaluations"]!["post"]!;
        evaluate["security"]!.AsArray().Should().BeEmpty("no lock in Swagger UI where keys are off");
        evaluate["responses"]!.AsObject().Select(r => r.Key).Should().NotContain("401");

        var production = await ServedDocument();
        production["servers"]![0]!["description"]!.GetValue<string>().Should().StartWith("Production:");
        production["paths"]!["/v1/evaluations"]!["post"]!["security"]!.AsArray().Should().ContainSingle();
        production["tags"]!.AsArray().Should().Contain(t => t!["description"]!.GetValue<string>().Contains("Needs an X-Api-Key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Served_document_matches_the_committed_file()
    {
        var served = (await ServedDocument()).ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(RepositoryPaths.OpenApiDocument)!);
            await File.WriteAllTextAsync(RepositoryPaths.OpenApiDocument, served);
        }

        File.Exists(RepositoryPaths.OpenApiDocument).Should().BeTrue("openapi/decision-api.v1.json is committed");
        var committed = (await File.ReadAllTextAsync(RepositoryPaths.OpenApiDocument)).ReplaceLineEndings("\n");
        committed.Should().Be(served, "the committed OpenAPI document is stale: run UPDATE_OPENAPI=1 dotnet test --filter OpenApiDocumentTests");
    }

    [Fact]
    public async Task Every_operation_is_named_summarised_and_described()
    {
        var document = await ServedDocument();
        document["info"]!["title"]!.GetValue<string>().Should().Be("DecisionApi");
        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => (Name: $"{op.Key} {path.Key}", Operation: op.Value!)))
            .ToList();
        operations.Should().HaveCountGreaterThanOrEqualTo(11);
        foreach (var (name, operation) in operations)
        {
            operation["operationId"]?.GetValue<string>().Should().NotBeNullOrWhiteSpace(name);
            operation["summary"]?.GetValue<string>().Should().NotBeNullOrWhiteSpace(name);
            operation["description"]?.GetValue<string>().Should().NotBeNullOrWhiteSpace(name);
        }
    }

    [Fact]
    public async Task The_evaluation_request_has_named_examples_and_described_fields()
    {
        var document = await ServedDocument();
        var post = document["paths"]!["/v1/evaluations"]!["post"]!;
        var examples = post["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();
        examples.Select(e => e.Key).Should().Contain(["typical-kl3", "kl4-advanced", "replaced-knee", "nothing-tried"]);
        post["responses"]!.AsObject().Select(r => r.Key).Should().Contain(["200", "400", "413", "415"]);

        var request = document["components"]!["schemas"]!["EvaluationRequest"]!;
        foreach (var field in new[] { "age", "klGrade", "priorTreatments", "bmi", "conditions", "jurisdiction" })
        {
            request["properties"]![field]!["description"]?.GetValue<string>().Should().NotBeNullOrWhiteSpace(field);
        }

        request["required"]!.AsArray().Select(r => r!.GetValue<string>()).Should().BeEquivalentTo(["age", "klGrade", "priorTreatments"]);
        var result = document["components"]!["schemas"]!["EvaluationResult"]!;
        result["properties"]!["caveats"]!["description"]?.GetValue<string>().Should().Contain("ACR/AF");
    }

    [Fact]
    public async Task Every_example_evaluates_successfully()
    {
        var document = await ServedDocument();
        var examples = document["paths"]!["/v1/evaluations"]!["post"]!["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();
        var client = factory.CreateClient();
        foreach (var (name, example) in examples)
        {
            var response = await client.PostAsync("/v1/evaluations", HttpAssertions.Json(example!["value"]!.ToJsonString()));
            response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, name);
        }
    }
}
