using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DecisionApi.Features.CdsHooks;
using DecisionApi.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using static DecisionApi.Tests.CdsHooks.CdsFixtures;

namespace DecisionApi.Tests.CdsHooks;

/// <summary>Partial prefetch and the bounded FHIR path: deadline, size caps, next-link checks, unusable tokens.</summary>
public sealed class CdsFhirPathTests(CdsHooksFactory factory) : IClassFixture<CdsHooksFactory>
{
    private const string ServiceUrl = "/cds-services/msc-knee-oa";
    private const string Unavailable = "could not be retrieved";

    // The headline's fixed part: a category that names its reason (issue #20) has it after the "{reason}" placeholder.
    private static string Headline(string category) => BuiltStore.Snapshot.Statements.Single(s => s.Id == "assessment." + category).Headline.En.Split("{reason}")[0];

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Call(JsonNode request, HttpClient client)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, ServiceUrl) { Content = HttpAssertions.Json(request.ToJsonString()) };
        var response = await client.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            CardInvariants.Check(body);
        }

        return (response.StatusCode, body);
    }

    private static string Detail(JsonElement body) =>
        body.GetProperty("cards").EnumerateArray().Should().ContainSingle().Subject.GetProperty("detail").GetString()!;

    [Fact]
    public async Task Keys_not_sent_or_sent_as_an_OperationOutcome_are_reported_as_not_retrieved_and_the_assessment_uses_the_rest()
    {
        var prefetch = Prefetch(kl: 4);
        prefetch["medicationRequests"] = new JsonObject { ["resourceType"] = "OperationOutcome", ["issue"] = new JsonArray() };
        prefetch["carePlans"] = Bundle(new JsonObject { ["resourceType"] = "OperationOutcome" });
        prefetch.Remove("klGradeObservations");

        var (status, body) = await Call(OrderSign(prefetch, MscOrder()), factory.CreateClient());

        status.Should().Be(HttpStatusCode.OK);
        var detail = Detail(body);
        detail.Should().Contain("Kellgren-Lawrence grade observations: " + Unavailable);
        detail.Should().Contain("medication orders: " + Unavailable);
        detail.Should().Contain("care plans: " + Unavailable);
        detail.Should().NotContain("The EHR reported no medication");
        detail.Should().NotContain("Kellgren-Lawrence grade not documented", "a key that could not be retrieved is not said to be undocumented");
        detail.Should().Contain(Headline("investigational-only"), "first-line care is known; the KL grade is not");
    }

    [Fact]
    public async Task Only_the_patient_is_required()
    {
        var prefetch = new JsonObject { ["patient"] = Patient("1960-01-01") };
        var (status, body) = await Call(OrderSign(prefetch, MscOrder()), factory.CreateClient());
        status.Should().Be(HttpStatusCode.OK);
        Detail(body).Should().Contain("care plans: " + Unavailable);

        var noPatient = Prefetch();
        noPatient.Remove("patient");
        var (missing, outcome) = await Call(OrderSign(noPatient, MscOrder()), factory.CreateClient());
        missing.Should().Be(HttpStatusCode.PreconditionFailed);
        outcome.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
    }

    [Theory]
    [InlineData("hang")]
    [InlineData("slowPages")]
    [InlineData("huge")]
    public async Task A_misbehaving_fhir_server_cannot_hold_the_call_beyond_the_deadline(string behaviour)
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.Responses["Patient"] = Patient("1960-01-01");
        var paged = Bundle(Procedure(Snomed, "91251008"));
        paged["link"] = new JsonArray(new JsonObject { ["relation"] = "next", ["url"] = fhir.BaseUrl + "/Procedure/page2" });
        fhir.Responses["Procedure"] = paged;
        fhir.Responses["page2"] = paged.DeepClone();
        switch (behaviour)
        {
            case "hang":
                fhir.Delays["Condition"] = TimeSpan.FromSeconds(60);
                fhir.Delays["Observation"] = TimeSpan.FromSeconds(60);
                break;
            case "slowPages":
                fhir.Delays["page2"] = TimeSpan.FromSeconds(0.8);
                break;
            default:
                fhir.HugeBodies["Observation"] = 64L * 1024 * 1024;
                fhir.HugeBodies["Condition"] = 64L * 1024 * 1024;
                break;
        }

        using var allowed = factory.WithWebHostBuilder(b => b
            .UseSetting("CdsHooks:FhirServerAllowlist:0", fhir.BaseUrl)
            .UseSetting("CdsHooks:FhirDeadlineSeconds", "1.5")
            .UseSetting("CdsHooks:FhirTimeoutSeconds", "10"));
        var client = allowed.CreateClient();
        var request = OrderSign(null, MscOrder());
        request["fhirServer"] = fhir.BaseUrl;
        await Call(OrderSign(Prefetch(), MscOrder()), client); // warm-up

        var stopwatch = Stopwatch.StartNew();
        var (status, body) = await Call(request, client);
        stopwatch.Stop();

        status.Should().Be(HttpStatusCode.OK);
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1.5 + 1.5));
        var detail = Detail(body);
        if (behaviour == "slowPages")
        {
            detail.Should().Contain("procedures: only part of the results was available.");
        }
        else
        {
            detail.Should().Contain("knee osteoarthritis diagnoses: " + Unavailable);
            detail.Should().Contain("Kellgren-Lawrence grade observations: " + Unavailable);
        }
    }

    [Fact]
    public async Task A_token_with_control_characters_is_refused_before_any_request()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.Responses["Patient"] = Patient("1960-01-01");
        using var allowed = factory.WithWebHostBuilder(b => b.UseSetting("CdsHooks:FhirServerAllowlist:0", fhir.BaseUrl));
        var request = OrderSign(null, MscOrder());
        request["fhirServer"] = fhir.BaseUrl;
        request["fhirAuthorization"] = new JsonObject
        {
            ["access_token"] = "abc\r\nX-Injected: 1", ["token_type"] = "Bearer", ["expires_in"] = 300, ["scope"] = "patient/*.read", ["subject"] = "cds",
        };

        var (status, body) = await Call(request, allowed.CreateClient());

        status.Should().Be(HttpStatusCode.PreconditionFailed, "without a usable fhirServer the Patient cannot be had");
        body.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        fhir.Requests.Should().BeEmpty();
    }

    [Theory]
    [InlineData("https://fhir.example.org/fhir/Procedure?page=2", true)]
    [InlineData("https://FHIR.example.org:443/fhir/Procedure?page=2", true)]
    [InlineData("http://fhir.example.org/fhir/Procedure?page=2", false)]
    [InlineData("https://fhir.example.org:8443/fhir/Procedure", false)]
    [InlineData("https://fhir.example.org.evil.test/fhir/Procedure", false)]
    [InlineData("https://user@fhir.example.org/fhir/Procedure", false)]
    [InlineData("https://fhir.example.org/fhir/../admin", false)]
    [InlineData("https://fhir.example.org/fhir/%2e%2e/admin", false)]
    [InlineData("https://fhir.example.org/fhir/%2E%2E/admin", false)]
    [InlineData("https://fhir.example.org/fhirx/Procedure", false)]
    [InlineData("https://fhir.example.org/admin", false)]
    [InlineData("/fhir/Procedure", false)]
    public void Next_links_are_checked_by_parsed_uri_against_the_base(string next, bool followed)
    {
        var server = new Uri("https://fhir.example.org/fhir/");
        (PrefetchResolver.NextPageUri(server, next) is not null).Should().Be(followed);
    }
}
