using System.Net;
using System.Text.Json;
using DecisionApi.Tests.CdsHooks;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Integration;

/// <summary>
/// Product spec §8: audit events for evaluations carry the category, the store version and the rule ids — never patient
/// data. The rules are the assessment rule, then the conditional rules that matched (unconditional rules are in every
/// answer of the store version), so an answer can be reconstructed from the log and the versioned store.
/// </summary>
public sealed class AuditTrailTests(CdsHooksFactory factory) : IClassFixture<CdsHooksFactory>
{
    private readonly HttpClient client = factory.CreateClient();

    public static TheoryData<string> Profiles =>
    [
        ExampleFiles.ReadmeProfile,
        """{"age":47,"klGrade":1,"priorTreatments":[]}""",
        """{"age":71,"klGrade":4,"priorTreatments":["exercise-therapy"],"jurisdiction":"GB"}""",
        """{"age":58,"klGrade":2,"priorTreatments":[],"conditions":["malignancy"]}""",
    ];

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task An_evaluation_audit_line_names_the_rules_behind_the_answer_and_no_profile_value(string profile)
    {
        var rules = await RulesById();
        var lines = new List<string>();
        string? expected = null;
        // The first answer is computed, the second encoded for the memo, the third served from it: one audit line each.
        for (var i = 0; i < 3; i++)
        {
            var before = factory.Logs.Messages.Count;
            using var response = await client.PostAsync("/v1/evaluations", HttpAssertions.Json(profile));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            expected ??= ExpectedRules(answer.RootElement);
            lines.Add(factory.Logs.Messages.Skip(before).Should().ContainSingle(m => m.StartsWith("audit evaluation ", StringComparison.Ordinal)).Subject);
        }

        lines.Should().AllBe(lines[0], "a memo answer is audited as the computed one");
        var ids = RulesOf(lines[0]);
        string.Join(',', ids).Should().Be(expected);
        rules[ids[0]].GetProperty("kind").GetString().Should().Be("assessment");
        ids.Skip(1).Should().OnlyContain(id => rules.ContainsKey(id) && !rules[id].GetProperty("unconditional").GetBoolean() && rules[id].GetProperty("kind").GetString() != "assessment");
        ids.Should().OnlyHaveUniqueItems();

        using var input = JsonDocument.Parse(profile);
        var values = lines[0]["audit evaluation ".Length..].Replace(string.Join(',', ids), "", StringComparison.Ordinal);
        values.Should().NotContain(input.RootElement.GetProperty("age").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), "no profile value is logged");
        values.Should().NotContain("28.5").And.NotContain("oral-nsaid").And.NotContain("exercise-therapy").And.NotContain("malignancy");
    }

    [Fact]
    public async Task A_card_and_the_evidence_page_it_links_to_audit_the_same_rules()
    {
        var request = CdsFixtures.OrderSign(CdsFixtures.Prefetch(), CdsFixtures.MscOrder()).ToJsonString();
        var cardLines = new List<string>();
        string? link = null;
        for (var i = 0; i < 3; i++)
        {
            var before = factory.Logs.Messages.Count;
            using var response = await client.PostAsync("/cds-services/msc-knee-oa", HttpAssertions.Json(request));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            link ??= body.RootElement.GetProperty("cards")[0].GetProperty("links")[0].GetProperty("url").GetString();
            cardLines.Add(factory.Logs.Messages.Skip(before).Should().ContainSingle(m => m.StartsWith("audit cds-card ", StringComparison.Ordinal)).Subject);
        }

        cardLines.Should().AllBe(cardLines[0], "a memo card is audited as the composed one");
        var cardRules = RulesOf(cardLines[0]);
        cardRules.Should().HaveCountGreaterThan(1, "the fixture chart (KL 2, aged 62) matches conditional evidence rules");
        cardRules[0].Should().StartWith("assessment.");

        var pageBefore = factory.Logs.Messages.Count;
        using var page = await client.GetAsync(new Uri(link!).PathAndQuery);
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        var pageLine = factory.Logs.Messages.Skip(pageBefore).Should().ContainSingle(m => m.StartsWith("audit summary-page ", StringComparison.Ordinal)).Subject;
        RulesOf(pageLine).Should().Equal(cardRules, "the page evaluates the profile the card was built from");
    }

    private static string ExpectedRules(JsonElement answer)
    {
        var ids = new List<string> { answer.GetProperty("assessment").GetProperty("ruleId").GetString()! };
        foreach (var entry in answer.GetProperty("trace").EnumerateArray())
        {
            if (entry.GetProperty("matched").GetBoolean() && entry.GetProperty("conditions").GetArrayLength() > 0
                && entry.GetProperty("kind").GetString() != "assessment")
            {
                ids.Add(entry.GetProperty("ruleId").GetString()!);
            }
        }

        return string.Join(',', ids);
    }

    private static string[] RulesOf(string line)
    {
        var at = line.IndexOf(" rules=", StringComparison.Ordinal);
        at.Should().BePositive($"the audit line names its rules: {line}");
        return line[(at + " rules=".Length)..].Split(',');
    }

    private async Task<Dictionary<string, JsonElement>> RulesById()
    {
        using var response = await client.GetAsync("/v1/rules");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var rules = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return rules.EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!, r => r.Clone());
    }
}
