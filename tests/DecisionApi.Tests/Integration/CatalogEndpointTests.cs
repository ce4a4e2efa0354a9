using System.Net;
using System.Text.Json;
using DecisionApi.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DecisionApi.Tests.Integration;

[Collection(ApiTestGroup.Name)]
public sealed class CatalogEndpointTests(DecisionApiFactory factory)
{
    private readonly HttpClient client = factory.CreateClient();

    private async Task<JsonElement> Get(string url, string? language = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (language is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", language);
        }

        var response = await client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK, url);
        return await response.ReadJsonAsync();
    }

    [Fact]
    public async Task Treatments_list_the_spec_vocabulary_with_labels_and_verified_codes()
    {
        var treatments = (await Get("/v1/treatments")).EnumerateArray().ToList();
        treatments.Select(t => t.GetProperty("code").GetString()).Should().Contain(
        [
            "exercise-therapy", "weight-management", "self-management-education", "topical-nsaid", "oral-nsaid", "acetaminophen",
            "duloxetine", "walking-aid-or-brace", "ia-corticosteroid", "ia-hyaluronic-acid", "prp-injection", "arthroscopic-debridement",
            "arthroscopic-partial-meniscectomy", "high-tibial-osteotomy", "microfracture", "msc-injection",
            "unicompartmental-knee-arthroplasty", "total-knee-arthroplasty",
        ]);
        treatments.Should().OnlyContain(t => t.GetProperty("label").GetString()!.Length > 0 && t.GetProperty("category").GetString()!.Length > 0);
        var tka = treatments.Single(t => t.GetProperty("code").GetString() == "total-knee-arthroplasty");
        tka.GetProperty("fhirCodes").EnumerateArray().Should().Contain(c =>
            c.GetProperty("code").GetString() == "609588000" && c.GetProperty("system").GetString() == "http://snomed.info/sct"
            && c.GetProperty("verification").GetString() == "verified");
    }

    [Fact]
    public async Task Treatment_recognition_lists_every_curated_code_class_and_name_with_a_source_that_resolves()
    {
        var entries = (await Get("/v1/treatments/recognition")).EnumerateArray().ToList();
        var store = factory.Services.GetRequiredService<DecisionApi.Infrastructure.LiveRuleStore>().Current.Snapshot;
        entries.Should().HaveCount(store.Recognition.Count, "every entry of recognition.yaml is listed");
        entries.Select(e => e.GetProperty("kind").GetString()).Distinct().Should().BeEquivalentTo(
            ["medication-code", "medication-class", "medication-name", "topical-form", "activity-code", "activity-term", "history-term", "history-not-done-cue", "condition-medication-name"]);

        entries.Should().Contain(e => e.GetProperty("kind").GetString() == "medication-code" && e.GetProperty("code").GetString() == "7258"
            && e.GetProperty("system").GetString() == "http://www.nlm.nih.gov/research/umls/rxnorm"
            && e.GetProperty("treatment").GetString() == "oral-nsaid" && e.GetProperty("topicalTreatment").GetString() == "topical-nsaid");
        entries.Should().Contain(e => e.GetProperty("kind").GetString() == "medication-class" && e.GetProperty("code").GetString() == "M01A"
            && e.GetProperty("system").GetString() == "http://www.whocc.no/atc" && e.GetProperty("verification").GetString() == "verified");
        entries.Should().Contain(e => e.GetProperty("kind").GetString() == "medication-name" && e.GetProperty("term").GetString() == "ibuprofen");
        entries.Where(e => e.GetProperty("kind").GetString() is "topical-form" or "history-not-done-cue").Select(e => e.TryGetProperty("treatment", out var _))
            .Should().OnlyContain(has => !has);

        var treatments = (await Get("/v1/treatments")).EnumerateArray().Select(t => t.GetProperty("code").GetString()).ToHashSet();
        // A condition-medication-name entry names a condition (issue #20: warfarin shows anticoagulant therapy).
        entries.Where(e => e.TryGetProperty("treatment", out var _) && e.GetProperty("kind").GetString() != "condition-medication-name")
            .Select(e => e.GetProperty("treatment").GetString()).Should().OnlyContain(code => treatments.Contains(code));
        entries.Should().OnlyContain(e => e.GetProperty("verification").GetString() == "verified" || e.GetProperty("verification").GetString() == "secondary");
        foreach (var sourceId in entries.Select(e => e.GetProperty("sourceId").GetString()).Distinct())
        {
            (await client.GetAsync($"/v1/sources/{sourceId}")).StatusCode.Should().Be(HttpStatusCode.OK, $"source {sourceId} resolves");
        }
    }

    [Fact]
    public async Task Conditions_have_Chinese_labels_on_request()
    {
        var conditions = (await Get("/v1/conditions", "zh")).EnumerateArray().ToList();
        conditions.Select(c => c.GetProperty("code").GetString()).Should().Contain(
            ["active-infection", "malignancy", "pregnancy-or-lactation", "immunosuppression", "inflammatory-arthritis", "bleeding-disorder", "anticoagulant-therapy"]);
        conditions.Should().OnlyContain(c => c.GetProperty("label").GetString()!.Any(ch => ch >= '\u4e00' && ch <= '\u9fff'));
    }

    [Fact]
    public async Task Sources_carry_identifiers_and_one_can_be_fetched()
    {
        var sources = (await Get("/v1/sources")).EnumerateArray().ToList();
        sources.Should().HaveCountGreaterThan(20);
        sources.Should().OnlyContain(s => SourceJson.HasIdentifier(s));

        var miles = await Get("/v1/sources/mautner-2023");
        miles.GetProperty("pmid").GetString().Should().Be("37919438");
        miles.GetProperty("doi").GetString().Should().Be("10.1038/s41591-023-02632-w");
        miles.GetProperty("verification").GetString().Should().Be("verified");
    }

    [Fact]
    public async Task Rules_are_listed_in_order_with_typed_conditions()
    {
        var rules = (await Get("/v1/rules")).EnumerateArray().ToList();
        rules.Take(6).Select(r => r.GetProperty("category").GetString()).Should().Equal(
            "not-applicable", "excluded-condition", "outside-evidence-base", "conventional-care-first", "arthroplasty-evaluation", "investigational-only");
        rules.Select(r => r.GetProperty("order").GetInt32()).Should().BeInAscendingOrder();

        var careFirst = await Get("/v1/rules/assessment.conventional-care-first");
        var clauses = careFirst.GetProperty("anyOf").EnumerateArray().ToList();
        clauses.Should().HaveCount(3);
        clauses[2].EnumerateArray().Should().Contain(c =>
            c.GetProperty("field").GetString() == "bmi" && c.GetProperty("op").GetString() == "atLeast" && c.GetProperty("value").GetDouble() == 30);

        var core = await Get("/v1/rules/select.caveat.acr-af-2019");
        core.GetProperty("unconditional").GetBoolean().Should().BeTrue();
        core.GetProperty("sources").EnumerateArray().Should().Contain(s => s.GetProperty("id").GetString() == "kolasinski-2020");
    }

    [Fact]
    public async Task Claim_checks_cover_the_seed_claims()
    {
        var checks = (await Get("/v1/claim-checks")).EnumerateArray().ToList();
        checks.Should().HaveCountGreaterThanOrEqualTo(12);
        checks.Should().OnlyContain(c => c.GetProperty("claim").GetString()!.Length > 0 && c.GetProperty("finding").GetString()!.Length > 0
            && c.GetProperty("sources").GetArrayLength() > 0);
        var dose = checks.Single(c => c.GetProperty("id").GetString() == "claim.optimal-dose-1e8");
        dose.GetProperty("verdict").GetString().Should().BeOneOf("not-established", "contradicted");
        checks.Single(c => c.GetProperty("id").GetString() == "claim.acc-heparin").GetProperty("verdict").GetString().Should().Be("misattributed");
    }

    [Fact]
    public async Task About_describes_purpose_store_and_HTI1_source_attributes()
    {
        var about = await Get("/v1/about");
        about.GetProperty("purpose").GetString().Should().Contain("knee osteoarthritis");
        about.GetProperty("clinicalSafety").GetString().Should().Contain("not a directive");
        var store = about.GetProperty("ruleStore");
        store.GetProperty("version").GetString().Should().Be(BuiltStore.Snapshot.Version);
        store.GetProperty("contentHash").GetString().Should().Be(BuiltStore.Snapshot.ContentHash);
        var review = store.GetProperty("review");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        review.GetProperty("asOf").GetString().Should().Be(today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        review.GetProperty("reviewedOn").GetString().Should().Be(BuiltStore.Snapshot.ReviewedOn);
        review.GetProperty("intervalMonths").GetInt32().Should().Be(12);
        review.GetProperty("pastDueCount").GetInt32().Should().Be(BuiltStore.Snapshot.Review(today).PastDueCount)
            .And.Be(review.GetProperty("pastDue").GetArrayLength());
        var attributes = about.GetProperty("sourceAttributes");
        attributes.GetProperty("bibliographicCitation").GetString().Should().Contain("10.1002/acr.24131");
        attributes.GetProperty("developer").GetString().Should().NotBeNullOrWhiteSpace();
        attributes.GetProperty("fundingSource").GetString().Should().NotBeNullOrWhiteSpace();
        attributes.GetProperty("releaseDate").GetString().Should().MatchRegex(@"^\d{4}-\d{2}-\d{2}$");
        var dataUse = attributes.GetProperty("dataUse");
        foreach (var element in new[] { "race", "ethnicity", "language", "sexualOrientation", "genderIdentity", "sex", "dateOfBirth", "socialDeterminantsOfHealth", "healthStatusAssessments" })
        {
            dataUse.GetProperty(element).GetProperty("note").GetString().Should().NotBeNullOrWhiteSpace(element);
        }

        dataUse.GetProperty("race").GetProperty("used").GetBoolean().Should().BeFalse();
        dataUse.GetProperty("healthStatusAssessments").GetProperty("used").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Health_reports_live_and_ready_with_the_store_version()
    {
        (await Get("/health/live")).GetProperty("status").GetString().Should().Be("Healthy");
        var ready = await Get("/health/ready");
        ready.GetProperty("status").GetString().Should().Be("Healthy");
        ready.GetProperty("checks").GetProperty("ruleStore").GetProperty("data").GetProperty("version").GetString()
            .Should().Be(BuiltStore.Snapshot.Version);
    }

    [Fact]
    public async Task Swagger_UI_is_served()
    {
        var response = await client.GetAsync("/swagger/index.html");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Contain("swagger-ui");
    }
}
