using System.Text.Json.Nodes;

namespace DecisionApi.Features.Documentation;

/// <summary>
/// The OpenAPI document's request and response examples, read from the files under <c>docs/examples/</c> (embedded in
/// the assembly at build). The same files are the bodies of <c>docs/decision-api.http</c> and of the tests that post the
/// README profile, so the three never drift; the response example is a short, fixed excerpt, so a content edit does not
/// change the contract.
/// </summary>
public static class ApiExamples
{
    /// <summary>One named example: its key in the document, the summary Swagger UI shows, and its file.</summary>
    public sealed record Example(string Name, string Summary, string File);

    /// <summary>The README profile (KL 3 after first-line care).</summary>
    public const string EvaluationRequestFile = "evaluation.request.json";

    /// <summary>A short excerpt of the answer for the README profile, in the answer shape of issue #23 item 1.</summary>
    public const string EvaluationResponseFile = "evaluation.response.json";

    public static readonly Example[] EvaluationRequests =
    [
        new("typical-kl3", "KL 3 after first-line care (investigational-only)", EvaluationRequestFile),
        new("kl4-advanced", "KL 4, first-line care tried (arthroplasty-evaluation)", "evaluation.request.kl4-advanced.json"),
        new("replaced-knee", "Index knee already replaced (not-applicable)", "evaluation.request.replaced-knee.json"),
        new("nothing-tried", "Nothing tried yet (conventional-care-first)", "evaluation.request.nothing-tried.json"),
        new("anticoagulated-korea", "On anticoagulants, in Korea (safety note, KR regulatory note)", "evaluation.request.anticoagulated-korea.json"),
    ];

    public static readonly Example[] CdsRequests =
    [
        new("order-sign-msc", "order-sign: an MSC knee injection for a KL 2 patient after physical therapy and naproxen (one card)", "cds.order-sign.request.json"),
        new("order-select-msc", "order-select: the MSC order selected (one card)", "cds.order-select.request.json"),
        new("order-sign-xray", "order-sign: only a knee X-ray (no card)", "cds.order-sign-xray.request.json"),
    ];

    public static readonly Example[] CdsFeedback =
    [
        new("overridden", "The card was overridden, with the reason", "cds.feedback.overridden.json"),
        new("overridden-comment", "The card was overridden, with a comment only", "cds.feedback.overridden-comment.json"),
    ];

    /// <summary>Every example file the document uses.</summary>
    public static IEnumerable<string> Files =>
        EvaluationRequests.Concat(CdsRequests).Concat(CdsFeedback).Select(e => e.File).Append(EvaluationResponseFile);

    /// <summary>The file's JSON (a new node on each call: the document may keep and change it).</summary>
    public static JsonNode Read(string file)
    {
        using var stream = typeof(ApiExamples).Assembly.GetManifestResourceStream("DecisionApi.Examples." + file)
            ?? throw new InvalidOperationException($"docs/examples/{file} is not embedded in the service");
        return JsonNode.Parse(stream) ?? throw new InvalidOperationException($"docs/examples/{file} is empty");
    }

    /// <summary>
    /// The response example of POST /v1/evaluations. The file is written in the answer shape of issue #23 item 1
    /// (every source once in a top-level <c>sources</c>, items with <c>sourceIds</c>, no <c>trace</c> unless asked); until
    /// that shape is served, the example is given in the served shape (<see cref="InServedShape"/>). When it is served,
    /// this returns <c>Read(EvaluationResponseFile)</c> and <see cref="InServedShape"/> goes.
    /// </summary>
    public static JsonNode EvaluationResponse() => InServedShape(Read(EvaluationResponseFile));

    /// <summary>The answer shape served before issue #23 item 1: each <c>sourceIds</c> list replaced by the sources it
    /// names, no top-level <c>sources</c>, and an empty <c>trace</c>.</summary>
    private static JsonObject InServedShape(JsonNode answer)
    {
        var sources = answer["sources"]!.AsArray().ToDictionary(s => s!["id"]!.GetValue<string>(), s => s!);
        void Expand(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject item:
                    foreach (var (_, value) in item.ToList())
                    {
                        Expand(value);
                    }

                    if (item["sourceIds"] is JsonArray ids)
                    {
                        item.Remove("sourceIds");
                        item["sources"] = new JsonArray([.. ids.Select(id => sources[id!.GetValue<string>()].DeepClone())]);
                    }

                    break;
                case JsonArray list:
                    foreach (var value in list)
                    {
                        Expand(value);
                    }

                    break;
            }
        }

        var served = answer.AsObject();
        served.Remove("sources");
        Expand(served);
        served.Insert(served.IndexOf("ruleStore") is var at and >= 0 ? at : served.Count, "trace", new JsonArray());
        return served;
    }
}
