using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Contract;

/// <summary>The served document says what the API enforces, and its examples work against the real service.</summary>
[Collection(ApiTestGroup.Name)]
public sealed class OpenApiContractTests(DecisionApiFactory factory)
{
    private Task<JsonNode> Document() => ProductionDocument.GetAsync(factory);

    private static IEnumerable<(string Name, JsonNode Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => ($"{o.Key} {p.Key}", o.Value!)));

    [Fact]
    public async Task Security_is_declared_per_operation_with_401_and_429_bodies()
    {
        var document = await Document();
        var schemes = document["components"]!["securitySchemes"]!;
        schemes["ApiKey"]!["type"]!.GetValue<string>().Should().Be("apiKey");
        schemes["ApiKey"]!["name"]!.GetValue<string>().Should().Be("X-Api-Key");
        schemes["CdsHooksJwt"]!["scheme"]!.GetValue<string>().Should().Be("bearer");
        schemes["CdsHooksJwt"]!["bearerFormat"]!.GetValue<string>().Should().Be("JWT");
        foreach (var (name, operation) in Operations(document))
        {
            var security = operation["security"]!.AsArray();
            var responses = operation["responses"]!.AsObject();
            if (name.Contains(" /v1/", StringComparison.Ordinal))
            {
                security.Single()!.AsObject().Single().Key.Should().Be("ApiKey", name);
                responses["401"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>().Should().EndWith("/ProblemDetails", name);
                responses["429"]!["content"]!["application/problem+json"].Should().NotBeNull(name);
            }
            else if (name.Contains(" /cds-services", StringComparison.Ordinal))
            {
                security.Single()!.AsObject().Single().Key.Should().Be("CdsHooksJwt", name);
                responses["429"]!["content"]!["application/fhir+json"]!["schema"]!["$ref"]!.GetValue<string>().Should().EndWith("/OperationOutcome", name);
            }
            else
            {
                security.Should().BeEmpty(name);
                continue;
            }

            responses["429"]!["headers"]!["Retry-After"].Should().NotBeNull(name);
            if (name.StartsWith("post", StringComparison.Ordinal))
            {
                responses.Select(r => r.Key).Should().Contain(["413", "415"], name);
            }
        }

        document["paths"]!["/health/ready"]!["get"]!["responses"]!["503"]!["content"]!["application/json"]!["schema"]!["$ref"]!
            .GetValue<string>().Should().EndWith("/HealthResponse");
        document["info"]!["license"]!["name"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
        document["info"]!["contact"]!["email"]!.GetValue<string>().Should().Contain("@");
        document["servers"]!.AsArray().Should().NotBeEmpty();
        document["tags"]!.AsArray().Should().OnlyContain(t => !string.IsNullOrWhiteSpace(t!["description"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Request_ranges_and_codes_match_what_the_api_validates()
    {
        var document = await Document();
        var request = document["components"]!["schemas"]!["EvaluationRequest"]!["properties"]!;
        request["age"]!["minimum"]!.GetValue<int>().Should().Be(18);
        request["age"]!["maximum"]!.GetValue<int>().Should().Be(120);
        request["klGrade"]!["minimum"]!.GetValue<int>().Should().Be(0);
        request["klGrade"]!["maximum"]!.GetValue<int>().Should().Be(4);
        request["bmi"]!["minimum"]!.GetValue<int>().Should().Be(10);
        request["jurisdiction"]!["pattern"]!.GetValue<string>().Should().Be("^[A-Za-z]{2}$");

        var client = factory.CreateClient();
        foreach (var (field, vocabulary) in new[] { ("priorTreatments", "/v1/treatments"), ("conditions", "/v1/conditions") })
        {
            using var served = JsonDocument.Parse(await client.GetStringAsync(vocabulary));
            var codes = served.RootElement.EnumerateArray().Select(v => v.GetProperty("code").GetString()).ToList();
            request[field]!["items"]!["x-extensible-enum"]!.AsArray().Select(c => c!.GetValue<string>()).Should().Equal(codes, field);
            request[field]!["maxItems"]!.GetValue<int>().Should().Be(codes.Count * 2, field);
        }

        // What the schema allows at its edges the API accepts; one step outside it, the API rejects.
        (await client.PostAsync("/v1/evaluations", HttpAssertions.Json("""{"age":18,"klGrade":4,"priorTreatments":[],"bmi":90}"""))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsync("/v1/evaluations", HttpAssertions.Json("""{"age":17,"klGrade":4,"priorTreatments":[]}"""))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await client.PostAsync("/v1/evaluations", HttpAssertions.Json("""{"age":62,"klGrade":5,"priorTreatments":[]}"""))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Response_schemas_require_what_the_api_always_sends_and_list_the_vocabulary_as_extensible()
    {
        var document = await Document();
        var schemas = document["components"]!["schemas"]!;
        string[] Required(string schema) => [.. schemas[schema]!["required"]!.AsArray().Select(r => r!.GetValue<string>())];
        string[] Enum(string schema, string property)
        {
            // Content-driven values grow with the store: a plain string listing the current values, never a closed enum.
            var prop = schemas[schema]!["properties"]![property]!;
            prop["enum"].Should().BeNull($"{schema}.{property} grows with the rule store");
            prop["type"]!.GetValue<string>().Should().Be("string");
            prop["description"]!.GetValue<string>().Should().Contain("Grows with the rule store");
            return [.. prop["x-extensible-enum"]!.AsArray().Select(v => v!.GetValue<string>())];
        }


        Required("EvaluationResult").Should().Contain(["assessment", "caveats", "evidence", "safety", "claimChecks", "conventionalOptions", "inputs", "trace", "ruleStore"]);
        Required("AssessmentResult").Should().Contain(["category", "headline", "rationale", "sources"]);
        Required("Source").Should().Contain(["id", "citation", "year", "kind", "verification"]).And.NotContain("pmid");
        Enum("AssessmentResult", "category").Should().Contain("investigational-only").And.NotContain("recommended");
        Enum("EvidenceItem", "certainty").Should().Contain(["high", "moderate", "low", "very-low"]);
        Enum("ClaimCheckItem", "verdict").Should().Contain("not-established");
        Enum("ConventionalOption", "strength").Should().Contain("strong-against");
        Enum("CaveatItem", "severity").Should().Contain("critical");
        Enum("EvidenceItem", "direction").Should().Contain("against-msc");
        Enum("EvidenceItem", "topic").Should().Contain("efficacy");
        Enum("CodeMapping", "verification").Should().Equal("verified", "secondary");
        Enum("Source", "kind").Should().Contain("systematic-review");
        Enum("ConventionalOption", "treatment").Should().Contain("exercise-therapy");
        Enum("RecognitionView", "kind").Should().Contain("medication-code");

        // No enum anywhere holds null (validating proxies reject such a schema; Kiota makes a junk member of it), and
        // the closed enums left are the standards' vocabularies.
        var closed = new List<string>();
        void Walk(JsonNode? node, string at)
        {
            if (node is JsonObject o)
            {
                if (o["enum"] is JsonArray values)
                {
                    values.Should().NotContainNulls(at);
                    values.Should().OnlyContain(v => !v!.GetValue<string>().Contains('-'), $"{at}: a generated C# enum (NSwag, System.Text.Json) cannot read or write a hyphenated value");
                    closed.Add(at);
                }

                foreach (var (key, value) in o)
                {
                    Walk(value, at + "/" + key);
                }
            }
            else if (node is JsonArray a)
            {
                foreach (var item in a)
                {
                    Walk(item, at);
                }
            }
        }

        Walk(document["components"], "#/components");
        closed.Should().BeEquivalentTo(
            "#/components/schemas/CdsCard/properties/indicator",
            "#/components/schemas/OperationOutcome/properties/resourceType",
            "#/components/schemas/OperationOutcomeIssue/properties/severity");
        schemas["ProblemDetails"]!["properties"]!["traceId"]!["type"]!.GetValue<string>().Should().Be("string");
        schemas["HttpValidationProblemDetails"]!["properties"]!["traceId"]!["type"]!.GetValue<string>().Should().Be("string");
        document["paths"]!["/v1/evaluations"]!["post"]!["responses"]!["200"]!["headers"]!["Content-Language"].Should().NotBeNull();
        foreach (var open in new[] { schemas["CdsHooksRequest"]!["properties"]!["prefetch"]!, schemas["CdsHooksRequest"]!["properties"]!["context"]!, schemas["CdsHooksRequest"]!["properties"]!["context"]!["properties"]!["draftOrders"]! })
        {
            open["additionalProperties"].Should().NotBeNull("a free-form request object must say it takes any property, or TypeScript types it as taking none");
        }
        schemas.AsObject().Where(s => s.Key is not ("EvaluationRequest" or "CdsHooksRequest" or "CdsFeedback")).Should().OnlyContain(s => s.Value!["additionalProperties"] == null || s.Value["additionalProperties"]!.GetValueKind() != JsonValueKind.False,
            "adding a response field must stay non-breaking");

        // The response example is a short, fixed excerpt (docs/examples/evaluation.response.json), not computed from the
        // live store; ExampleFilesTests checks it against the store and the live answer's categories.
        var example = document["paths"]!["/v1/evaluations"]!["post"]!["responses"]!["200"]!["content"]!["application/json"]!["example"]!;
        JsonNode.DeepEquals(example, DecisionApi.Features.Documentation.ApiExamples.EvaluationResponse()).Should().BeTrue();
        example["assessment"]!["category"]!.GetValue<string>().Should().Be("investigational-only");
    }

    [Fact]
    public async Task Every_cds_hooks_example_can_be_tried_with_the_default_service_id()
    {
        var document = await Document();
        var call = document["paths"]!["/cds-services/{id}"]!["post"]!;
        var id = call["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "id")!["schema"]!["default"]!.GetValue<string>();
        id.Should().Be("msc-knee-oa-order-sign");
        var client = factory.WithWebHostBuilder(b => b.UseSetting("CdsHooks:Authentication:Enabled", "false")).CreateClient();
        string? cardUuid = null;
        foreach (var (name, example) in call["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject())
        {
            var target = name.StartsWith("order-select", StringComparison.Ordinal) ? "msc-knee-oa-order-select" : id;
            var response = await client.PostAsync($"/cds-services/{target}", HttpAssertions.Json(example!["value"]!.ToJsonString()));
            var body = await response.Content.ReadAsStringAsync();
            response.StatusCode.Should().Be(HttpStatusCode.OK, $"{name}: {body}");
            var cards = JsonNode.Parse(body)!["cards"]!.AsArray();
            cards.Should().HaveCount(name.EndsWith("-msc", StringComparison.Ordinal) ? 1 : 0, name);
            cardUuid ??= cards.FirstOrDefault()?["uuid"]!.GetValue<string>();
        }

        cardUuid.Should().NotBeNull();
        var feedback = document["paths"]!["/cds-services/{id}/feedback"]!["post"]!["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();
        feedback.Select(f => f.Key).Should().Contain(["overridden", "overridden-comment"]);
        foreach (var (name, example) in feedback)
        {
            var response = await client.PostAsync($"/cds-services/{id}/feedback", HttpAssertions.Json(example!["value"]!.ToJsonString()));
            response.StatusCode.Should().Be(HttpStatusCode.OK, $"{name}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
