using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DecisionApi.Tests.CdsHooks;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Integration;

/// <summary>
/// The README's examples are the live service's answers: its example request is sent as written and the answer shown is
/// compared with the live one field by field. Only what the README marks as cut is skipped: a value written as "…" (a
/// whole field), and the items after a final "…" in a list (the list then shows the live list's first items).
/// After a content or contract change, <c>DECISIONAPI_REGENERATE_README=1 dotnet test --filter ReadmeExampleTests</c>
/// rewrites the example from the live answer, keeping the README's cuts.
/// </summary>
public sealed partial class ReadmeExampleTests(CdsHooksFactory factory) : IClassFixture<CdsHooksFactory>
{
    private const string Cut = "…";
    private static readonly string ReadmePath = Path.Combine(RepositoryPaths.Root, "README.md");
    private static readonly bool Regenerate = Environment.GetEnvironmentVariable("DECISIONAPI_REGENERATE_README") == "1";

    [Fact]
    public async Task The_README_example_answer_is_the_live_answer_in_every_field_it_shows()
    {
        var readme = await File.ReadAllTextAsync(ReadmePath);
        var section = readme.IndexOf("## Example", StringComparison.Ordinal);
        section.Should().BePositive("the README has an Example section");
        var (curl, _) = CodeBlock(readme, "bash", section);
        var (shown, shownRange) = CodeBlock(readme, "json", section);

        var request = CurlBody().Match(curl);
        request.Success.Should().BeTrue("the example curl sends a body with -d '…'");
        var path = CurlPath().Match(curl).Groups["path"].Value;
        path.Should().Be("/v1/evaluations");
        var language = AcceptLanguage().Match(curl);

        using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = HttpAssertions.Json(request.Groups["body"].Value) };
        if (language.Success)
        {
            message.Headers.AcceptLanguage.ParseAdd(language.Groups["value"].Value);
        }

        var response = await factory.CreateClient().SendAsync(message);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var live = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var template = JsonNode.Parse(shown)!;

        if (Regenerate)
        {
            var regenerated = Shape(template, live);
            var json = regenerated!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            readme = readme[..shownRange.Start] + json + "\n" + readme[shownRange.End..];
            await File.WriteAllTextAsync(ReadmePath, readme);
            template = JsonNode.Parse(json)!;
        }

        var differences = new List<string>();
        Compare(template, live, "$", differences);
        differences.Should().BeEmpty("the README's example answer must be the live answer (regenerate with DECISIONAPI_REGENERATE_README=1)");
        readme.Should().Contain("`…` marks", "the README says how it marks what it cut");
    }

    [Fact]
    public async Task The_README_CDS_Hooks_example_posts_to_a_listed_id_and_states_the_live_card()
    {
        var readme = await File.ReadAllTextAsync(ReadmePath);
        var tryIt = readme.IndexOf("**Try it**", StringComparison.Ordinal);
        tryIt.Should().BePositive();
        var (curl, curlRange) = CodeBlock(readme, "bash", tryIt);
        var path = CurlPath().Match(curl).Groups["path"].Value;
        var ids = await DiscoveredIds();
        ids.Should().Contain(path["/cds-services/".Length..], "the README posts to an id the discovery document lists");

        var response = await factory.CreateClient().PostAsync(path, HttpAssertions.Json(CurlBody().Match(curl).Groups["body"].Value));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var card = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["cards"]![0]!;

        var after = readme[(curlRange.End.Value + "```\n".Length)..].TrimStart('\n');
        var paragraph = Regex.Replace(after[..after.IndexOf("\n\n", StringComparison.Ordinal)], @"\s+", " ");
        var summary = StatedSummary().Match(paragraph);
        summary.Success.Should().BeTrue("the paragraph after the example quotes the card's summary");
        summary.Groups["summary"].Value.Should().Be(card["summary"]!.GetValue<string>());
        paragraph.Should().Contain($"\"indicator\": \"{card["indicator"]!.GetValue<string>()}\"");
        paragraph.Should().Contain($"\"{card["source"]!["topic"]!["code"]!.GetValue<string>()}\"", "the paragraph names the live category");
    }

    [Fact]
    public async Task Every_CDS_Hooks_call_in_the_README_and_docs_targets_a_listed_id()
    {
        var ids = await DiscoveredIds();
        var documents = new[] { ReadmePath }
            .Concat(Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.http", SearchOption.AllDirectories));
        var checkedCalls = 0;
        foreach (var document in documents)
        {
            var text = await File.ReadAllTextAsync(document);
            var variables = HttpVariable().Matches(text).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value.Trim());
            foreach (Match call in ServiceCall().Matches(text))
            {
                var id = call.Groups["id"].Value;
                if (id.StartsWith("{{", StringComparison.Ordinal))
                {
                    variables.Should().ContainKey(id.Trim('{', '}'), $"{document} sets {id}");
                    id = variables[id.Trim('{', '}')];
                }

                if (id == "{id}")
                {
                    continue; // a template in prose, not a call
                }

                ids.Should().Contain(id, $"{Path.GetFileName(document)} calls /cds-services/{id}");
                checkedCalls++;
            }
        }

        checkedCalls.Should().BePositive("the README and docs show CDS Hooks calls");
    }

    private async Task<List<string>> DiscoveredIds()
    {
        var discovery = JsonNode.Parse(await factory.CreateClient().GetStringAsync("/cds-services"))!;
        return discovery["services"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).ToList();
    }

    /// <summary>The first fenced block of <paramref name="language"/> after <paramref name="from"/>: its text and the range of that text.</summary>
    private static (string Text, Range Range) CodeBlock(string readme, string language, int from)
    {
        var fence = "```" + language + "\n";
        var start = readme.IndexOf(fence, from, StringComparison.Ordinal);
        start.Should().BePositive($"a ```{language} block follows");
        start += fence.Length;
        var end = readme.IndexOf("```\n", start, StringComparison.Ordinal);
        return (readme[start..end], start..end);
    }

    private static bool IsCut(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) && text == Cut;

    private static void Compare(JsonNode? shown, JsonNode? live, string path, List<string> differences)
    {
        if (IsCut(shown))
        {
            return;
        }

        switch (shown)
        {
            case JsonObject shownObject when live is JsonObject liveObject:
                foreach (var (name, value) in shownObject)
                {
                    if (!liveObject.ContainsKey(name))
                    {
                        differences.Add($"{path}.{name}: shown but not in the live answer");
                        continue;
                    }

                    Compare(value, liveObject[name], $"{path}.{name}", differences);
                }

                differences.AddRange(liveObject.Where(p => !shownObject.ContainsKey(p.Key)).Select(p => $"{path}.{p.Key}: in the live answer, neither shown nor marked \"…\""));
                break;
            case JsonArray shownArray when live is JsonArray liveArray:
                var cut = shownArray.Count > 0 && IsCut(shownArray[^1]);
                var count = cut ? shownArray.Count - 1 : shownArray.Count;
                if (cut ? liveArray.Count < count : liveArray.Count != count)
                {
                    differences.Add($"{path}: {liveArray.Count} live items, the README shows {count}{(cut ? " and \"…\"" : "")}");
                }

                for (var i = 0; i < Math.Min(count, liveArray.Count); i++)
                {
                    Compare(shownArray[i], liveArray[i], $"{path}[{i}]", differences);
                }

                break;
            default:
                if (!JsonNode.DeepEquals(shown, live))
                {
                    differences.Add($"{path}: README {shown?.ToJsonString() ?? "null"}, live {live?.ToJsonString() ?? "null"}");
                }

                break;
        }
    }

    /// <summary>The live answer in the README's shape: its cut fields stay "…", its lists keep as many items, new fields are shown.</summary>
    private static JsonNode? Shape(JsonNode? shown, JsonNode? live)
    {
        if (IsCut(shown))
        {
            return JsonValue.Create(Cut);
        }

        switch (shown)
        {
            case JsonObject shownObject when live is JsonObject liveObject:
                var shaped = new JsonObject();
                foreach (var (name, value) in liveObject)
                {
                    shaped[name] = shownObject.TryGetPropertyValue(name, out var shownValue) ? Shape(shownValue, value) : value?.DeepClone();
                }

                return shaped;
            case JsonArray shownArray when live is JsonArray liveArray:
                var keep = shownArray.Count > 0 && IsCut(shownArray[^1]) ? shownArray.Count - 1 : shownArray.Count;
                var list = new JsonArray();
                for (var i = 0; i < Math.Min(Math.Max(keep, 1), liveArray.Count); i++)
                {
                    list.Add(Shape(i < shownArray.Count && !IsCut(shownArray[i]) ? shownArray[i] : null, liveArray[i]));
                }

                if (liveArray.Count > list.Count)
                {
                    list.Add(JsonValue.Create(Cut));
                }

                return list;
            default:
                return live?.DeepClone();
        }
    }

    [GeneratedRegex(@"-d '(?<body>[^']*)'", RegexOptions.Singleline)]
    private static partial Regex CurlBody();

    [GeneratedRegex(@"http://localhost:\d+(?<path>/[^\s'""]+)")]
    private static partial Regex CurlPath();

    [GeneratedRegex(@"-H 'Accept-Language: (?<value>[^']+)'")]
    private static partial Regex AcceptLanguage();

    [GeneratedRegex(@"""summary"": ""(?<summary>[^""]+)""")]
    private static partial Regex StatedSummary();

    [GeneratedRegex(@"/cds-services/(?<id>\{\{\w+\}\}|\{id\}|[a-z0-9-]+)(?![a-z0-9-])")]
    private static partial Regex ServiceCall();

    [GeneratedRegex(@"^@(?<name>\w+)\s*=\s*(?<value>.+)$", RegexOptions.Multiline)]
    private static partial Regex HttpVariable();
}
