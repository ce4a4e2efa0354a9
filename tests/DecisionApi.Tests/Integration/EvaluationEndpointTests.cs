using System.Net;
using System.Text.Json;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Integration;

[Collection(ApiTestGroup.Name)]
public sealed class EvaluationEndpointTests(DecisionApiFactory factory)
{
    private readonly HttpClient client = factory.CreateClient();

    [Theory]
    [InlineData("en", "Probably little or no difference")]
    [InlineData("zh", "可能几乎没有差异")]
    public async Task Every_adult_gets_the_sadeghirad_summary_of_findings_with_estimate_ci_mid_certainty_and_source(string language, string reading)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/evaluations") { Content = HttpAssertions.Json("""{"age":80,"klGrade":4,"priorTreatments":[]}""") };
        request.Headers.TryAddWithoutValidation("Accept-Language", language);
        var body = await (await client.SendAsync(request)).ReadJsonAsync();

        var evidence = body.GetProperty("evidence").EnumerateArray().ToList();
        evidence.Should().OnlyContain(e => e.GetProperty("effects").ValueKind == JsonValueKind.Array, "effects is always present (empty when none)");
        var item = evidence.Single(e => e.GetProperty("id").GetString() == "evidence.sadeghirad-2024");
        item.GetProperty("certainty").GetString().Should().Be("moderate");
        var effects = item.GetProperty("effects").EnumerateArray().ToList();
        var pain = effects[0];
        pain.GetProperty("outcome").GetString().Should().Be("pain");
        pain.GetProperty("measure").GetString().Should().Be("mean-difference");
        pain.GetProperty("estimate").GetDouble().Should().Be(-0.74);
        pain.GetProperty("ciLower").GetDouble().Should().Be(-1.16);
        pain.GetProperty("ciUpper").GetDouble().Should().Be(-0.33);
        pain.GetProperty("mid").GetDouble().Should().Be(1.5);
        pain.GetProperty("certainty").GetString().Should().Be("moderate");
        pain.GetProperty("reading").GetString().Should().StartWith(reading);
        pain.GetProperty("sourceId").GetString().Should().Be("sadeghirad-2024");
        pain.GetProperty("verification").GetString().Should().Be("verified");
        effects.Should().Contain(e => e.GetProperty("outcome").GetString() == "function" && e.GetProperty("certainty").GetString() == "moderate");
        effects.Should().Contain(e => e.GetProperty("outcome").GetString() == "adverse-events" && e.GetProperty("verification").GetString() == "secondary"
            && e.GetProperty("certainty").GetString() == "low");
        effects.Single(e => e.GetProperty("outcome").GetString() == "adverse-events").TryGetProperty("mid", out _).Should().BeFalse("a ratio has no MID");
        item.GetProperty("sources")[0].GetProperty("reviewDue").GetString().Should().Be("2027-06-02");
    }

    [Fact]
    public async Task A_typical_KL3_profile_gets_a_full_sourced_summary()
    {
        var response = await client.PostAsync("/v1/evaluations", HttpAssertions.Json(
            """{"age":62,"klGrade":3,"priorTreatments":["exercise-therapy","oral-nsaid","ia-corticosteroid"],"bmi":28.5,"conditions":[],"jurisdiction":"US"}"""));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentLanguage.Should().Equal("en");
        var body = await response.ReadJsonAsync();
        var assessment = body.GetProperty("assessment");
        assessment.GetProperty("category").GetString().Should().Be("investigational-only");
        assessment.GetProperty("ruleId").GetString().Should().Be("assessment.investigational-only");
        assessment.GetProperty("headline").GetString().Should().NotContainEquivalentOf("recommended");

        var caveatIds = body.GetProperty("caveats").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
        caveatIds.Should().Contain(["caveat.acr-af-2019", "caveat.fda-no-approved-product"]);

        foreach (var section in new[] { "caveats", "evidence", "safety", "claimChecks", "conventionalOptions" })
        {
            var items = body.GetProperty(section).EnumerateArray().ToList();
            items.Should().NotBeEmpty(section);
            foreach (var item in items)
            {
                item.GetProperty("ruleId").GetString().Should().NotBeNullOrEmpty();
                var sources = item.GetProperty("sources").EnumerateArray().ToList();
                sources.Should().NotBeEmpty($"every {section} item has a source");
                sources.Should().OnlyContain(s => SourceJson.HasIdentifier(s));
                sources.Should().OnlyContain(s => s.GetProperty("verification").GetString() == "verified" || s.GetProperty("verification").GetString() == "secondary");
            }
        }

        body.GetProperty("evidence").EnumerateArray().Should().OnlyContain(e =>
            e.GetProperty("certainty").GetString()!.Length > 0 && e.GetProperty("applicability").GetString()!.Length > 0);
        body.GetProperty("inputs").GetProperty("used").GetProperty("klGrade").GetInt32().Should().Be(3);
        body.GetProperty("trace").EnumerateArray().Should().Contain(t => t.GetProperty("ruleId").GetString() == "assessment.investigational-only");
        body.GetProperty("ruleStore").GetProperty("contentHash").GetString().Should().StartWith("sha256:");
        body.GetProperty("conventionalOptions").EnumerateArray()
            .Where(o => o.GetProperty("treatment").GetString() == "exercise-therapy")
            .Should().OnlyContain(o => o.GetProperty("tried").GetBoolean());
    }

    [Theory]
    [InlineData("""{"age":68,"klGrade":4,"priorTreatments":["total-knee-arthroplasty"]}""", "not-applicable")]
    [InlineData("""{"age":55,"klGrade":2,"priorTreatments":[],"bmi":32}""", "conventional-care-first")]
    [InlineData("""{"age":71,"klGrade":4,"priorTreatments":["exercise-therapy","topical-nsaid"]}""", "arthroplasty-evaluation")]
    [InlineData("""{"age":81,"klGrade":2,"priorTreatments":["exercise-therapy","topical-nsaid"]}""", "outside-evidence-base")]
    [InlineData("""{"age":50,"klGrade":2,"priorTreatments":["exercise-therapy","topical-nsaid"],"conditions":["pregnancy-or-lactation"]}""", "excluded-condition")]
    public async Task Each_category_is_reachable_over_HTTP(string json, string category)
    {
        var response = await client.PostAsync("/v1/evaluations", HttpAssertions.Json(json));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.ReadJsonAsync()).GetProperty("assessment").GetProperty("category").GetString().Should().Be(category);
    }

    [Theory]
    [InlineData("zh", "zh-Hans")]
    [InlineData("zh-CN", "zh-Hans")]
    [InlineData("zh-Hans", "zh-Hans")]
    [InlineData("fr-FR, zh;q=0.8, en;q=0.5", "zh-Hans")]
    [InlineData("en-GB", "en")]
    [InlineData("de", "en")]
    public async Task Accept_language_chooses_the_text_language(string acceptLanguage, string contentLanguage)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/evaluations")
        {
            Content = HttpAssertions.Json("""{"age":62,"klGrade":3,"priorTreatments":["exercise-therapy","oral-nsaid"]}"""),
        };
        request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentLanguage.Should().Equal(contentLanguage);
        response.Headers.Vary.Should().Contain("Accept-Language");
        var body = await response.ReadJsonAsync();
        var headline = body.GetProperty("assessment").GetProperty("headline").GetString()!;
        var isChinese = headline.Any(ch => ch >= '\u4e00' && ch <= '\u9fff');
        isChinese.Should().Be(contentLanguage == "zh-Hans");
        body.GetProperty("assessment").GetProperty("category").GetString().Should().Be("investigational-only");
    }

    [Fact]
    public async Task Unknown_jurisdiction_is_accepted_and_said_so()
    {
        var response = await client.PostAsync("/v1/evaluations", HttpAssertions.Json(
            """{"age":62,"klGrade":3,"priorTreatments":["exercise-therapy","oral-nsaid"],"jurisdiction":"nz"}"""));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var inputs = (await response.ReadJsonAsync()).GetProperty("inputs");
        inputs.GetProperty("used").GetProperty("jurisdiction").GetString().Should().Be("NZ");
        inputs.GetProperty("notes").EnumerateArray().Should().Contain(n => n.GetString()!.Contains("NZ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Evaluation_responses_never_echo_unknown_input_and_omit_nulls()
    {
        var response = await client.PostAsync("/v1/evaluations", HttpAssertions.Json(
            """{"age":62,"klGrade":3,"priorTreatments":["exercise-therapy","oral-nsaid"]}"""));
        var text = await response.Content.ReadAsStringAsync();
        text.Should().NotContain("null");
        using var document = JsonDocument.Parse(text);
        document.RootElement.GetProperty("inputs").GetProperty("unknown").EnumerateArray().Select(u => u.GetString())
            .Should().Contain(["bmi", "conditions"]);
    }
}
