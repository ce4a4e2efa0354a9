using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DecisionApi.Features.CdsHooks;
using DecisionApi.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using static DecisionApi.Tests.CdsHooks.CdsFixtures;

namespace DecisionApi.Tests.CdsHooks;

public sealed partial class CdsHooksServiceTests(CdsHooksFactory factory) : IClassFixture<CdsHooksFactory>
{
    private const string ServiceUrl = "/cds-services/msc-knee-oa";
    private readonly HttpClient client = factory.CreateClient();

    // The headline's fixed part: a category that names its reason (issue #20) has it after the "{reason}" placeholder.
    private static string Headline(string category) => BuiltStore.Snapshot.Statements.Single(s => s.Id == "assessment." + category).Headline.En.Split("{reason}")[0];

    private async Task<(HttpStatusCode Status, JsonElement Body)> Call(JsonNode request, HttpClient? with = null, string? acceptLanguage = null, string url = ServiceUrl)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = HttpAssertions.Json(request.ToJsonString()) };
        if (acceptLanguage is not null)
        {
            message.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        var response = await (with ?? client).SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            CardInvariants.Check(body);
        }

        return (response.StatusCode, body);
    }

    private static JsonElement SingleCard(JsonElement body) => body.GetProperty("cards").EnumerateArray().Should().ContainSingle().Subject;

    [Fact]
    public async Task Discovery_offers_one_unique_id_per_hook_with_valid_prefetch_templates()
    {
        var body = await (await client.GetAsync("/cds-services")).ReadJsonAsync();
        CardInvariants.NoNullOrEmpty(body, "discovery");
        var services = body.GetProperty("services").EnumerateArray().ToList();
        services.Select(s => s.GetProperty("hook").GetString()).Should().BeEquivalentTo(["order-select", "order-sign"]);
        services.Select(s => s.GetProperty("id").GetString()).Should().OnlyHaveUniqueItems()
            .And.BeEquivalentTo(["msc-knee-oa-order-select", "msc-knee-oa-order-sign"]);
        foreach (var service in services)
        {
            service.GetProperty("id").GetString().Should().Be("msc-knee-oa-" + service.GetProperty("hook").GetString());
        }

        using var enabled = factory.WithWebHostBuilder(b => b.UseSetting("CdsHooks:PatientView:Enabled", "true"));
        var all = await (await enabled.CreateClient().GetAsync("/cds-services")).ReadJsonAsync();
        all.GetProperty("services").EnumerateArray().Select(s => s.GetProperty("id").GetString()).Should().OnlyHaveUniqueItems().And.HaveCount(3);
        foreach (var service in services)
        {
            service.GetProperty("title").GetString().Should().NotBeNullOrWhiteSpace();
            service.GetProperty("description").GetString().Should().Contain("MSC");
            service.GetProperty("usageRequirements").GetString().Should().Contain("0566T").And.Contain("kl-grade").And.Contain("39156-5");
            var prefetch = service.GetProperty("prefetch").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            prefetch.Keys.Should().BeEquivalentTo(["patient", "kneeOaConditions", "klGradeObservations", "bmiObservations", "procedures", "medicationStatements", "medicationRequests", "carePlans", "serviceRequests", "conditions"]);
            prefetch["patient"].Should().Be("Patient/{{context.patientId}}");
            prefetch["kneeOaConditions"].Should().Contain("http://snomed.info/sct|239873007");
            prefetch["klGradeObservations"].Should().Contain("urn:decision-api:knee-oa-grading|kl-grade");
            foreach (var template in prefetch.Values)
            {
                PrefetchToken().Matches(template).Select(m => m.Groups[1].Value)
                    .Should().OnlyContain(token => token == "context.patientId" || token == "context.userId" || token == "context.encounterId");
            }
        }
    }

    [Fact]
    public async Task Each_id_answers_its_own_hook_and_the_old_id_stays_an_alias_for_both_order_hooks()
    {
        var (sign, signBody) = await Call(OrderSign(Prefetch(), MscOrder()), url: "/cds-services/msc-knee-oa-order-sign");
        sign.Should().Be(HttpStatusCode.OK);
        SingleCard(signBody);

        var (wrong, wrongBody) = await Call(OrderSign(Prefetch(), MscOrder()), url: "/cds-services/msc-knee-oa-order-select");
        wrong.Should().Be(HttpStatusCode.BadRequest);
        wrongBody.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");

        var select = OrderSelect(Prefetch(), ["ServiceRequest/sr-msc"], MscOrder());
        (await Call(select, url: "/cds-services/msc-knee-oa-order-select")).Status.Should().Be(HttpStatusCode.OK);
        (await Call(select, url: "/cds-services/msc-knee-oa")).Status.Should().Be(HttpStatusCode.OK);
        (await Call(OrderSign(Prefetch(), MscOrder()), url: "/cds-services/msc-knee-oa")).Status.Should().Be(HttpStatusCode.OK);
        (await Call(OrderSign(Prefetch(), MscOrder()), url: "/cds-services/msc-knee-oa-patient-view")).Status
            .Should().Be(HttpStatusCode.NotFound, "patient-view is not enabled");
    }

    [Fact]
    public async Task A_site_that_enables_one_order_hook_is_listed_and_answered_for_that_hook_only()
    {
        // Issue #24: one alert per order. CdsHooks:Hooks lists order-sign only.
        using var signOnly = factory.WithWebHostBuilder(b => b.UseSetting("CdsHooks:Hooks:0", "order-sign"));
        var signClient = signOnly.CreateClient();
        var body = await (await signClient.GetAsync("/cds-services")).ReadJsonAsync();
        CardInvariants.NoNullOrEmpty(body, "discovery");
        var services = body.GetProperty("services").EnumerateArray().ToList();
        services.Select(s => s.GetProperty("hook").GetString()).Should().Equal("order-sign");
        services.Select(s => s.GetProperty("id").GetString()).Should().Equal("msc-knee-oa-order-sign");

        (await Call(OrderSign(Prefetch(), MscOrder()), signClient, url: "/cds-services/msc-knee-oa-order-sign")).Status.Should().Be(HttpStatusCode.OK);
        var select = OrderSelect(Prefetch(), ["ServiceRequest/sr-msc"], MscOrder());
        var (disabled, disabledBody) = await Call(select, signClient, url: "/cds-services/msc-knee-oa-order-select");
        disabled.Should().Be(HttpStatusCode.NotFound, "a disabled hook's id is refused like an unknown service id");
        disabledBody.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        var (viaAlias, aliasBody) = await Call(select, signClient, url: "/cds-services/msc-knee-oa");
        viaAlias.Should().Be(HttpStatusCode.BadRequest, "the alias answers only the enabled order hooks");
        aliasBody.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        (await Call(OrderSign(Prefetch(), MscOrder()), signClient, url: "/cds-services/msc-knee-oa")).Status.Should().Be(HttpStatusCode.OK);

        new CdsHooksOptions { Hooks = ["order-sign", "patient-view"] }.Problem(development: true).Should().Contain("CdsHooks:Hooks");
        new CdsHooksOptions { Hooks = ["order-select"] }.Problem(development: true).Should().BeNull();
    }

    [Fact]
    public async Task Patient_view_is_listed_only_when_enabled()
    {
        using var enabled = factory.WithWebHostBuilder(b => b.UseSetting("CdsHooks:PatientView:Enabled", "true"));
        var body = await (await enabled.CreateClient().GetAsync("/cds-services")).ReadJsonAsync();
        body.GetProperty("services").EnumerateArray().Select(s => s.GetProperty("hook").GetString()).Should().Contain("patient-view");

        var (status, _) = await Call(new JsonObject
        {
            ["hook"] = "patient-view", ["hookInstance"] = "x", ["context"] = new JsonObject { ["patientId"] = PatientId, ["userId"] = "Practitioner/1" },
            ["prefetch"] = Prefetch(),
        });
        status.Should().Be(HttpStatusCode.BadRequest, "patient-view is not offered by default");

        var (viewStatus, view) = await Call(new JsonObject
        {
            ["hook"] = "patient-view", ["hookInstance"] = "x", ["context"] = new JsonObject { ["patientId"] = PatientId, ["userId"] = "Practitioner/1" },
            ["prefetch"] = Prefetch(),
        }, enabled.CreateClient(), url: "/cds-services/msc-knee-oa-patient-view");
        viewStatus.Should().Be(HttpStatusCode.OK);
        SingleCard(view).GetProperty("indicator").GetString().Should().Be("info");
    }

    [Fact]
    public async Task Order_sign_with_an_MSC_order_gets_one_warning_card_with_both_caveats_and_sources()
    {
        var (status, body) = await Call(OrderSign(Prefetch(), XrayOrder(), MscOrder()));

        status.Should().Be(HttpStatusCode.OK);
        var card = SingleCard(body);
        card.GetProperty("indicator").GetString().Should().Be("warning");
        card.GetProperty("summary").GetString().Should().Contain("FDA").And.Contain("ACR/AF");
        card.GetProperty("source").GetProperty("label").GetString().Should().Contain("ACR/AF");
        card.GetProperty("source").GetProperty("url").GetString().Should().Be("https://doi.org/10.1002/acr.24131");
        var detail = card.GetProperty("detail").GetString()!;
        detail.Should().Contain(Headline("investigational-only"));
        foreach (var core in new[] { "caveat.acr-af-2019", "caveat.fda-no-approved-product" })
        {
            detail.Should().Contain(BuiltStore.Snapshot.Text("cds.caveatLine." + core).En);
        }

        detail.Should().NotContain("**Sources**", "sources live on the page, not in the card");
        card.GetProperty("source").GetProperty("topic").GetProperty("code").GetString().Should().Be("investigational-only");
        card.GetProperty("overrideReasons").EnumerateArray().Select(r => r.GetProperty("code").GetString())
            .Should().Equal("registered-trial", "shared-decision", "not-relevant", "already-reviewed");
        var link = card.GetProperty("links").EnumerateArray().Should().ContainSingle().Subject;
        link.GetProperty("type").GetString().Should().Be("absolute");
        link.GetProperty("label").GetString().Should().Be("Full evidence summary");
        link.GetProperty("url").GetString().Should().StartWith("http://localhost/summary?age=62&kl=2&");
        detail.Should().NotContain(link.GetProperty("url").GetString()!, "one link, the card's own (issue #20)");

        var json = body.GetRawText();
        json.Should().NotContain(PatientId).And.NotContain(PatientName).And.NotContain("1964");
    }

    [Fact]
    public async Task Order_sign_without_an_MSC_order_gets_no_cards()
    {
        var (status, body) = await Call(OrderSign(Prefetch(), XrayOrder()));
        status.Should().Be(HttpStatusCode.OK);
        body.GetRawText().Should().Be("""{"cards":[]}""");
    }

    [Fact]
    public async Task Order_select_acts_only_on_the_selected_orders()
    {
        var notSelected = await Call(OrderSelect(Prefetch(), ["ServiceRequest/sr-xray"], XrayOrder(), MscOrder()));
        notSelected.Status.Should().Be(HttpStatusCode.OK);
        notSelected.Body.GetProperty("cards").GetArrayLength().Should().Be(0);

        var selected = await Call(OrderSelect(Prefetch(), ["ServiceRequest/sr-msc"], XrayOrder(), MscOrder()));
        selected.Status.Should().Be(HttpStatusCode.OK);
        SingleCard(selected.Body).GetProperty("indicator").GetString().Should().Be("warning");
    }

    [Fact]
    public async Task An_MSC_order_entered_in_error_is_ignored()
    {
        var (_, body) = await Call(OrderSign(Prefetch(), MscOrder(status: "entered-in-error")));
        body.GetProperty("cards").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task A_missing_KL_grade_is_said_and_the_assessment_uses_what_is_known()
    {
        var (_, body) = await Call(OrderSign(Prefetch(kl: null), MscOrder()));
        var detail = SingleCard(body).GetProperty("detail").GetString()!;
        detail.Should().Contain("Kellgren-Lawrence grade not documented");
        detail.Should().Contain(Headline("investigational-only"));

        var url = new Uri(SingleCard(body).GetProperty("links")[0].GetProperty("url").GetString()!);
        url.Query.Should().Contain("&kl=unknown&");
        var page = await client.GetAsync(url.PathAndQuery);
        page.StatusCode.Should().Be(HttpStatusCode.OK, "the page evaluates without the KL grade, as the card did");
        var html = System.Net.WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        html.Should().Contain(Headline("investigational-only"));
        html.Should().NotContain("klGrade' is required");
    }

    [Fact]
    public async Task A_null_prefetch_key_means_no_data_and_is_said_in_the_card()
    {
        var prefetch = Prefetch();
        prefetch["klGradeObservations"] = null;
        prefetch["procedures"] = null;
        var (status, body) = await Call(OrderSign(prefetch, MscOrder()));
        status.Should().Be(HttpStatusCode.OK);
        var detail = SingleCard(body).GetProperty("detail").GetString()!;
        detail.Should().Contain("The EHR reported no Kellgren-Lawrence grade observations.");
        detail.Should().Contain("The EHR reported no procedures.");
        detail.Should().Contain(Headline("conventional-care-first"), "without the physical therapy procedure exercise is not documented");
        detail.Should().NotContain("Kellgren-Lawrence grade not documented", "the no-data line already says so");
        detail.Should().Contain("**First-line options not yet documented:**");
        detail.Should().Contain(BuiltStore.Snapshot.TreatmentsByCode["exercise-therapy"].Label.En);
        var untried = detail[detail.IndexOf("**First-line options not yet documented:**", StringComparison.Ordinal)..];
        untried = untried[..untried.IndexOf('\n', StringComparison.Ordinal)];
        untried.Should().NotContain(BuiltStore.Snapshot.TreatmentsByCode["oral-nsaid"].Label.En, "naproxen is in the medication statements");
    }

    [Theory]
    [InlineData("1946-11-21", "outside-evidence-base")]
    [InlineData("1946-11-22", "investigational-only")]
    [InlineData("2008-11-21", "investigational-only")]
    [InlineData("2008-11-22", "outside-evidence-base")]
    public async Task Age_comes_from_the_birth_date_with_the_injected_clock(string birthDate, string category)
    {
        // Today is 2026-11-21: born 1946-11-21 is 80 today, one day later still 79; born 2008-11-22 is still 17.
        var (_, body) = await Call(OrderSign(Prefetch(birthDate: birthDate), MscOrder()));
        SingleCard(body).GetProperty("detail").GetString().Should().Contain(Headline(category));
    }

    [Fact]
    public async Task Resources_not_in_force_are_ignored()
    {
        var prefetch = Prefetch(kl: 2);
        prefetch["klGradeObservations"] = Bundle(KlGrade(4, status: "entered-in-error", date: "2026-10-01"), KlGrade(2, date: "2025-01-01"));
        prefetch["procedures"] = Bundle(Procedure(Snomed, "91251008"), Procedure(Snomed, "609588000", status: "entered-in-error"));
        var (_, body) = await Call(OrderSign(prefetch, MscOrder()));
        SingleCard(body).GetProperty("detail").GetString().Should().Contain(Headline("investigational-only"));

        prefetch["procedures"] = Bundle(Procedure(Snomed, "91251008"), Procedure(Snomed, "609588000"));
        var (_, replaced) = await Call(OrderSign(prefetch, MscOrder()));
        SingleCard(replaced).GetProperty("detail").GetString().Should().Contain(Headline("not-applicable"));
    }

    [Fact]
    public async Task The_most_recent_KL_grade_wins()
    {
        var prefetch = Prefetch();
        prefetch["klGradeObservations"] = Bundle(KlGrade(2, date: "2023-01-01"), KlGrade(4, date: "2026-09-01"));
        var (_, body) = await Call(OrderSign(prefetch, MscOrder()));
        SingleCard(body).GetProperty("detail").GetString().Should().Contain(Headline("arthroplasty-evaluation"));
    }

    [Fact]
    public async Task Missing_prefetch_without_a_fhir_server_is_412_and_the_service_stays_up()
    {
        var request = OrderSign(null, MscOrder());
        var (status, body) = await Call(request);
        status.Should().Be(HttpStatusCode.PreconditionFailed);
        body.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        body.GetProperty("issue")[0].GetProperty("diagnostics").GetString().Should().Contain("patient").And.NotContain("procedures");

        var partial = Prefetch();
        partial.Remove("medicationRequests");
        var (partialStatus, _) = await Call(OrderSign(partial, MscOrder()));
        partialStatus.Should().Be(HttpStatusCode.OK, "only the Patient is required");

        (await client.GetAsync("/cds-services")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_request_without_prefetch_and_without_an_MSC_order_needs_no_data()
    {
        var (status, body) = await Call(OrderSign(null, XrayOrder()));
        status.Should().Be(HttpStatusCode.OK);
        body.GetProperty("cards").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task Missing_prefetch_is_fetched_from_an_allowlisted_fhir_server_with_the_bearer_token()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        var full = Prefetch(kl: 4);
        fhir.Responses["Patient"] = full["patient"]!.DeepClone();
        fhir.Responses["Condition"] = full["kneeOaConditions"]!.DeepClone();
        fhir.Responses["Observation"] = full["klGradeObservations"]!.DeepClone();
        fhir.Responses["Procedure"] = full["procedures"]!.DeepClone();
        fhir.Responses["MedicationStatement"] = full["medicationStatements"]!.DeepClone();
        fhir.Responses["MedicationRequest"] = full["medicationRequests"]!.DeepClone();
        fhir.Responses["CarePlan"] = full["carePlans"]!.DeepClone();
        fhir.Responses["ServiceRequest"] = full["serviceRequests"]!.DeepClone();
        using var allowed = factory.WithWebHostBuilder(b => b.UseSetting("CdsHooks:FhirServerAllowlist:0", fhir.BaseUrl));

        var request = OrderSign(null, MscOrder());
        request["fhirServer"] = fhir.BaseUrl;
        request["fhirAuthorization"] = new JsonObject
        {
            ["access_token"] = "secret-token-123", ["token_type"] = "Bearer", ["expires_in"] = 300, ["scope"] = "patient/*.read", ["subject"] = "cds",
        };
        var (status, body) = await Call(request, allowed.CreateClient());

        status.Should().Be(HttpStatusCode.OK);
        SingleCard(body).GetProperty("detail").GetString().Should().Contain(Headline("arthroplasty-evaluation"));
        fhir.Requests.Should().HaveCount(PrefetchKeys.All.Length).And.OnlyContain(r => r.Authorization == "Bearer secret-token-123");
        fhir.Requests.Should().Contain(r => r.PathAndQuery == "/fhir/Patient/" + PatientId);
        factory.Logs.Messages.Should().NotContain(m => m.Contains("secret-token-123", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fhir_server_not_on_the_allowlist_is_never_called()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.Responses["Patient"] = Patient("1960-01-01");
        var request = OrderSign(null, MscOrder());
        request["fhirServer"] = fhir.BaseUrl;
        var (status, _) = await Call(request);
        status.Should().Be(HttpStatusCode.PreconditionFailed);
        fhir.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task A_failing_or_slow_fhir_server_gives_412_not_500()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.Delay = TimeSpan.FromSeconds(5);
        using var allowed = factory.WithWebHostBuilder(b => b
            .UseSetting("CdsHooks:FhirServerAllowlist:0", fhir.BaseUrl)
            .UseSetting("CdsHooks:FhirTimeoutSeconds", "0.5"));
        var request = OrderSign(null, MscOrder());
        request["fhirServer"] = fhir.BaseUrl;
        var (status, body) = await Call(request, allowed.CreateClient());
        status.Should().Be(HttpStatusCode.PreconditionFailed);
        body.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
    }

    [Fact]
    public async Task A_paged_prefetch_follows_next_links_on_the_allowlisted_server_and_otherwise_says_it_was_partial()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        var firstPage = Bundle(Procedure(Snomed, "91251008"));
        firstPage["link"] = new JsonArray(new JsonObject { ["relation"] = "next", ["url"] = fhir.BaseUrl + "/Procedure/page2" });
        fhir.Responses["page2"] = Bundle(Procedure(Snomed, "609588000"));
        var prefetch = Prefetch();
        prefetch["procedures"] = firstPage;

        var notAllowed = await Call(OrderSign(prefetch.DeepClone().AsObject(), MscOrder()));
        var partialDetail = SingleCard(notAllowed.Body).GetProperty("detail").GetString()!;
        partialDetail.Should().Contain("procedures: only part of the results was available.");
        partialDetail.Should().Contain(Headline("investigational-only"));

        using var allowed = factory.WithWebHostBuilder(b => b.UseSetting("CdsHooks:FhirServerAllowlist:0", fhir.BaseUrl));
        var request = OrderSign(prefetch, MscOrder());
        request["fhirServer"] = fhir.BaseUrl;
        var (_, body) = await Call(request, allowed.CreateClient());
        SingleCard(body).GetProperty("detail").GetString().Should().Contain(Headline("not-applicable"), "page 2 holds a knee replacement");
    }

    [Fact]
    public async Task Card_language_follows_accept_language_or_configuration()
    {
        var (_, chinese) = await Call(OrderSign(Prefetch(), MscOrder()), acceptLanguage: "zh-CN");
        var card = SingleCard(chinese);
        card.GetProperty("summary").GetString().Should().MatchRegex(@"\p{IsCJKUnifiedIdeographs}");
        card.GetProperty("overrideReasons")[0].GetProperty("display").GetString().Should().MatchRegex(@"\p{IsCJKUnifiedIdeographs}");

        using var configured = factory.WithWebHostBuilder(b => b.UseSetting("CdsHooks:Language", "zh"));
        var (_, fromConfig) = await Call(OrderSign(Prefetch(), MscOrder()), configured.CreateClient(), acceptLanguage: "en");
        SingleCard(fromConfig).GetProperty("detail").GetString().Should().MatchRegex(@"\p{IsCJKUnifiedIdeographs}");
    }

    [Fact]
    public async Task The_card_link_carries_no_identifier_and_opens_the_same_assessment()
    {
        var (_, body) = await Call(OrderSign(Prefetch(birthDate: "1929-02-11", kl: 3), MscOrder()));
        var card = SingleCard(body);
        var url = card.GetProperty("links")[0].GetProperty("url").GetString()!;
        url.Should().StartWith("http://localhost/summary?age=90&kl=3&", "ages above 90 are written as 90");
        url.Should().NotContain(PatientId).And.NotContain(PatientName).And.NotContain("1929").And.NotContain("prac-17").And.NotContain("sr-msc");
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(url).Query).Keys
            .Should().BeSubsetOf(DecisionApi.Features.Summary.SummaryLink.Parameters);

        var page = await client.GetAsync(new Uri(url).PathAndQuery);
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        var html = System.Net.WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        html.Should().Contain(Headline("outside-evidence-base"));
        html.Should().Contain("category-" + card.GetProperty("source").GetProperty("topic").GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_configured_portal_gets_a_link()
    {
        using var portal = factory.WithWebHostBuilder(b => b.UseSetting("CdsHooks:PortalUrl", "https://portal.example.org/msc-evidence"));
        var (_, body) = await Call(OrderSign(Prefetch(), MscOrder()), portal.CreateClient());
        var link = SingleCard(body).GetProperty("links").EnumerateArray().Should().ContainSingle().Subject;
        link.GetProperty("url").GetString().Should().StartWith("https://portal.example.org/msc-evidence?age=62&kl=2&").And.EndWith("&lang=en");
        link.GetProperty("type").GetString().Should().Be("absolute");
    }

    [Theory]
    [InlineData("""{"hook":"order-sign",""", HttpStatusCode.BadRequest)]
    [InlineData("[]", HttpStatusCode.BadRequest)]
    [InlineData("""{"hookInstance":"x","context":{}}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"hook":"order-sign","context":{}}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"hook":"order-sign","hookInstance":"x"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"hook":"order-sign","hookInstance":"x","context":"nope"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"hook":"order-sign","hookInstance":"x","context":{"draftOrders":"nope"}}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"hook":"order-select","hookInstance":"x","context":{"draftOrders":{"resourceType":"Bundle"}}}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"hook":"encounter-start","hookInstance":"x","context":{}}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"hook":"order-sign","hookInstance":"x","context":{"patientId":"pat-1","draftOrders":{"entry":[{"resource":{"resourceType":"ServiceRequest","code":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"0566T"}]}}}]}},"prefetch":{"patient":42,"kneeOaConditions":"x","klGradeObservations":[1,2],"procedures":{"entry":7},"medicationStatements":true,"medicationRequests":{"resourceType":"Bundle","entry":[null,{"resource":null}]}}}""", HttpStatusCode.OK)]
    [InlineData("""{"hook":"order-sign","hookInstance":"x","context":{"patientId":"pat-1","draftOrders":{"entry":[{"resource":{"resourceType":"ServiceRequest","code":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"0566T"}]}}}]}},"prefetch":{"patient":{"resourceType":"Patient","birthDate":"not-a-date"},"kneeOaConditions":null,"klGradeObservations":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"urn:decision-api:knee-oa-grading","code":"kl-grade"}]},"valueInteger":99}}]},"procedures":null,"medicationStatements":null,"medicationRequests":null}}""", HttpStatusCode.OK)]
    public async Task Whatever_the_EHR_sends_the_answer_is_never_a_500(string body, HttpStatusCode expected)
    {
        var response = await client.PostAsync(ServiceUrl, new StringContent(body, Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(expected);
        var text = await response.Content.ReadAsStringAsync();
        var json = JsonDocument.Parse(text).RootElement;
        if (expected == HttpStatusCode.OK)
        {
            CardInvariants.Check(json);
        }
        else
        {
            json.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
            json.GetProperty("issue")[0].GetProperty("diagnostics").GetString().Should().NotBeNullOrWhiteSpace();
        }
    }

    [Fact]
    public async Task An_unknown_service_is_404_and_a_non_json_body_is_415()
    {
        var unknown = await client.PostAsync("/cds-services/statin-use", HttpAssertions.Json(OrderSign(Prefetch(), MscOrder()).ToJsonString()));
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await unknown.ReadJsonAsync()).GetProperty("resourceType").GetString().Should().Be("OperationOutcome");

        var text = await client.PostAsync(ServiceUrl, new StringContent("hook=order-sign", Encoding.UTF8, "application/x-www-form-urlencoded"));
        text.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_body_over_the_CDS_Hooks_limit_is_413()
    {
        var request = OrderSign(Prefetch(), MscOrder());
        request["padding"] = new string('x', 1_100_000);
        var response = await client.PostAsync(ServiceUrl, HttpAssertions.Json(request.ToJsonString()));
        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task CORS_allows_configured_origins_with_the_authorization_header()
    {
        using var cors = factory.WithWebHostBuilder(b => b.UseSetting("CdsHooks:AllowedOrigins:0", "https://sandbox.cds-hooks.org"));
        using var preflight = new HttpRequestMessage(HttpMethod.Options, ServiceUrl);
        preflight.Headers.Add("Origin", "https://sandbox.cds-hooks.org");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        var response = await cors.CreateClient().SendAsync(preflight);
        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        response.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal("https://sandbox.cds-hooks.org");
        string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers")).Should().ContainEquivalentOf("authorization");

        using var other = new HttpRequestMessage(HttpMethod.Options, ServiceUrl);
        other.Headers.Add("Origin", "https://evil.example");
        other.Headers.Add("Access-Control-Request-Method", "POST");
        var refused = await cors.CreateClient().SendAsync(other);
        refused.Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse();
    }

    [GeneratedRegex(@"\{\{([^}]*)\}\}")]
    private static partial Regex PrefetchToken();
}
