using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Integration;

/// <summary>GET /summary: the same evaluation as POST /v1/evaluations, as an HTML page; de-identified query only.</summary>
[Collection(ApiTestGroup.Name)]
public sealed partial class SummaryPageTests(DecisionApiFactory factory)
{
    private readonly HttpClient client = factory.CreateClient();

    public static TheoryData<string, string, string> Profiles() => new()
    {
        { ExampleFiles.ReadmeProfile, "age=62&kl=3&treatments=exercise-therapy,oral-nsaid,ia-corticosteroid&bmi=28.5&jurisdiction=US", "en" },
        { """{"age":71,"klGrade":4,"priorTreatments":["exercise-therapy","topical-nsaid"]}""", "age=71&kl=4&treatments=exercise-therapy&treatments=topical-nsaid", "zh" },
        { """{"age":55,"klGrade":2,"priorTreatments":["total-knee-arthroplasty"],"conditions":["malignancy"],"jurisdiction":"GB"}""", "age=55&kl=2&treatments=total-knee-arthroplasty&conditions=malignancy&jurisdiction=gb", "en" },
        { """{"age":50,"klGrade":2,"priorTreatments":[],"bmi":33}""", "age=50&kl=2&treatments=&bmi=33", "zh" },
    };

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task The_page_says_exactly_what_the_REST_answer_says(string json, string query, string lang)
    {
        using var post = new HttpRequestMessage(HttpMethod.Post, "/v1/evaluations") { Content = HttpAssertions.Json(json) };
        post.Headers.TryAddWithoutValidation("Accept-Language", lang);
        var rest = await (await client.SendAsync(post)).ReadJsonAsync();

        var response = await client.GetAsync($"/summary?{query}&lang={lang}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        var html = await response.Content.ReadAsStringAsync();
        var text = WebUtility.HtmlDecode(html);

        text.Should().Contain($"<html lang=\"{(lang == "zh" ? "zh-Hans" : "en")}\">");
        var assessment = rest.GetProperty("assessment");
        WebUtility.HtmlDecode(Headline().Match(html).Groups[1].Value).Should().Be(assessment.GetProperty("headline").GetString(),
            "the page's headline is the REST headline");
        text.Should().Contain(assessment.GetProperty("rationale").GetString());
        text.Should().Contain($"class=\"assessment category-{assessment.GetProperty("category").GetString()}\"");
        foreach (var section in new[] { "caveats", "evidence", "safety" })
        {
            foreach (var item in rest.GetProperty(section).EnumerateArray())
            {
                text.Should().Contain(item.GetProperty("text").GetString(), $"every {section} item of the REST answer is on the page");
            }
        }

        foreach (var claim in rest.GetProperty("claimChecks").EnumerateArray())
        {
            text.Should().Contain(claim.GetProperty("finding").GetString());
        }

        var sources = rest.GetProperty("caveats").EnumerateArray().Concat(rest.GetProperty("evidence").EnumerateArray())
            .SelectMany(i => i.GetProperty("sources").EnumerateArray()).ToList();
        foreach (var source in sources)
        {
            text.Should().Contain($"id=\"src-{source.GetProperty("id").GetString()}\"");
            if (source.TryGetProperty("doi", out var doi))
            {
                text.Should().Contain($"href=\"https://doi.org/{doi.GetString()}\"");
            }
        }

        var store = rest.GetProperty("ruleStore");
        text.Should().Contain(store.GetProperty("version").GetString()).And.Contain(store.GetProperty("contentHash").GetString());
        text.Should().Contain("<details class=\"section\" id=\"trace\">").And.Contain("assessment." + assessment.GetProperty("category").GetString(), "the rule trace is on the page");
        text.Should().Contain(BuiltStore.Snapshot.Text("cds.decisionSupport").In(lang == "zh" ? DecisionApi.RuleStore.Content.Language.Zh : DecisionApi.RuleStore.Content.Language.En));
        text.IndexOf("caveats-heading", StringComparison.Ordinal).Should().BeLessThan(text.IndexOf("evidence-heading", StringComparison.Ordinal), "the core caveats come before the evidence");
    }

    [Fact]
    public async Task The_page_is_strictly_self_contained_and_not_cached()
    {
        var response = await client.GetAsync("/summary?age=62&kl=3&treatments=exercise-therapy,oral-nsaid");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.Should().Contain("default-src 'none'").And.Contain("style-src 'self'").And.NotContain("unsafe").And.NotContain("script-src");
        response.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        var html = await response.Content.ReadAsStringAsync();
        html.Should().NotContain("<script").And.NotContain("style=\"");
        StylesheetHref().Matches(html).Select(m => m.Groups[1].Value).Should().Equal("/summary/summary.css");
        html.Should().Contain("<main").And.Contain("<header").And.Contain("<footer").And.Contain("<h1");

        var css = await client.GetAsync("/summary/summary.css");
        css.StatusCode.Should().Be(HttpStatusCode.OK);
        css.Content.Headers.ContentType!.MediaType.Should().Be("text/css");
        (await css.Content.ReadAsStringAsync()).Should().Contain("@media print").And.Contain("@media (max-width").And.NotContain("url(");
    }

    [Theory]
    [InlineData("/summary?age=62&kl=3&treatments=&patientId=PAT-8812-XYZ", "PAT-8812-XYZ")]
    [InlineData("/summary?mrn=MRN0042&age=62", "MRN0042")]
    [InlineData("/summary?age=62&kl=3&treatments=&name=Maria%20Lopez&birthDate=1964-03-15", "Maria")]
    public async Task An_unknown_parameter_is_refused_without_echoing_it(string url, string secret)
    {
        var response = await client.GetAsync(url);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        var html = await response.Content.ReadAsStringAsync();
        html.Should().NotContain(secret).And.NotContain("patientId").And.NotContain("mrn=").And.NotContain("1964");
        WebUtility.HtmlDecode(html).Should().Contain(BuiltStore.Snapshot.Text("page.error.unknownParameter").En);
        html.Should().NotContain("<form", "the refused query is not turned into a form that would carry it on");
    }

    [Fact]
    public async Task Validation_errors_are_shown_in_plain_language_with_the_form()
    {
        var response = await client.GetAsync("/summary?age=15&kl=7&treatments=exercise-therapy,stem-cell-magic&bmi=heavy");
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var text = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        text.Should().Contain(BuiltStore.Snapshot.Text("page.error.bmi").En);

        var fromValidator = WebUtility.HtmlDecode(await (await client.GetAsync("/summary?age=15&kl=7&treatments=exercise-therapy,stem-cell-magic")).Content.ReadAsStringAsync());
        fromValidator.Should().Contain("this service covers adults only")
            .And.Contain("The Kellgren-Lawrence grade must be a whole number from 0 to 4.")
            .And.Contain(BuiltStore.Snapshot.Text("page.error.treatments").En);
        var alert = fromValidator[fromValidator.IndexOf("role=\"alert\"", StringComparison.Ordinal)..];
        alert = alert[..alert.IndexOf("</div>", StringComparison.Ordinal)];
        alert.Should().NotContain("stem-cell-magic", "the page's messages do not quote what was entered")
            .And.NotContain("klGrade", "the page names its own fields, not the API's properties");
        var zh = WebUtility.HtmlDecode(await (await client.GetAsync("/summary?lang=zh&age=15&kl=7&treatments=")).Content.ReadAsStringAsync());
        zh.Should().Contain(BuiltStore.Snapshot.Text("page.error.age").Zh).And.Contain(BuiltStore.Snapshot.Text("page.error.kl").Zh)
            .And.NotContain("must be", "a Chinese page shows Chinese messages");
        fromValidator.Should().Contain("role=\"alert\"").And.Contain("<form method=\"get\" action=\"/summary\"");
        fromValidator.Should().Contain("value=\"exercise-therapy\" checked", "the form keeps what was entered");

        var unknownAge = WebUtility.HtmlDecode(await (await client.GetAsync("/summary?age=unknown&kl=9&treatments=")).Content.ReadAsStringAsync());
        unknownAge.Should().Contain("Kellgren-Lawrence grade must be a whole number from 0 to 4", "'unknown' skips only the required-value check")
            .And.NotContain(BuiltStore.Snapshot.Text("page.error.age").En);

        var repeated = await client.GetAsync("/summary?age=60&age=61&kl=2&treatments=");
        repeated.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        WebUtility.HtmlDecode(await repeated.Content.ReadAsStringAsync()).Should().Contain("'age' was given more than once.");
    }

    [Fact]
    public async Task Without_a_query_a_form_builds_a_profile_in_either_language()
    {
        var en = await client.GetAsync("/summary");
        en.StatusCode.Should().Be(HttpStatusCode.OK);
        var html = await en.Content.ReadAsStringAsync();
        html.Should().Contain("<form method=\"get\" action=\"/summary\"").And.Contain("name=\"treatments\" value=\"exercise-therapy\"")
            .And.Contain("name=\"conditions\" value=\"malignancy\"").And.Contain("<label for=\"age\">");

        using var zhRequest = new HttpRequestMessage(HttpMethod.Get, "/summary");
        zhRequest.Headers.TryAddWithoutValidation("Accept-Language", "zh-CN");
        var zh = await (await client.SendAsync(zhRequest)).Content.ReadAsStringAsync();
        zh.Should().Contain("<html lang=\"zh-Hans\">");
        WebUtility.HtmlDecode(zh).Should().Contain(BuiltStore.Snapshot.Text("page.heading.form").Zh);
    }

    [Fact]
    public async Task The_language_switch_keeps_the_profile()
    {
        var html = await client.GetStringAsync("/summary?age=71&kl=4&treatments=exercise-therapy,topical-nsaid&lang=en");
        var switchUrl = WebUtility.HtmlDecode(LanguageLink().Match(html).Groups[1].Value);
        switchUrl.Should().StartWith("/summary?age=71&kl=4&treatments=").And.EndWith("&lang=zh");

        var zh = WebUtility.HtmlDecode(await client.GetStringAsync(switchUrl));
        zh.Should().Contain("<html lang=\"zh-Hans\">");
        zh.Should().Contain(BuiltStore.Snapshot.Statements.Single(s => s.Id == "assessment.arthroplasty-evaluation").Headline.Zh);
        LanguageLink().Match(zh).Groups[1].Value.Should().EndWith("lang=en");
    }

    [GeneratedRegex("<p class=\"headline\" id=\"headline\">(.*?)</p>")]
    private static partial Regex Headline();

    [GeneratedRegex("<link rel=\"stylesheet\" href=\"([^\"]+)\"")]
    private static partial Regex StylesheetHref();

    [GeneratedRegex("<nav class=\"language\" aria-label=\"[^\"]+\"><a href=\"([^\"]+)\"")]
    private static partial Regex LanguageLink();
}
