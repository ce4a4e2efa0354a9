// Calls every operation of the committed document through the Kiota-generated client (no hand edit, no cast).
using System.Text.Json.Nodes;
using DecisionApi.Client.Kiota;
using DecisionApi.Client.Kiota.Models;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;

var (baseUrl, apiKey, documentPath) = (args[0], args[1], args[2]);
var newTreatment = args.Length > 3 ? args[3] : null;
// Kiota's ApiKeyAuthenticationProvider sends keys over https only; the test service listens on plain http loopback.
using var http = KiotaClientFactory.Create();
http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
var client = new DecisionApiClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = baseUrl.TrimEnd('/') });
var calls = 0;
void Check(bool condition, string what)
{
    calls++;
    if (!condition)
    {
        throw new InvalidOperationException("Kiota: " + what);
    }

    Console.WriteLine("ok " + what);
}

var document = JsonNode.Parse(File.ReadAllText(documentPath))!;
var cdsExample = document["paths"]!["/cds-services/{id}"]!["post"]!["requestBody"]!["content"]!["application/json"]!["examples"]!["order-sign-msc"]!["value"]!;
Check((await client.Health.Live.GetAsync())?.Status is { Length: > 0 }, "GET /health/live");
Check((await client.Health.Ready.GetAsync())?.Status is { Length: > 0 }, "GET /health/ready");
Check((await client.V1.About.GetAsync())?.RuleStore is not null, "GET /v1/about");
var treatments = await client.V1.Treatments.GetAsync() ?? [];
Check(treatments.Count > 0, "GET /v1/treatments");
Check((await client.V1.Conditions.GetAsync())?.Count > 0, "GET /v1/conditions");
var recognition = await client.V1.Treatments.Recognition.GetAsync() ?? [];
Check(recognition.Count > 0 && recognition.All(r => !string.IsNullOrEmpty(r.Kind)), "GET /v1/treatments/recognition");
var rules = await client.V1.Rules.GetAsync() ?? [];
Check(rules.Count > 0 && rules.All(r => !string.IsNullOrEmpty(r.Kind)), "GET /v1/rules");
Check((await client.V1.Rules[rules[0].Id!].GetAsync())?.Id == rules[0].Id, "GET /v1/rules/{id}");
var sources = await client.V1.Sources.GetAsync() ?? [];
Check(sources.Count > 0 && sources.All(s => !string.IsNullOrEmpty(s.Kind)), "GET /v1/sources");
Check((await client.V1.Sources[sources[0].Id!].GetAsync())?.Kind == sources[0].Kind, "GET /v1/sources/{id}");
var claims = await client.V1.ClaimChecks.GetAsync() ?? [];
Check(claims.Count > 0 && claims.All(c => !string.IsNullOrEmpty(c.Verdict)), "GET /v1/claim-checks");

var tried = new List<string> { "exercise-therapy", "oral-nsaid", "ia-corticosteroid" };
if (newTreatment is not null)
{
    Check(treatments.Any(t => t.Code == newTreatment), $"GET /v1/treatments lists {newTreatment}, a code the document does not list");
    Check(recognition.Any(r => r.Treatment == newTreatment), $"GET /v1/treatments/recognition reads {newTreatment} in treatment (once a closed enum)");
    tried.Add(newTreatment);
}

var result = await client.V1.Evaluations.PostAsync(new EvaluationRequest { Age = 62, KlGrade = 3, PriorTreatments = tried, Bmi = 28.5, Conditions = [], Jurisdiction = "US" });
Check(result?.Assessment?.Category is { Length: > 0 } && result.Evidence!.All(e => e.Topic is { Length: > 0 } && e.Certainty is { Length: > 0 } && e.Direction is { Length: > 0 })
    && result.ConventionalOptions!.All(o => o.Treatment is { Length: > 0 } && o.Strength is { Length: > 0 }), "POST /v1/evaluations");
Check(result!.Inputs!.Used!.PriorTreatments!.SequenceEqual(tried), "POST /v1/evaluations echoes every prior treatment sent, " + string.Join(",", tried));
try
{
    await client.V1.Evaluations.PostAsync(new EvaluationRequest { Age = 17, KlGrade = 3, PriorTreatments = [] });
    Check(false, "POST /v1/evaluations with age 17 is refused");
}
catch (HttpValidationProblemDetails problem)
{
    Check(problem.Status == 400 && problem.Errors is not null && !string.IsNullOrEmpty(problem.TraceId), "POST /v1/evaluations with age 17: 400 problem with errors and traceId");
}

var discovery = await client.CdsServices.GetAsync();
var service = discovery!.Services!.Single(s => s.Hook == "order-sign");
Check(service.Id is { Length: > 0 }, "GET /cds-services");
var request = new CdsHooksRequest
{
    Hook = "order-sign",
    HookInstance = Guid.NewGuid(),
    Context = await KiotaJsonSerializer.DeserializeAsync(cdsExample["context"]!.ToJsonString(), CdsHooksRequest_context.CreateFromDiscriminatorValue),
    Prefetch = await KiotaJsonSerializer.DeserializeAsync(cdsExample["prefetch"]!.ToJsonString(), CdsHooksRequest_prefetch.CreateFromDiscriminatorValue),
};
request.Context.AdditionalData["someFutureContextField"] = "ignored";
var answer = await client.CdsServices[service.Id!].PostAsync(request);
var card = answer!.Cards!.Single();
Check(card.Indicator is not null && card.Uuid is { Length: > 0 }, "POST /cds-services/{id}");
var feedback = new CdsFeedback_feedback { Card = Guid.Parse(card.Uuid!), Outcome = "overridden", OutcomeTimestamp = DateTimeOffset.UtcNow, OverrideReason = new CdsFeedback_feedback_overrideReason() };
feedback.OverrideReason.AdditionalData["userComment"] = "Given within a registered trial.";
await client.CdsServices[service.Id!].Feedback.PostAsync(new CdsFeedback { Feedback = [feedback] });
Check(true, "POST /cds-services/{id}/feedback");
Console.WriteLine($"Kiota: {calls} checks passed");
