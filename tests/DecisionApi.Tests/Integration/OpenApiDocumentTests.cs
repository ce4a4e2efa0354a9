using System.Text.Json;
using System.Text.Json.Nodes;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Integration;

/// <summary>
/// The served OpenAPI document must equal the committed openapi/decision-api.v1.json. To regenerate the file after an
/// intended API change: UPDATE_OPENAPI=1 dotnet test --filter OpenApiDocumentTests
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class OpenApiDocumentTests(DecisionApiFactory factory)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private async Task<JsonNode> ServedDocument()
    {
        var text = await factory.CreateClient().GetStringAsync("/swagger/v1/swagger.json");
        return JsonNode.Parse(text)!;
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
