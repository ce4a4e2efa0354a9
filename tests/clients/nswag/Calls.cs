// Calls every operation of the committed document through the NSwag-generated client (System.Text.Json template; no
// hand edit, no cast).
using System.Text.Json;
using System.Text.Json.Nodes;
using DecisionApi.Client.NSwag;

var (baseUrl, apiKey, documentPath) = (args[0], args[1], args[2]);
var newTreatment = args.Length > 3 ? args[3] : null;
using var http = new HttpClient();
http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
var client = new DecisionApiClient(http) { BaseUrl = baseUrl };
var calls = 0;
void Check(bool condition, string what)
{
    calls++;
    if (!condition)
    {
        throw new InvalidOperationException("NSwag: " + what);
    }

    Console.WriteLine("ok " + what);
}

var document = JsonNode.Parse(File.ReadAllText(documentPath))!;
var cdsExample = document["paths"]!["/cds-services/{id}"]!["post"]!["requestBody"]!["content"]!["application/json"]!["examples"]!["order-sign-msc"]!["value"]!;

Check((await client.LivenessAsync()).Status is { Length: > 0 }, "GET /health/live");
Check((await client.ReadinessAsync()).Status is { Length: > 0 }, "GET /health/ready");
Check((await client.GetAboutAsync("en")).RuleStore is not null, "GET /v1/about");
var treatments = await client.ListTreatmentsAsync("en");
Check(treatments.Count > 0, "GET /v1/treatments");
Check((await client.ListConditionsAsync("zh")).Count > 0, "GET /v1/conditions");
var recognition = await client.ListTreatmentRecognitionAsync();
Check(recognition.Count > 0 && recognition.All(r => !string.IsNullOrEmpty(r.Kind)), "GET /v1/treatments/recognition");
var rules = await client.ListRulesAsync("en");
Check(rules.Count > 0 && rules.All(r => !string.IsNullOrEmpty(r.Kind)), "GET /v1/rules");
var firstRule = rules.First();
Check((await client.GetRuleAsync(firstRule.Id, "en")).Id == firstRule.Id, "GET /v1/rules/{id}");
var sources = await client.ListSourcesAsync();
Check(sources.Count > 0 && sources.All(s => !string.IsNullOrEmpty(s.Kind)), "GET /v1/sources");
var firstSource = sources.First();
Check((await client.GetSourceAsync(firstSource.Id)).Kind == firstSource.Kind, "GET /v1/sources/{id}");
var claims = await client.ListClaimChecksAsync("en");
Check(claims.Count > 0 && claims.All(c => !string.IsNullOrEmpty(c.Verdict)), "GET /v1/claim-checks");

var tried = new List<string> { "exercise-therapy", "oral-nsaid", "ia-corticosteroid" };
if (newTreatment is not null)
{
    Check(treatments.Any(t => t.Code == newTreatment), $"GET /v1/treatments lists {newTreatment}, a code the document does not list");
    Check(recognition.Any(r => r.Treatment == newTreatment), $"GET /v1/treatments/recognition reads {newTreatment} in treatment (once a closed enum)");
    tried.Add(newTreatment);
}

var result = await client.EvaluateProfileAsync("en", new EvaluationRequest { Age = 62, KlGrade = 3, PriorTreatments = tried, Bmi = 28.5, Conditions = [], Jurisdiction = "US" });
Check(result.Assessment.Category is { Length: > 0 } && result.Evidence.All(e => e.Topic is { Length: > 0 } && e.Certainty is { Length: > 0 } && e.Direction is { Length: > 0 })
    && result.ConventionalOptions.All(o => o.Treatment is { Length: > 0 } && o.Strength is { Length: > 0 }), "POST /v1/evaluations");
Check(result.Inputs.Used.PriorTreatments.SequenceEqual(tried), "POST /v1/evaluations echoes every prior treatment sent, " + string.Join(",", tried));
try
{
    await client.EvaluateProfileAsync("en", new EvaluationRequest { Age = 17, KlGrade = 3, PriorTreatments = [] });
    Check(false, "POST /v1/evaluations with age 17 is refused");
}
catch (ApiException<HttpValidationProblemDetails> problem)
{
    Check(problem.StatusCode == 400 && problem.Result.Errors.Count > 0 && !string.IsNullOrEmpty(problem.Result.TraceId), "POST /v1/evaluations with age 17: 400 problem with errors and traceId");
}

var discovery = await client.CdsDiscoveryAsync();
var service = discovery.Services.Single(s => s.Hook == "order-sign");
Check(service.Id is { Length: > 0 }, "GET /cds-services");
var request = new CdsHooksRequest
{
    Hook = "order-sign",
    HookInstance = Guid.NewGuid(),
    Context = JsonSerializer.Deserialize<Context>(cdsExample["context"]!.ToJsonString())!,
    Prefetch = JsonSerializer.Deserialize<Dictionary<string, object>>(cdsExample["prefetch"]!.ToJsonString())!,
};
request.Context.AdditionalProperties["someFutureContextField"] = "ignored";
var answer = await client.CdsServiceCallAsync(service.Id, request);
var card = answer.Cards.Single();
Check(card.Uuid is { Length: > 0 }, "POST /cds-services/{id}: card " + card.Indicator);
await client.CdsFeedbackAsync(service.Id, new CdsFeedback
{
    Feedback = [new Feedback { Card = Guid.Parse(card.Uuid), Outcome = "overridden", OutcomeTimestamp = DateTimeOffset.UtcNow, OverrideReason = new Dictionary<string, object> { ["userComment"] = "Given within a registered trial." } }],
});
Check(true, "POST /cds-services/{id}/feedback");
Console.WriteLine($"NSwag: {calls} checks passed");
