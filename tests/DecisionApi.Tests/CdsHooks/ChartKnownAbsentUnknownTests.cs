using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DecisionApi.Tests.Support;
using static DecisionApi.Tests.CdsHooks.CdsFixtures;
using static DecisionApi.Tests.CdsHooks.ChartFixtures;

namespace DecisionApi.Tests.CdsHooks;

/// <summary>
/// Issue #20, known / absent / unknown: every fact is found, searched and not found, or could not be checked; the card
/// never states one as another, and its summary and Assessment line name the branch that holds.
/// </summary>
public sealed class ChartKnownAbsentUnknownTests(CdsHooksFactory factory) : IClassFixture<CdsHooksFactory>
{
    private const string ServiceUrl = "/cds-services/msc-knee-oa";
    private const string NotDocumentedHeading = "**Not documented in the chart:**";
    private const string UncheckedHeading = "**Could not be checked:**";

    private static JsonObject PhysicalTherapy() => ProcedureOf("proc-pt", CodeableConcept(Snomed, "91251008", "Physical therapy procedure (regime/therapy)"));

    private static JsonObject Naproxen() =>
        MedicationRequest("mr-naproxen", CodeableConcept(RxNorm, "849574", "Naproxen sodium 220 MG Oral Tablet", "Naproxen sodium 220 MG Oral Tablet"));

    [Fact]
    public async Task Only_the_patient_says_could_not_be_checked_never_not_documented()
    {
        var prefetch = new JsonObject { ["patient"] = Patient("1961-08-09") };

        var card = await Card(prefetch);

        card.Summary.Should().StartWith("Exercise records and medications not checked;").And.Contain("FDA").And.Contain("ACR/AF");
        card.Detail.Should().Contain("First-line care comes first: exercise therapy could not be checked")
            .And.Contain("medications could not be checked, so NSAID use is unknown");
        card.Detail.Should().Contain(UncheckedHeading).And.Contain("medication orders: could not be retrieved")
            .And.Contain("Exclusion conditions (infection, malignancy, pregnancy, immunosuppression, inflammatory arthritis, bleeding disorder) could not be checked");
        card.Detail.Should().NotContain(NotDocumentedHeading, "nothing was searched and not found")
            .And.NotContain("not documented").And.NotContain("no exercise therapy documented");
    }

    [Fact]
    public async Task Medication_orders_as_an_operation_outcome_make_the_NSAID_branch_not_checked()
    {
        var prefetch = ChartWith(procedures: [PhysicalTherapy()]);
        prefetch["medicationRequests"] = OperationOutcome();

        var card = await Card(prefetch);

        card.Summary.Should().StartWith("Medications not checked;");
        card.Detail.Should().Contain("**Assessment:** First-line care comes first: medications could not be checked, so NSAID use is unknown.");
        card.Detail.Should().Contain(UncheckedHeading).And.Contain("medication orders: could not be retrieved from the EHR");
        card.Detail.Should().NotContain("no NSAID").And.NotContain("No NSAID");
    }

    /// <summary>Each prefetch key the EHR could not supply (an OperationOutcome in its place): the card says that key could
    /// not be retrieved, and says nothing resting on it is "not documented" / "not found". (Without the Patient there is no
    /// card: 412, see CdsHooksServiceTests.)</summary>
    public static TheoryData<string, string, string> EachMissingKey() => new()
    {
        { "kneeOaConditions", "knee osteoarthritis diagnoses", "No knee osteoarthritis diagnosis was found in the chart." },
        { "klGradeObservations", "Kellgren-Lawrence grade observations", "Kellgren-Lawrence grade not documented." },
        { "bmiObservations", "BMI observations", "BMI not documented" },
        { "procedures", "procedures", "no exercise therapy documented" },
        { "carePlans", "care plans", "no exercise therapy documented" },
        { "serviceRequests", "completed referrals and service requests", "no exercise therapy documented" },
        { "medicationRequests", "medication orders", "no NSAID (topical or oral) documented" },
        { "medicationStatements", "medication statements", "no NSAID (topical or oral) documented" },
        { "conditions", "conditions (problem list)", "were not found coded in the chart" },
    };

    [Theory]
    [MemberData(nameof(EachMissingKey))]
    public async Task Each_key_the_EHR_could_not_supply_is_reported_as_not_checked_and_never_as_not_documented(string key, string label, string notDocumented)
    {
        // Nothing else documented: exercise and NSAID both absent unless their key is the missing one.
        var prefetch = ChartWith();
        prefetch[key] = OperationOutcome();

        var card = await Card(prefetch);

        card.Detail.Should().Contain(UncheckedHeading).And.Contain(label + ": could not be retrieved from the EHR");
        card.Detail.Should().NotContain(notDocumented, key + " could not be retrieved, so nothing resting on it was searched and not found");
        card.Summary.Should().Contain("FDA").And.Contain("ACR/AF");
    }

    [Fact]
    public async Task Medication_records_searched_and_empty_say_not_documented()
    {
        var card = await Card(ChartWith(procedures: [PhysicalTherapy()]));

        card.Summary.Should().StartWith("No NSAID documented;");
        card.Detail.Should().Contain("**Assessment:** First-line care comes first: no NSAID (topical or oral) documented.");
        card.Detail.Should().NotContain(UncheckedHeading);
    }

    [Fact]
    public async Task An_unresolvable_medication_reference_is_reported_as_could_not_be_read()
    {
        var card = await Card(ChartWith(procedures: [PhysicalTherapy()], requests: [MedicationRequestFor("mr-ref", "Medication/not-sent")]));

        card.Detail.Should().Contain(UncheckedHeading).And.Contain("Some medications could not be read");
        card.Detail.Should().Contain("medications could not be checked, so NSAID use is unknown");
        card.Summary.Should().StartWith("Medications not checked;");
    }

    [Fact]
    public async Task A_code_only_drug_the_store_does_not_list_is_reported_as_could_not_be_read()
    {
        var codeOnly = MedicationRequest("mr-code", Coding(RxNorm, "1049221"));

        var card = await Card(ChartWith(procedures: [PhysicalTherapy()], requests: [codeOnly]));

        card.Detail.Should().Contain("Some medications could not be read");
        card.Summary.Should().StartWith("Medications not checked;");
    }

    [Fact]
    public async Task A_named_drug_that_is_not_first_line_care_is_read_and_not_reported()
    {
        var metformin = MedicationRequest("mr-met", CodeableConcept(RxNorm, "860975", "metformin hydrochloride 500 MG Oral Tablet"));

        var card = await Card(ChartWith(procedures: [PhysicalTherapy()], requests: [metformin, Naproxen()]));

        card.Detail.Should().NotContain("could not be read").And.NotContain(UncheckedHeading);
    }

    [Fact]
    public async Task Each_branch_is_named_the_exercise_branch()
    {
        var card = await Card(ChartWith(requests: [Naproxen()]));

        card.Summary.Should().StartWith("No exercise documented;");
        card.Detail.Should().Contain("**Assessment:** First-line care comes first: no exercise therapy documented.");
    }

    [Fact]
    public async Task Each_branch_is_named_bmi_with_no_weight_management_when_exercise_and_naproxen_are_found()
    {
        // The issue's synthetic-generator chart: acetaminophen, exercise and naproxen found, BMI 33.5.
        var prefetch = ChartWith(procedures: [PhysicalTherapy()], requests: [Naproxen(), MedicationRequest("mr-apap", CodeableConcept(null, null, null, "acetaminophen 500 mg"))]);
        prefetch["bmiObservations"] = Bundle(Bmi(33.5));

        var card = await Card(prefetch);

        card.Summary.Should().Be("No weight management at BMI 33.5 documented; no MSC product is FDA-approved for OA and ACR/AF strongly recommends against.");
        card.Detail.Should().Contain("**Assessment:** First-line care comes first: BMI 33.5 with no weight management documented.");
        card.Detail.Should().NotContain("First-line knee OA care not yet documented");
    }

    [Fact]
    public async Task Every_branch_at_once_is_named_in_under_140_characters()
    {
        var prefetch = ChartWith();
        prefetch["bmiObservations"] = Bundle(Bmi(33.5));

        var card = await Card(prefetch);

        card.Summary.Length.Should().BeLessThan(140);
        card.Summary.Should().StartWith("No exercise, NSAID or weight management");
        card.Detail.Should().Contain("no exercise therapy documented; no NSAID (topical or oral) documented; BMI 33.5 with no weight management documented");
    }

    [Fact]
    public async Task The_page_linked_from_a_card_says_could_not_be_checked_not_not_yet_tried()
    {
        var prefetch = ChartWith(procedures: [PhysicalTherapy()]);
        prefetch["medicationRequests"] = OperationOutcome();
        var request = OrderSign(prefetch, MscOrder());
        using var message = new HttpRequestMessage(HttpMethod.Post, ServiceUrl) { Content = HttpAssertions.Json(request.ToJsonString()) };
        var body = JsonDocument.Parse(await (await factory.CreateClient().SendAsync(message)).Content.ReadAsStringAsync()).RootElement.Clone();
        var link = body.GetProperty("cards")[0].GetProperty("links")[0].GetProperty("url").GetString()!;

        link.Should().Contain("unchecked=").And.Contain("oral-nsaid").And.NotContain(PatientId);
        var page = await factory.CreateClient().GetAsync(new Uri(link).PathAndQuery);
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        var html = System.Net.WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        html.Should().Contain("First-line options the chart could not show either way (records could not be checked)");
        html.Should().Contain("medications could not be checked, so NSAID use is unknown");
        html.Should().MatchRegex(@"Oral NSAID</strong> \(could not be checked\)");
    }

    [Fact]
    public async Task The_README_example_gets_the_card_the_README_describes()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var start = readme.IndexOf("-d '{", readme.IndexOf("/cds-services/msc-knee-oa-order-sign -H", StringComparison.Ordinal), StringComparison.Ordinal) + "-d '".Length;
        var request = readme[start..readme.IndexOf("}'", start, StringComparison.Ordinal)] + "}";
        using var message = new HttpRequestMessage(HttpMethod.Post, ServiceUrl) { Content = HttpAssertions.Json(request) };
        var body = JsonDocument.Parse(await (await factory.CreateClient().SendAsync(message)).Content.ReadAsStringAsync()).RootElement.Clone();
        var card = body.GetProperty("cards")[0];

        card.GetProperty("summary").GetString().Should().Be("No NSAID documented; no MSC product is FDA-approved for OA and ACR/AF strongly recommends against.");
        card.GetProperty("links")[0].GetProperty("url").GetString().Should().Be("http://localhost/summary?age=65&kl=unknown&treatments=exercise-therapy&jurisdiction=US&lang=en");
        var detail = card.GetProperty("detail").GetString()!;
        detail.Should().StartWith("**Assessment:** First-line care comes first: no NSAID (topical or oral) documented.");
        detail.Should().Contain("The EHR reported no Kellgren-Lawrence grade observations.").And.Contain("The EHR reported no BMI observations.");
        detail.Should().NotContain(UncheckedHeading).And.NotContain("does not say which knee");
    }

    private async Task<(string Summary, string Detail)> Card(JsonObject prefetch)
    {
        var card = await factory.CreateClient().OrderSignCard(prefetch, MscOrder());
        return (card.Summary, card.Detail);
    }
}
