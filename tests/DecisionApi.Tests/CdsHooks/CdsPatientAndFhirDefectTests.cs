using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DecisionApi.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using static DecisionApi.Tests.CdsHooks.CdsFixtures;

namespace DecisionApi.Tests.CdsHooks;

/// <summary>
/// Issue #22, reproductions of defects 2 (unreadable strings from a FHIR server were a 500), 6 (patient ids in the log),
/// 8 (the Patient starved of the shared byte budget) and 9 (another patient's data counted).
/// </summary>
public sealed class CdsPatientAndFhirDefectTests(CdsHooksFactory factory) : IClassFixture<CdsHooksFactory>
{
    private const string ServiceUrl = "/cds-services/msc-knee-oa";

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Call(HttpClient client, JsonNode request)
    {
        var response = await client.PostAsync(ServiceUrl, HttpAssertions.Json(request.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static void ServeFullChart(FakeFhirServer fhir)
    {
        var full = Prefetch(kl: 3);
        fhir.Responses["Patient"] = full["patient"]!.DeepClone();
        fhir.Responses["Condition"] = full["kneeOaConditions"]!.DeepClone();
        fhir.Responses["Observation"] = full["klGradeObservations"]!.DeepClone();
        fhir.Responses["Procedure"] = full["procedures"]!.DeepClone();
        fhir.Responses["MedicationStatement"] = full["medicationStatements"]!.DeepClone();
        fhir.Responses["MedicationRequest"] = full["medicationRequests"]!.DeepClone();
        fhir.Responses["CarePlan"] = full["carePlans"]!.DeepClone();
        fhir.Responses["ServiceRequest"] = full["serviceRequests"]!.DeepClone();
    }

    public static TheoryData<string, byte[]> UnreadableBodies => new()
    {
        { "Procedure", [.. "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[{\"resource\":{\"resourceType\":\"Procedure\",\"status\":\"completed\",\"code\":{\"text\":\""u8, 0xFF, 0xFE, 0xC3, .. "\"}}}]}"u8] },
        { "Procedure", Encoding.UTF8.GetBytes("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[{\"resource\":{\"resourceType\":\"Procedure\",\"status\":\"completed\",\"code\":{\"text\":\"\\ud800 knee\"}}}]}") },
        { "MedicationStatement", Encoding.UTF8.GetBytes("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"MedicationStatement\",\"\\udc00\":1}}]}") },
        { "Patient", [.. "{\"resourceType\":\"Patient\",\"id\":\"pat-8841\",\"birthDate\":\"1964-03-15\",\"name\":[{\"text\":\""u8, 0xED, 0xA0, 0x80, .. "\"}]}"u8] },
    };

    [Theory]
    [MemberData(nameof(UnreadableBodies))]
    public async Task An_unreadable_string_from_an_allowlisted_fhir_server_is_never_a_500(string key, byte[] body)
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        ServeFullChart(fhir);
        fhir.RawBodies[key] = body;
        using var allowed = factory.WithWebHostBuilder(b => b.UseSetting("CdsHooks:FhirServerAllowlist:0", fhir.BaseUrl));
        var request = OrderSign(null, MscOrder());
        request["fhirServer"] = fhir.BaseUrl;

        var (status, answer) = await Call(allowed.CreateClient(), request);

        // The Patient is required (412 when it cannot be read); any other key is named on the card as not retrieved.
        status.Should().Be(key == "Patient" ? HttpStatusCode.PreconditionFailed : HttpStatusCode.OK);
        if (status == HttpStatusCode.OK)
        {
            answer.GetProperty("cards").GetArrayLength().Should().Be(1);
        }

        factory.Logs.Messages.Should().NotContain(m => m.Contains("Unhandled exception", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Large_optional_keys_never_starve_the_patient_of_its_budget()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        ServeFullChart(fhir);
        foreach (var key in new[] { "Condition", "Observation", "Procedure", "MedicationStatement", "MedicationRequest", "CarePlan", "ServiceRequest" })
        {
            fhir.HugeBodies[key] = 400_000;
        }

        fhir.Delays["Patient"] = TimeSpan.FromMilliseconds(300);
        using var allowed = factory.WithWebHostBuilder(b => b
            .UseSetting("CdsHooks:FhirServerAllowlist:0", fhir.BaseUrl)
            .UseSetting("CdsHooks:FhirMaxResponseBytes", "1000000")
            .UseSetting("CdsHooks:FhirMaxTotalBytes", "600000"));
        var client = allowed.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            var request = OrderSign(null, MscOrder());
            request["fhirServer"] = fhir.BaseUrl;
            (await Call(client, request)).Status.Should().Be(HttpStatusCode.OK, "the Patient's fetch has a budget of its own");
        }
    }

    [Fact]
    public async Task A_call_without_context_patient_id_is_400()
    {
        var request = OrderSign(Prefetch(), MscOrder());
        request["context"]!.AsObject().Remove("patientId");

        var (status, body) = await Call(factory.CreateClient(), request);

        status.Should().Be(HttpStatusCode.BadRequest);
        body.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        body.GetProperty("issue")[0].GetProperty("diagnostics").GetString().Should().Contain("patientId");
    }

    [Fact]
    public async Task A_prefetched_patient_other_than_context_patient_id_is_400()
    {
        var prefetch = Prefetch();
        prefetch["patient"]!["id"] = "someone-else";

        var (status, body) = await Call(factory.CreateClient(), OrderSign(prefetch, MscOrder()));

        status.Should().Be(HttpStatusCode.BadRequest);
        body.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
    }

    [Fact]
    public async Task Another_patient_s_first_line_care_is_never_counted()
    {
        var client = factory.CreateClient();
        var none = await Call(client, OrderSign(Prefetch(firstLineCare: false), MscOrder()));
        var foreign = Prefetch(firstLineCare: false);
        var procedure = Procedure(Snomed, "91251008");
        procedure["subject"] = new JsonObject { ["reference"] = "Patient/someone-else" };
        var statement = MedicationStatement("849574");
        statement["subject"] = new JsonObject { ["reference"] = "https://ehr.example.org/fhir/Patient/someone-else" };
        foreign["procedures"] = Bundle(procedure);
        foreign["medicationStatements"] = Bundle(statement);
        var withForeign = await Call(client, OrderSign(foreign, MscOrder()));

        none.Status.Should().Be(HttpStatusCode.OK);
        withForeign.Status.Should().Be(HttpStatusCode.OK);
        Detail(withForeign.Body).Should().Be(Detail(none.Body), "resources of another patient are left out");

        static string Detail(JsonElement body) => body.GetProperty("cards")[0].GetProperty("detail").GetString()!;
    }

    [Fact]
    public async Task The_shipped_configuration_logs_no_patient_id_or_fhir_path_of_a_real_process()
    {
        const string Secret = "pat-logcheck-7731";
        await using var fhir = await FakeFhirServer.StartAsync();
        ServeFullChart(fhir);
        fhir.Responses["Patient"]!["id"] = Secret;
        await using var service = await RunningService.StartAsync(new Dictionary<string, string>
        {
            ["RuleStore__Path"] = RepositoryPaths.BuiltStore,
            ["ApiKeys__Enabled"] = "false",
            ["CdsHooks__Authentication__Enabled"] = "false",
            ["CdsHooks__FhirServerAllowlist__0"] = fhir.BaseUrl,
        });
        using var client = new HttpClient { BaseAddress = service.BaseUrl };
        var request = OrderSign(null, MscOrder());
        request["context"]!["patientId"] = Secret;
        request["fhirServer"] = fhir.BaseUrl;

        var response = await client.PostAsync(ServiceUrl, HttpAssertions.Json(request.ToJsonString()));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        fhir.Requests.Should().Contain(r => r.PathAndQuery.Contains(Secret, StringComparison.Ordinal), "the id was used in the FHIR requests");
        for (var waited = 0; waited < 30 && !service.Output.Contains("\"eventId\":3000", StringComparison.Ordinal); waited++)
        {
            await Task.Delay(100);
        }

        service.Output.Should().Contain("\"eventId\":3000", "the audit line was written, so the log is complete");
        service.Output.Should().NotContain(Secret).And.NotContain("/Patient/").And.NotContain(fhir.BaseUrl);
    }
}
