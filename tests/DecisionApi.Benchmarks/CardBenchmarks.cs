using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using DecisionApi.Features.CdsHooks;
using DecisionApi.Infrastructure;
using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using DecisionApi.RuleStore.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DecisionApi.Benchmarks;

/// <summary>
/// The CDS Hooks path without HTTP: FHIR prefetch to profile (the README's order-sign prefetch, ~1 KB, and a realistic
/// chart of ~50 KB: years of medication orders, procedures, care plans and observations), evaluation without the trace,
/// card composition, and the whole call as the handler runs it.
/// </summary>
[MemoryDiagnoser]
public class CardBenchmarks
{
    private PrefetchResolver resolver = null!;
    private ChartReader reader = null!;
    private Evaluator evaluator = null!;
    private CardComposer composer = null!;
    private byte[] readmeRequest = null!;
    private byte[] largeRequest = null!;
    private ChartReading readmeChart = null!;
    private EvaluationResult readmeResult = null!;

    private static readonly JsonSerializerOptions Json = ApiJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    [GlobalSetup]
    public void Setup()
    {
        var store = RuleStoreSnapshot.Load(StorePath.Shipped);
        var codes = new FhirCodeMap(store);
        var options = Options.Create(new CdsHooksOptions());
        resolver = new PrefetchResolver(new PrefetchTemplates(codes), new NoHttpClients(), options, NullLogger<PrefetchResolver>.Instance);
        reader = new ChartReader(codes, new TreatmentRecogniser(store), TimeProvider.System);
        evaluator = new Evaluator(store, "US");
        composer = new CardComposer(store, options);
        readmeRequest = Encoding.UTF8.GetBytes(CardRequests.Readme);
        largeRequest = Encoding.UTF8.GetBytes(CardRequests.Large());
        readmeChart = ReadChart(readmeRequest).GetAwaiter().GetResult();
        readmeResult = evaluator.Evaluate(readmeChart.Profile, Language.En, withTrace: false);
    }

    /// <summary>Size of the large request, for the README table.</summary>
    public int LargeRequestBytes => largeRequest.Length;

    [Benchmark]
    public Task<ChartReading> PrefetchToProfileReadme() => ReadChart(readmeRequest);

    [Benchmark]
    public Task<ChartReading> PrefetchToProfile50KB() => ReadChart(largeRequest);

    [Benchmark]
    public EvaluationResult EvaluateWithoutTrace() => evaluator.Evaluate(readmeChart.Profile, Language.En, withTrace: false);

    [Benchmark]
    public CdsCard ComposeCard() =>
        composer.Compose(readmeResult, readmeChart.Unknowns, patientView: false, Language.En, "http://localhost:8080", readmeChart.Recognised);

    [Benchmark]
    public async Task<byte[]> WholeCallReadme()
    {
        var chart = await ReadChart(readmeRequest);
        var result = evaluator.Evaluate(chart.Profile, Language.En, withTrace: false);
        var card = composer.Compose(result, chart.Unknowns, patientView: false, Language.En, "http://localhost:8080", chart.Recognised);
        return JsonSerializer.SerializeToUtf8Bytes(new CdsResponse([card]), Json);
    }

    private async Task<ChartReading> ReadChart(byte[] request)
    {
        using var document = JsonDocument.Parse(request);
        var root = document.RootElement;
        var prefetch = await resolver.ResolveAsync(root, root.GetProperty("context"), CancellationToken.None);
        return reader.Read(prefetch.Prefetch);
    }

    /// <summary>No FHIR server is used: every key is in the prefetch.</summary>
    private sealed class NoHttpClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("The benchmark sends every prefetch key.");
    }
}

/// <summary>The order-sign requests the benchmarks read.</summary>
internal static class CardRequests
{
    public const string Readme = """
        {"hook":"order-sign","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":{"userId":"Practitioner/example","patientId":"p1","draftOrders":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"ServiceRequest","id":"sr1","status":"draft","intent":"order","code":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"0566T"}]}}}]}},"prefetch":{"patient":{"resourceType":"Patient","id":"p1","birthDate":"1961-05-02"},"kneeOaConditions":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Condition","code":{"coding":[{"system":"http://snomed.info/sct","code":"239873007"}]}}}]},"klGradeObservations":null,"procedures":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Procedure","status":"completed","code":{"coding":[{"system":"http://snomed.info/sct","code":"91251008"}]}}}]},"medicationStatements":{"resourceType":"Bundle","entry":[]},"medicationRequests":{"resourceType":"Bundle","entry":[]}}}
        """;

    /// <summary>A chart of about 50 KB: the README request with years of unrelated and related history added.</summary>
    public static string Large()
    {
        var request = JsonNode.Parse(Readme)!.AsObject();
        var prefetch = request["prefetch"]!.AsObject();
        JsonObject Entry(JsonObject resource) => new() { ["fullUrl"] = "urn:uuid:" + Guid.NewGuid(), ["resource"] = resource };
        JsonObject Coding(string system, string code, string display) =>
            new() { ["coding"] = new JsonArray(new JsonObject { ["system"] = system, ["code"] = code, ["display"] = display }), ["text"] = display };

        var medications = new JsonArray();
        for (var i = 0; i < 60; i++)
        {
            var (code, display) = (i % 4) switch
            {
                0 => ("197806", "ibuprofen 600 MG Oral Tablet"),
                1 => ("314076", "lisinopril 10 MG Oral Tablet"),
                2 => ("855633", "diclofenac sodium 10 MG/ML Topical Gel"),
                _ => ("617314", "atorvastatin 10 MG Oral Tablet"),
            };
            medications.Add(Entry(new JsonObject
            {
                ["resourceType"] = "MedicationRequest", ["id"] = $"mr{i}", ["status"] = i % 5 == 0 ? "active" : "completed", ["intent"] = "order",
                ["medicationCodeableConcept"] = Coding("http://www.nlm.nih.gov/research/umls/rxnorm", code, display),
                ["subject"] = new JsonObject { ["reference"] = "Patient/p1" }, ["authoredOn"] = $"20{10 + (i % 15):00}-0{1 + (i % 9)}-15",
                ["dosageInstruction"] = new JsonArray(new JsonObject { ["text"] = "as directed" }),
            }));
        }

        var procedures = new JsonArray();
        for (var i = 0; i < 40; i++)
        {
            procedures.Add(Entry(new JsonObject
            {
                ["resourceType"] = "Procedure", ["id"] = $"pr{i}", ["status"] = "completed",
                ["code"] = i % 2 == 0 ? Coding("http://snomed.info/sct", "91251008", "Physical therapy procedure") : Coding("http://snomed.info/sct", "73761001", "Colonoscopy"),
                ["subject"] = new JsonObject { ["reference"] = "Patient/p1" }, ["performedDateTime"] = $"20{10 + (i % 15):00}-05-0{1 + (i % 9)}",
            }));
        }

        var observations = new JsonArray();
        for (var i = 0; i < 10; i++)
        {
            observations.Add(Entry(new JsonObject
            {
                ["resourceType"] = "Observation", ["id"] = $"ob{i}", ["status"] = "final",
                ["code"] = Coding("urn:decision-api:knee-oa-grading", "kl-grade", "Kellgren-Lawrence grade"),
                ["valueInteger"] = 2 + (i % 2), ["effectiveDateTime"] = $"20{15 + i:00}-03-01",
            }));
        }

        prefetch["medicationRequests"] = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["entry"] = medications };
        prefetch["procedures"] = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["entry"] = procedures };
        prefetch["klGradeObservations"] = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["entry"] = observations };
        return request.ToJsonString();
    }
}
