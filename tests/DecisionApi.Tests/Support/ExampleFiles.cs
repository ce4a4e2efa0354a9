using System.Text.Json.Nodes;

namespace DecisionApi.Tests.Support;

/// <summary>
/// The request and response examples under docs/examples: the OpenAPI document's examples, the bodies of
/// docs/decision-api.http, and the README profile the tests post.
/// </summary>
public static class ExampleFiles
{
    public static string Folder => Path.Combine(RepositoryPaths.Root, "docs", "examples");

    public static JsonNode Json(string file) => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, file)))!;

    /// <summary>The README profile (docs/examples/evaluation.request.json), as one line of JSON.</summary>
    public static string ReadmeProfile { get; } = Json("evaluation.request.json").ToJsonString();
}
