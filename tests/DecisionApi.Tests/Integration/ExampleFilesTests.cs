using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DecisionApi.Features.Documentation;
using DecisionApi.RuleStore.Content;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Integration;

/// <summary>
/// docs/examples holds the examples once: the OpenAPI document shows them, docs/decision-api.http sends them, the README
/// and the tests post the same profile; the response example is a short fixed excerpt in the answer shape of issue #23
/// item 1, whose ids exist in the store.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed partial class ExampleFilesTests(DecisionApiFactory factory)
{
    private static readonly string HttpFile = Path.Combine(RepositoryPaths.Root, "docs", "decision-api.http");

    [Fact]
    public async Task The_documents_examples_are_the_files()
    {
        var document = await ProductionDocument.GetAsync(factory);
        var paths = document["paths"]!;
        void Same(JsonNode examples, IEnumerable<ApiExamples.Example> expected)
        {
            examples.AsObject().Select(e => e.Key).Should().Equal(expected.Select(e => e.Name));
            foreach (var example in expected)
            {
                JsonNode.DeepEquals(examples[example.Name]!["value"], ExampleFiles.Json(example.File)).Should().BeTrue($"{example.Name} is docs/examples/{example.File}");
                examples[example.Name]!["summary"]!.GetValue<string>().Should().Be(example.Summary);
            }
        }

        Same(paths["/v1/evaluations"]!["post"]!["requestBody"]!["content"]!["application/json"]!["examples"]!, ApiExamples.EvaluationRequests);
        Same(paths["/cds-services/{id}"]!["post"]!["requestBody"]!["content"]!["application/json"]!["examples"]!, ApiExamples.CdsRequests);
        Same(paths["/cds-services/{id}/feedback"]!["post"]!["requestBody"]!["content"]!["application/json"]!["examples"]!, ApiExamples.CdsFeedback);
        var response = paths["/v1/evaluations"]!["post"]!["responses"]!["200"]!["content"]!["application/json"]!["example"]!;
        JsonNode.DeepEquals(response, ApiExamples.EvaluationResponse()).Should().BeTrue();
        Directory.EnumerateFiles(ExampleFiles.Folder, "*.json").Select(Path.GetFileName).Should().BeEquivalentTo(ApiExamples.Files, "every file is used, and embedded");
    }

    [Fact]
    public void The_http_file_sends_the_example_files()
    {
        var http = File.ReadAllText(HttpFile);
        var referenced = FileReference().Matches(http).Select(m => m.Groups["file"].Value).ToList();
        referenced.Should().Contain([ApiExamples.EvaluationRequestFile, "cds.order-sign.request.json", "cds.feedback.overridden.json"]);
        referenced.Should().OnlyContain(file => File.Exists(Path.Combine(ExampleFiles.Folder, file)), "each body the .http file names is in docs/examples");
        referenced.Should().OnlyContain(file => ApiExamples.Files.Contains(file), "the .http file sends only examples the document shows");

        // No inline body restates an example: a JSON body written in the file is none of the example files.
        var examples = ApiExamples.Files.Select(ExampleFiles.Json).ToList();
        foreach (var body in InlineBody().Matches(http).Select(m => JsonNode.Parse(m.Groups["body"].Value)))
        {
            examples.Should().NotContain(e => JsonNode.DeepEquals(e, body), "an example is referenced from docs/examples, not copied");
        }
    }

    [Fact]
    public async Task The_README_posts_the_example_profile()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "README.md"));
        var body = ReadmeCurlBody().Match(readme[readme.IndexOf("## Example", StringComparison.Ordinal)..]);
        body.Success.Should().BeTrue();
        JsonNode.DeepEquals(JsonNode.Parse(body.Groups["body"].Value), ExampleFiles.Json(ApiExamples.EvaluationRequestFile)).Should().BeTrue(
            "the README example is docs/examples/evaluation.request.json");
    }

    [Fact]
    public async Task Each_evaluation_example_gets_the_category_its_summary_names()
    {
        var client = factory.CreateClient();
        foreach (var example in ApiExamples.EvaluationRequests)
        {
            var response = await client.PostAsync("/v1/evaluations", HttpAssertions.Json(ExampleFiles.Json(example.File).ToJsonString()));
            response.StatusCode.Should().Be(HttpStatusCode.OK, example.Name);
            var category = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["assessment"]!["category"]!.GetValue<string>();
            if (Vocab.Categories.Any(c => example.Summary.Contains($"({c})", StringComparison.Ordinal)))
            {
                example.Summary.Should().Contain($"({category})", example.Name);
            }
        }
    }

    /// <summary>The file is written in the new answer shape; what can be checked without that shape being served is.</summary>
    [Fact]
    public async Task The_response_example_is_a_short_excerpt_of_the_README_answer_with_every_source_once()
    {
        var file = Path.Combine(ExampleFiles.Folder, ApiExamples.EvaluationResponseFile);
        new FileInfo(file).Length.Should().BeLessThan(12_000, "the example is a short excerpt, not a whole answer");
        var example = ExampleFiles.Json(ApiExamples.EvaluationResponseFile).AsObject();
        example.Select(p => p.Key).Should().Equal(
            "assessment", "caveats", "evidence", "safety", "claimChecks", "conventionalOptions", "inputs", "ruleStore", "sources");

        // Every source is listed once, and is cited; every cited id is listed.
        var sources = example["sources"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).ToList();
        sources.Should().OnlyHaveUniqueItems();
        var cited = CitedIds(example).ToList();
        cited.Should().NotBeEmpty();
        cited.Distinct().Should().BeEquivalentTo(sources);
        example.ToJsonString().Should().NotContain("\"trace\"", "the trace is sent only on request");
        example.Where(p => p.Key != "sources").Select(p => p.Value).Should().NotContain(v => v!.ToJsonString().Contains("\"sources\"", StringComparison.Ordinal),
            "items name their sources by id only");

        // Its ids exist in the store, and its items are among the live answer's for the README profile.
        var store = BuiltStore.Snapshot;
        sources.Should().OnlyContain(id => store.SourcesById.ContainsKey(id));
        var response = await factory.CreateClient().PostAsync("/v1/evaluations", HttpAssertions.Json(ExampleFiles.ReadmeProfile));
        var live = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        example["assessment"]!["category"]!.GetValue<string>().Should().Be(live["assessment"]!["category"]!.GetValue<string>()).And.BeOneOf(Vocab.Categories);
        example["assessment"]!["ruleId"]!.GetValue<string>().Should().Be(live["assessment"]!["ruleId"]!.GetValue<string>());
        foreach (var section in new[] { "caveats", "evidence", "safety", "claimChecks", "conventionalOptions" })
        {
            var liveIds = live[section]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToList();
            example[section]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).Should().BeSubsetOf(liveIds, section);
        }

        JsonNode.DeepEquals(example["inputs"], live["inputs"]).Should().BeTrue("the excerpt's inputs are the README profile's");
    }

    private static IEnumerable<string> CitedIds(JsonNode? node) => node switch
    {
        JsonObject item => item.Where(p => p.Key != "sources").SelectMany(p => p.Key == "sourceIds"
            ? p.Value!.AsArray().Select(id => id!.GetValue<string>())
            : CitedIds(p.Value)),
        JsonArray list => list.SelectMany(CitedIds),
        _ => [],
    };

    [GeneratedRegex(@"^< \./examples/(?<file>[A-Za-z0-9._-]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex FileReference();

    [GeneratedRegex(@"^(?<body>\{.*\})\s*$", RegexOptions.Multiline)]
    private static partial Regex InlineBody();

    [GeneratedRegex(@"-d '(?<body>\{[^']*\})'")]
    private static partial Regex ReadmeCurlBody();
}
