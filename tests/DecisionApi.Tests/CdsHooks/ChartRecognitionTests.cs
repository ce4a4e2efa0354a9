using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DecisionApi.Features.CdsHooks;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using DecisionApi.Tests.Support;
using static DecisionApi.Tests.CdsHooks.CdsFixtures;
using static DecisionApi.Tests.CdsHooks.ChartFixtures;

namespace DecisionApi.Tests.CdsHooks;

/// <summary>Issue 7: first-line care recognised in charts shaped like real EHR and synthetic-generator data.</summary>
public sealed class ChartRecognitionTests(CdsHooksFactory factory) : IClassFixture<CdsHooksFactory>
{
    private const string ServiceUrl = "/cds-services/msc-knee-oa";
    private static readonly ChartReader Reader = NewReader();

    public static TheoryData<Chart> Charts() => [.. ChartFixtures.All()];

    private static ChartReader NewReader()
    {
        var codes = new FhirCodeMap(BuiltStore.Snapshot);
        return new ChartReader(codes, new TreatmentRecogniser(BuiltStore.Snapshot), new FixedTimeProvider(CdsHooksFactory.Today));
    }

    /// <summary>What the resolver makes of a prefetch the EHR sent: null means no data, anything else is read as sent.</summary>
    public static ResolvedPrefetch Resolve(JsonObject prefetch)
    {
        var resolved = new ResolvedPrefetch();
        using var document = JsonDocument.Parse(prefetch.ToJsonString());
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                resolved.NoData.Add(property.Name);
            }
            else
            {
                resolved.Add(property.Name, property.Value.Clone());
            }
        }

        return resolved;
    }

    [Fact]
    public void The_fixture_set_has_at_least_twelve_charts_with_distinct_names()
    {
        var charts = ChartFixtures.All().ToList();
        charts.Should().HaveCountGreaterThanOrEqualTo(12);
        charts.Select(c => c.Name).Should().OnlyHaveUniqueItems();
        charts.Select(c => c.Category).Should().Contain(["conventional-care-first", "investigational-only", "arthroplasty-evaluation", "not-applicable"]);
    }

    [Theory]
    [MemberData(nameof(Charts))]
    public void Each_chart_gets_its_category_and_exactly_its_recognised_treatments(Chart chart)
    {
        var reading = Reader.Read(Resolve(chart.Prefetch));

        reading.Recognised.Select(r => (r.Treatment, r.By.ToString())).Should().BeEquivalentTo(chart.Recognised, chart.Name);
        reading.Profile.PriorTreatments.Should().BeEquivalentTo(chart.Recognised.Select(r => r.Treatment));
        BuiltStore.Evaluator.Evaluate(reading.Profile, Language.En).Assessment.Category.Should().Be(chart.Category, chart.Name);
    }

    [Theory]
    [MemberData(nameof(Charts))]
    public async Task Each_chart_gets_its_category_through_the_service(Chart chart)
    {
        var (status, body) = await Call(OrderSign(chart.Prefetch, MscOrder()));

        status.Should().Be(HttpStatusCode.OK);
        Detail(body).Should().Contain(Headline(chart.Category), chart.Name);
    }

    [Fact]
    public async Task Data_about_another_patient_is_not_read_as_this_patients_chart()
    {
        // Another patient's naproxen and physical therapy, mixed into this patient's prefetch (absolute and relative references).
        var naproxen = SyntheaNaproxenFor("Patient/someone-else");
        var therapy = ProcedureOf("proc-other", CodeableConcept(Snomed, "91251008", "Physical therapy procedure (regime/therapy)"));
        therapy["subject"] = new JsonObject { ["reference"] = "https://ehr.example.org/fhir/Patient/someone-else/_history/3" };
        var chart = ChartWith(kl: 3, procedures: [therapy], requests: [naproxen]);
        var (status, body) = await Call(OrderSign(chart, MscOrder()));
        status.Should().Be(HttpStatusCode.OK);
        Detail(body).Should().Contain(Headline("conventional-care-first"), "the other patient's first-line care does not count")
            .And.NotContain("found in the chart");

        // The same resources naming this patient are read.
        var own = ChartWith(kl: 3, procedures: [ProcedureOf("proc-pt", CodeableConcept(Snomed, "91251008", "Physical therapy procedure (regime/therapy)"))],
            requests: [SyntheaNaproxenFor("Patient/" + PatientId)]);
        Detail((await Call(OrderSign(own, MscOrder()))).Body).Should().Contain("found in the chart");

        // A Patient resource for someone else is no Patient for this call: the request is refused (issue #22, 400).
        var wrongPatient = ChartWith();
        wrongPatient["patient"]!["id"] = "someone-else";
        var (refused, outcome) = await Call(OrderSign(wrongPatient, MscOrder()));
        refused.Should().Be(HttpStatusCode.BadRequest);
        outcome.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        outcome.GetProperty("issue")[0].GetProperty("diagnostics").GetString().Should().Contain("context.patientId");
    }

    [Theory]
    [InlineData("Patient/123", "123")]
    [InlineData("https://ehr.example.org/fhir/Patient/123/_history/2", "123")]
    [InlineData("Group/7", null)]
    [InlineData("urn:uuid:4f1c", null)]
    [InlineData("Patient/", null)]
    public void Patient_references_are_parsed_in_their_common_forms(string reference, string? id) =>
        FhirJson.PatientIdOf(reference).Should().Be(id);

    private static JsonObject SyntheaNaproxenFor(string subject)
    {
        var request = MedicationRequest("mr-nap", CodeableConcept(RxNorm, "849574", "Naproxen sodium 220 MG Oral Tablet", "Naproxen sodium 220 MG Oral Tablet"));
        request["subject"] = new JsonObject { ["reference"] = subject };
        return request;
    }

    [Fact]
    public void Topical_or_oral_is_told_by_the_dose_form_words_and_the_form_or_route()
    {
        RecognisedFrom(MedicationStatementOf("a", CodeableConcept(null, null, null, "Diclofenac sodium 1% topical gel"))).Should().ContainSingle()
            .Which.Should().Be(new RecognisedTreatment("topical-nsaid", RecognisedBy.Text, null, "diclofenac", "topical"));
        RecognisedFrom(MedicationStatementOf("b", CodeableConcept(null, null, null, "Diclofenac 50 mg tablet"))).Should().ContainSingle()
            .Which.Treatment.Should().Be("oral-nsaid");
        RecognisedFrom(MedicationStatementOf("c", CodeableConcept(RxNorm, "3355", "Diclofenac"))).Should().ContainSingle()
            .Which.Should().Be(new RecognisedTreatment("oral-nsaid", RecognisedBy.Code, "3355", null, null));

        var routed = MedicationStatementOf("d", CodeableConcept(RxNorm, "3355", "Diclofenac"));
        routed["dosage"] = new JsonArray(new JsonObject { ["route"] = CodeableConcept(null, null, null, "Topical") });
        RecognisedFrom(routed).Should().ContainSingle().Which.Should().Be(new RecognisedTreatment("topical-nsaid", RecognisedBy.Code, "3355", null, "topical"));

        RecognisedFrom(MedicationStatementOf("f", CodeableConcept(null, null, null, "Flector 1.3% patch, apply to the knee twice daily"))).Should().ContainSingle()
            .Which.Should().Be(new RecognisedTreatment("topical-nsaid", RecognisedBy.Text, null, "Flector", "patch"));

        var formed = MedicationRequestFor("e", "#m", contained: Medication("m", ingredient: CodeableConcept(RxNorm, "7258", "Naproxen"), form: CodeableConcept(null, null, null, "Cream")));
        RecognisedFrom(formed, "medicationRequests").Should().ContainSingle().Which.Treatment.Should().Be("topical-nsaid");
    }

    [Fact]
    public void Names_match_case_insensitively_on_word_boundaries_only()
    {
        RecognisedFrom(MedicationStatementOf("a", CodeableConcept(null, null, null, "IBUPROFEN 400MG"))).Should().ContainSingle().Which.Term.Should().Be("ibuprofen");
        RecognisedFrom(MedicationStatementOf("b", CodeableConcept(null, null, null, "ibuprofen/paracetamol 200/500"))).Select(r => r.Treatment)
            .Should().BeEquivalentTo(["oral-nsaid", "acetaminophen"]);
        RecognisedFrom(MedicationStatementOf("c", CodeableConcept(null, null, null, "dexibuprofenate"))).Should().BeEmpty();
        RecognisedFrom(ProcedureOf("d", CodeableConcept(null, null, null, "Physical   therapy")), "procedures").Should().ContainSingle()
            .Which.Treatment.Should().Be("exercise-therapy");
    }

    [Fact]
    public void A_medication_reference_that_resolves_to_nothing_is_not_a_treatment()
    {
        RecognisedFrom(MedicationRequestFor("a", "Medication/absent"), "medicationRequests").Should().BeEmpty();
        RecognisedFrom(MedicationRequestFor("b", "#absent"), "medicationRequests").Should().BeEmpty();
    }

    [Fact]
    public async Task The_card_lists_first_line_care_found_by_name_only()
    {
        var chart = ChartFixtures.All().First(c => c.Name.StartsWith("KL 4 on diclofenac gel", StringComparison.Ordinal));
        var (_, body) = await Call(OrderSign(chart.Prefetch, MscOrder()));
        var detail = Detail(body);

        // Issue #20: found items by name only; how each was recognised is not card text (no integrator provenance).
        detail.Should().Contain("**First-line care found in the chart:** ");
        detail.Should().Contain("Topical NSAID").And.Contain("Structured exercise or physical therapy");
        detail.Should().NotContain("by code").And.NotContain("by name in the record text");
        detail.Should().NotContain("Home exercise therapy programme", "the chart's own text is never echoed");

        var zh = Detail((await Call(OrderSign(chart.Prefetch, MscOrder()), "zh")).Body);
        zh.Should().Contain("**病历中记录的一线治疗:** ").And.Contain("外用非甾体抗炎药（NSAID）").And.NotContain("依据代码");
    }

    [Fact]
    public async Task Only_first_line_care_is_listed_as_found()
    {
        var chart = ChartFixtures.All().First(c => c.Name.StartsWith("Intra-articular", StringComparison.Ordinal));
        var detail = Detail((await Call(OrderSign(chart.Prefetch, MscOrder()))).Body);
        detail.Should().Contain("Oral NSAID").And.NotContain("Intra-articular corticosteroid injection");
    }

    // KL 3, physical therapy and naproxen tried: only the BMI can send this patient to conventional-care-first.
    private static JsonObject TriedCareWithBmi(params JsonObject[] bmi)
    {
        var chart = ChartWith(kl: 3, procedures: [ProcedureOf("proc-pt", CodeableConcept(Snomed, "91251008", "Physical therapy procedure (regime/therapy)"))],
            requests: [SyntheaNaproxenFor("Patient/" + PatientId)]);
        chart["bmiObservations"] = Bundle(bmi);
        return chart;
    }

    [Fact]
    public async Task A_charted_BMI_of_30_or_more_without_weight_management_gives_conventional_care_first()
    {
        var reading = Reader.Read(Resolve(TriedCareWithBmi(Bmi(34.2))));
        reading.Profile.Bmi.Should().Be(34.2);
        reading.Unknowns.Should().NotContain(u => u.Key == "cds.unknown.bmi");

        var (status, body) = await Call(OrderSign(TriedCareWithBmi(Bmi(34.2)), MscOrder()));
        status.Should().Be(HttpStatusCode.OK);
        var card = body.GetProperty("cards")[0];
        Detail(body).Should().Contain(Headline("conventional-care-first")).And.NotContain("BMI not documented");
        card.GetProperty("links")[0].GetProperty("url").GetString().Should().Contain("bmi=34.2", "the evidence page evaluates the same profile");

        // Without a BMI the same chart is investigational-only, and the card says why the check was not applied.
        var (_, without) = await Call(OrderSign(TriedCareWithBmi(), MscOrder()));
        Detail(without).Should().Contain(Headline("investigational-only")).And.Contain("BMI not documented, so the weight-management check was not applied.");
    }

    public static TheoryData<string, JsonObject> UnusableBmi => new()
    {
        { "entered in error", Bmi(34.2, status: "entered-in-error") },
        { "cancelled", Bmi(34.2, status: "cancelled") },
        { "pounds per square inch", Bmi(34.2, unitCode: "[lb_av]/[in_i]2") },
        { "out of range", Bmi(340) },
    };

    [Theory]
    [MemberData(nameof(UnusableBmi))]
    public void A_BMI_that_cannot_be_used_is_not_documented(string why, JsonObject observation)
    {
        var reading = Reader.Read(Resolve(TriedCareWithBmi(observation)));
        reading.Profile.Bmi.Should().BeNull(why);
        reading.Unknowns.Should().Contain(u => u.Key == "cds.unknown.bmi", why);
    }

    [Fact]
    public void The_latest_BMI_counts()
    {
        var reading = Reader.Read(Resolve(TriedCareWithBmi(Bmi(34.2, date: "2025-01-10"), Bmi(28.4, date: "2026-09-01"), Bmi(31.0, date: "2024-05-05"))));
        reading.Profile.Bmi.Should().Be(28.4);
        BuiltStore.Evaluator.Evaluate(reading.Profile, Language.En).Assessment.Category.Should().Be("investigational-only");
    }

    [Fact]
    public async Task BMI_observations_the_EHR_did_not_send_are_said_to_be_unavailable_not_undocumented()
    {
        var chart = TriedCareWithBmi();
        chart.Remove("bmiObservations");
        var detail = Detail((await Call(OrderSign(chart, MscOrder()))).Body);
        detail.Should().Contain("BMI observations: could not be retrieved from the EHR").And.NotContain("BMI not documented");

        var body = await (await factory.CreateClient().GetAsync("/cds-services")).ReadJsonAsync();
        body.GetProperty("services")[0].GetProperty("prefetch").GetProperty("bmiObservations").GetString()
            .Should().Be("Observation?patient={{context.patientId}}&code=http://loinc.org|39156-5&_sort=-date&_count=5");
    }

    [Fact]
    public async Task Care_plans_and_service_requests_sent_as_null_are_said_to_be_missing_from_the_chart()
    {
        var prefetch = ChartWith();
        prefetch["carePlans"] = null;
        prefetch["serviceRequests"] = null;
        var detail = Detail((await Call(OrderSign(prefetch, MscOrder()))).Body);
        detail.Should().Contain("The EHR reported no care plans.").And.Contain("The EHR reported no completed referrals and service requests.");
        detail.Should().NotContain("First-line care found in the chart");
    }

    [Fact]
    public async Task Discovery_asks_for_care_plans_and_completed_service_requests_and_all_medications()
    {
        var body = await (await factory.CreateClient().GetAsync("/cds-services")).ReadJsonAsync();
        var prefetch = body.GetProperty("services")[0].GetProperty("prefetch");
        prefetch.GetProperty("carePlans").GetString().Should().Be("CarePlan?patient={{context.patientId}}&status=active,completed");
        prefetch.GetProperty("serviceRequests").GetString().Should().Be("ServiceRequest?patient={{context.patientId}}&status=completed");
        prefetch.GetProperty("medicationRequests").GetString().Should().Be("MedicationRequest?patient={{context.patientId}}");
    }

    [Fact]
    public void Every_recognition_entry_has_a_source_and_a_verification_and_names_a_known_treatment()
    {
        var store = BuiltStore.Snapshot;
        store.Recognition.Should().NotBeEmpty();
        store.Recognition.Should().OnlyContain(r => (r.Source.Url ?? r.Source.Doi ?? r.Source.Pmid) != null);
        store.Recognition.Should().OnlyContain(r => r.Verification == "verified" || r.Verification == "secondary");
        store.Recognition.Where(r => r.Kind is not (Vocab.RecognitionKinds.TopicalForm or Vocab.RecognitionKinds.HistoryNotDoneCue or Vocab.RecognitionKinds.ConditionMedicationName))
            .Should().OnlyContain(r => store.TreatmentsByCode.ContainsKey(r.Treatment!));
        store.Recognition.Where(r => r.Kind == Vocab.RecognitionKinds.ConditionMedicationName)
            .Should().OnlyContain(r => store.ConditionsByCode.ContainsKey(r.Treatment!));
        store.Sources.Where(s => s.Kind == "terminology").Should().NotBeEmpty();
        store.Texts.Keys.Where(k => k.StartsWith("cds.recognisedBy.", StringComparison.Ordinal)).Should().HaveCount(5);
    }

    private static List<RecognisedTreatment> RecognisedFrom(JsonObject resource, string key = "medicationStatements")
    {
        var prefetch = ChartWith();
        prefetch[key] = Bundle(resource);
        return [.. Reader.Read(Resolve(prefetch)).Recognised];
    }

    // The headline's fixed part: a category that names its reason (issue #20) has it after the "{reason}" placeholder.
    private static string Headline(string category) => BuiltStore.Snapshot.Statements.Single(s => s.Id == "assessment." + category).Headline.En.Split("{reason}")[0];

    private static string Detail(JsonElement body) =>
        body.GetProperty("cards").EnumerateArray().Should().ContainSingle().Subject.GetProperty("detail").GetString()!;

    private async Task<(HttpStatusCode Status, JsonElement Body)> Call(JsonNode request, string? acceptLanguage = null)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, ServiceUrl) { Content = HttpAssertions.Json(request.ToJsonString()) };
        if (acceptLanguage is not null)
        {
            message.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        var response = await factory.CreateClient().SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            CardInvariants.Check(body);
        }

        return (response.StatusCode, body);
    }
}
