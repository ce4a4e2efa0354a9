using System.Text.RegularExpressions;
using DecisionApi.Features.CdsHooks;
using DecisionApi.Features.Summary;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using DecisionApi.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace DecisionApi.Tests.CdsHooks;

/// <summary>The card read at a glance: every assessment category, both languages, both hooks, the worst-case chart.</summary>
public sealed partial class CardComposerTests
{
    private const string BaseUrl = "https://cds.example.org/base";

    /// <summary>Every "not provided" line the chart reader can emit today, all at once: the longest detail.</summary>
    private static readonly (string Key, string? What)[] AllUnknowns =
    [
        ("cds.unknown.age", null), ("cds.unknown.klGrade", null), ("cds.unknown.bmi", null), ("cds.unknown.conditions", null),
        ("cds.unknown.kneeOsteoarthritis", null), ("cds.unknown.noData", "procedures"), ("cds.unchecked.partial", "medicationStatements"), ("cds.unchecked.medicationUnreadable", null),
    ];

    public static TheoryData<string, PatientProfile, Language, bool> Cases()
    {
        var firstLine = new[] { "exercise-therapy", "oral-nsaid" };
        var profiles = new (string Category, PatientProfile Profile)[]
        {
            ("not-applicable", new PatientProfile(62, 3, ["total-knee-arthroplasty"], null, null, null)),
            ("excluded-condition", new PatientProfile(62, 3, firstLine, null, ["malignancy", "pregnancy-or-lactation"], null)),
            ("outside-evidence-base", new PatientProfile(97, 3, firstLine, null, null, null)),
            ("conventional-care-first", new PatientProfile(62, 3, [], 34, null, "GB")),
            ("arthroplasty-evaluation", new PatientProfile(70, 4, firstLine, null, null, null)),
            ("investigational-only", new PatientProfile(62, 1, firstLine, 28.5, ["anticoagulant-therapy"], "KR")),
        };
        var data = new TheoryData<string, PatientProfile, Language, bool>();
        foreach (var (category, profile) in profiles)
        {
            foreach (var language in new[] { Language.En, Language.Zh })
            {
                data.Add(category, profile, language, false);
                data.Add(category, profile, language, true);
            }
        }

        return data;
    }

    private static CardComposer Composer(CdsHooksOptions? options = null) => new(BuiltStore.Snapshot, Options.Create(options ?? new CdsHooksOptions()));

    private static string Text(string key, Language language) => BuiltStore.Snapshot.Text(key).In(language);

    [Theory]
    [InlineData(Language.En)]
    [InlineData(Language.Zh)]
    public void The_card_stays_short_when_first_line_care_is_found_in_the_chart(Language language)
    {
        var firstLine = BuiltStore.Snapshot.Treatments.Where(t => t.Category == "first-line").Select(t => t.Code).ToList();
        foreach (var tried in new[] { firstLine, firstLine.Take(firstLine.Count / 2).ToList() })
        {
            var result = BuiltStore.Evaluator.Evaluate(new PatientProfile(70, 4, tried, null, null, null), language);
            // Each found the longest way: by a name in a display, made topical by a dose-form word.
            var recognised = tried.Select(code => new RecognisedTreatment(code, RecognisedBy.Display, null, "acetaminophen and codeine", "transdermal patch")).ToList();

            var detail = Composer().Compose(result, AllUnknowns, patientView: false, language, BaseUrl, recognised).Detail;

            detail.Should().Contain(Text("cds.heading.recognised", language));
            detail.Length.Should().BeLessThanOrEqualTo(language == Language.En ? 1500 : 900, $"{tried.Count} treatments found");
            var labels = tried.Select(code => BuiltStore.Snapshot.TreatmentsByCode[code].Label.In(language)).ToList();
            var shown = labels.Count(label => detail.Contains(label + " (", StringComparison.Ordinal) || detail.Contains(label, StringComparison.Ordinal));
            if (shown < labels.Count)
            {
                detail.Should().Contain(Text("cds.recognisedMore", language).Replace("{n}", (labels.Count - shown).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal),
                    "what does not fit is counted, never silently dropped");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_category_gives_a_card_read_at_a_glance(string category, PatientProfile profile, Language language, bool patientView)
    {
        var result = BuiltStore.Evaluator.Evaluate(profile, language);
        result.Assessment.Category.Should().Be(category, "the profile is chosen to land in this category");

        var card = Composer().Compose(result, AllUnknowns, patientView, language, "http://ignored.example");

        card.Indicator.Should().Be(patientView ? "info" : "warning");
        var summary = card.Summary;
        summary.Length.Should().BeLessThan(140);
        summary.Should().Be(Composer().SummaryOf(result, language));
        summary.Should().NotContain("{", "every placeholder is filled");
        SentenceEnd().Matches(summary).Should().ContainSingle("the summary is one sentence").Which.Index.Should().Be(summary.Length - 1);
        summary.Should().Contain("FDA").And.Contain("ACR/AF");
        summary.Should().NotContain("Review evidence");

        var detail = card.Detail;
        detail.Length.Should().BeLessThanOrEqualTo(language == Language.En ? 1500 : 900);
        var core = result.Caveats.Where(c => c.Severity == "critical").Select(c => Text("cds.caveatLine." + c.Id, language)).ToList();
        core.Should().HaveCount(2);
        var untried = result.ConventionalOptions.First(o => !o.Tried).Label;
        var positions = new[]
        {
            detail.IndexOf(result.Assessment.Headline, StringComparison.Ordinal),
            detail.IndexOf(core[0], StringComparison.Ordinal),
            detail.IndexOf(core[1], StringComparison.Ordinal),
            category == "not-applicable"
                ? detail.IndexOf(Text("cds.detail.noOptions.not-applicable", language), StringComparison.Ordinal)
                : detail.IndexOf(untried, StringComparison.Ordinal),
            detail.IndexOf(Text("cds.unknown.klGrade", language), StringComparison.Ordinal),
        };
        detail.Should().NotContain(card.Links![0].Url, "one link: the card's own, which opens in a new window (issue #20)");
        detail.Should().NotContain(Text("cds.decisionSupport", language), "no line that is the same on every card (issue #20)");
        positions.Should().OnlyContain(p => p >= 0).And.BeInAscendingOrder("the detail keeps the issue's order");
        NumberedSource().IsMatch(detail).Should().BeFalse("sources live on the page");
        var lines = detail.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Should().OnlyHaveUniqueItems("no item is shown twice");
        CountOf(detail, core[1]).Should().Be(1, "the FDA caveat appears once");

        card.Source.Topic.Should().NotBeNull();
        card.Source.Topic!.System.Should().Be("urn:decision-api:assessment-category");
        card.Source.Topic.Code.Should().Be(category);
        card.Source.Topic.Display.Should().Be(Text("category." + category, language));
        card.OverrideReasons.Select(r => r.Code).Should().Equal("registered-trial", "shared-decision", "not-relevant", "already-reviewed");
        card.OverrideReasons.Should().OnlyContain(r => r.Display.Length > 0);

        var link = card.Links!.Should().ContainSingle().Subject;
        link.Type.Should().Be("absolute");
        link.Label.Should().Be(Text("cds.linkLabel", language));
        var url = new Uri(link.Url);
        url.IsAbsoluteUri.Should().BeTrue();
        url.AbsolutePath.Should().Be("/summary");
        var query = QueryHelpers.ParseQuery(url.Query);
        query.Keys.Should().BeSubsetOf(SummaryLink.Parameters);
        int.Parse(query["age"]!, System.Globalization.CultureInfo.InvariantCulture).Should().BeLessThanOrEqualTo(90, "ages above 90 are written as 90");
        query["lang"].ToString().Should().Be(language == Language.Zh ? "zh" : "en");
    }

    [Fact]
    public void Summaries_differ_by_category_and_are_one_sentence_in_both_languages()
    {
        foreach (var language in new[] { Language.En, Language.Zh })
        {
            var summaries = Vocab.Categories.Select(c => Text("cds.summary." + c, language)).ToList();
            summaries.Should().OnlyHaveUniqueItems().And.HaveCount(6);
            summaries.Should().OnlyContain(s => s.Length < 140 && SentenceEnd().Count(s) == 1);
        }

        Text("cds.summary.investigational-only", Language.Zh).Should().MatchRegex(@"\p{IsCJKUnifiedIdeographs}");
    }

    [Fact]
    public void The_link_uses_the_public_base_url_or_the_portal_and_never_an_identifier()
    {
        var result = BuiltStore.Evaluator.Evaluate(new PatientProfile(97, 3, ["exercise-therapy", "topical-nsaid"], 31.25, ["malignancy"], "us"), Language.En);

        var viaRequest = Composer().Compose(result, [], false, Language.En, "http://10.0.0.5:8080/api");
        viaRequest.Links![0].Url.Should().Be("http://10.0.0.5:8080/api/summary?age=90&kl=3&treatments=exercise-therapy,topical-nsaid&conditions=malignancy&bmi=31.3&jurisdiction=US&lang=en");

        var viaPublic = Composer(new CdsHooksOptions { PublicBaseUrl = BaseUrl + "/" }).Compose(result, [], false, Language.Zh, "http://10.0.0.5:8080");
        viaPublic.Links![0].Url.Should().StartWith(BaseUrl + "/summary?age=90&").And.EndWith("&lang=zh");

        var viaPortal = Composer(new CdsHooksOptions { PortalUrl = "https://portal.example.org/msc?src=ehr", PublicBaseUrl = BaseUrl })
            .Compose(result, [], false, Language.En, "http://10.0.0.5:8080");
        viaPortal.Links![0].Url.Should().StartWith("https://portal.example.org/msc?src=ehr&age=90&kl=3&");
    }

    private static int CountOf(string text, string value) => Regex.Count(text, Regex.Escape(value));

    // A sentence ends at . ! ? or 。！？ followed by a space, the end, or (in Chinese) anything.
    [GeneratedRegex(@"[.!?](?=\s|$)|[。！？]")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"^\s*\d+\.\s", RegexOptions.Multiline)]
    private static partial Regex NumberedSource();
}
