using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DecisionApi.Features.CdsHooks;
using DecisionApi.Infrastructure;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using DecisionApi.Tests.CdsHooks;
using DecisionApi.Tests.Support;
using FluentAssertions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DecisionApi.Tests.Integration;

/// <summary>
/// The answer memo (tracker issue 11): a profile asked again is answered with the bytes encoded the first time, and those
/// are exactly the bytes the service writes without the memo; a card differs only in its fresh uuid; the memo stays
/// within its budget.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class AnswerMemoTests(DecisionApiFactory factory)
{
    private static readonly string[] Profiles =
    [
        ExampleFiles.ReadmeProfile,
        """{"age":62,"klGrade":3,"priorTreatments":["oral-nsaid","exercise-therapy","ia-corticosteroid"],"bmi":28.5,"jurisdiction":"US"}""",
        """{"age":62,"klGrade":3,"priorTreatments":["exercise-therapy","oral-nsaid","ia-corticosteroid"],"bmi":28.5}""",
        """{"age":62,"klGrade":3,"priorTreatments":["exercise-therapy","oral-nsaid","ia-corticosteroid"]}""",
        """{"age":45,"klGrade":1,"priorTreatments":[],"conditions":[]}""",
        """{"age":45,"klGrade":1,"priorTreatments":[]}""",
        """{"age":80,"klGrade":4,"priorTreatments":["weight-management"],"bmi":36,"jurisdiction":"KR"}""",
        """{"age":30,"klGrade":0,"priorTreatments":[],"conditions":["active-infection"]}""",
    ];

    private WebApplicationFactory<Program> With(string memoMegabytes) => factory.WithWebHostBuilder(builder =>
    {
        builder.UseSetting("AnswerMemo:EvaluationMegabytes", memoMegabytes);
        builder.UseSetting("AnswerMemo:CardMegabytes", memoMegabytes);
        builder.UseSetting("CdsHooks:Authentication:Enabled", "false");
    });

    [Fact]
    public async Task An_evaluation_from_the_memo_is_byte_for_byte_the_answer_without_it()
    {
        using var memoOn = With("16");
        using var memoOff = With("0");
        using var on = memoOn.CreateClient();
        using var off = memoOff.CreateClient();
        var bodies = new HashSet<string>();
        foreach (var language in (string[])["en", "zh"])
        {
            foreach (var profile in Profiles)
            {
                var expected = await Post(off, profile, language);
                var first = await Post(on, profile, language);
                var second = await Post(on, profile, language);
                var third = await Post(on, profile, language);
                first.Should().Equal(expected, $"the first answer for {profile} ({language}) is written as without a memo");
                second.Should().Equal(expected, $"the second answer for {profile} ({language}) is encoded once, to be kept");
                third.Should().Equal(expected, $"the memo's answer for {profile} ({language}) is the same bytes");
                bodies.Add(Convert.ToBase64String(expected));
            }
        }

        // Every profile and language is its own answer (none is served another profile's bytes).
        bodies.Should().HaveCount(Profiles.Length * 2);
        var engine = memoOn.Services.GetRequiredService<LiveRuleStore>().Current;
        engine.EvaluationAnswers.Count.Should().Be(Profiles.Length * 2);
    }

    [Fact]
    public async Task A_memo_answer_has_its_content_length_and_the_audit_line()
    {
        using var memoOn = With("16");
        using var client = memoOn.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            using var response = await client.PostAsync("/v1/evaluations", Json(Profiles[0]));
            response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
            var body = await response.Content.ReadAsByteArrayAsync();
            response.Content.Headers.ContentLength.Should().Be(body.Length);
            response.Content.Headers.ContentType!.ToString().Should().Be("application/json; charset=utf-8");
            response.Content.Headers.ContentLanguage.Should().Equal("en");
            JsonNode.Parse(body)!["assessment"]!["category"]!.GetValue<string>().Should().Be("investigational-only");
        }
    }

    [Fact]
    public async Task A_card_from_the_memo_differs_only_in_its_fresh_uuid()
    {
        using var memoOn = With("4");
        using var memoOff = With("0");
        using var on = memoOn.CreateClient();
        using var off = memoOff.CreateClient();
        foreach (var (prefetch, language) in new[]
        {
            (CdsFixtures.Prefetch(), "en"), (CdsFixtures.Prefetch(), "zh"), (CdsFixtures.Prefetch(kl: null, firstLineCare: false), "en"),
            (CdsFixtures.Prefetch("1990-01-01", kl: 4), "en"),
        })
        {
            var request = CdsFixtures.OrderSign(prefetch, CdsFixtures.MscOrder()).ToJsonString();
            var expected = JsonNode.Parse(await Call(off, request, language))!;
            var first = JsonNode.Parse(await Call(on, request, language))!;
            var again = JsonNode.Parse(await Call(on, request, language))!;
            var fromMemo = JsonNode.Parse(await Call(on, request, language))!;
            var uuids = new[] { expected, first, again, fromMemo }.Select(card => card["cards"]![0]!["uuid"]!.GetValue<string>()).ToArray();
            uuids.Should().OnlyHaveUniqueItems().And.AllSatisfy(uuid => Guid.TryParseExact(uuid, "D", out _).Should().BeTrue());
            foreach (var card in new[] { expected, first, again, fromMemo })
            {
                card["cards"]![0]!["uuid"] = "-";
                // Suggestion uuids derive from the card's uuid (issue #24): fresh with it, masked with it.
                foreach (var suggestion in card["cards"]![0]!["suggestions"]?.AsArray() ?? [])
                {
                    suggestion!["uuid"] = "-";
                }
            }

            first.ToJsonString().Should().Be(expected.ToJsonString());
            again.ToJsonString().Should().Be(expected.ToJsonString());
            fromMemo.ToJsonString().Should().Be(expected.ToJsonString());
        }

        // Four chart readings (with two languages), four answers: the repeated calls were served from the memo.
        memoOn.Services.GetRequiredService<LiveRuleStore>().Current.CardAnswers.Count.Should().Be(4);
    }

    [Fact]
    public void The_memo_stays_within_its_budget_and_empties_itself_at_most_once_a_minute()
    {
        var clock = new ManualClock();
        var memo = new AnswerMemo(10_000, clock);
        for (var i = 0; i < 100; i++)
        {
            memo.Add($"key-{i}", new EncodedAnswer(new byte[1_000], "c", "r"));
            memo.Bytes.Should().BeLessThanOrEqualTo(10_000);
            memo.Count.Should().BeInRange(1, 9);
        }

        memo.TryGet("key-0", out _).Should().BeTrue("full within the minute: the memo keeps what it has and takes no more");
        memo.TryGet("key-99", out _).Should().BeFalse();
        memo.ShouldKeep("key-99").Should().BeFalse();
        memo.ShouldKeep("key-99").Should().BeFalse("asked again, but a full memo would not take it: not encoded for nothing");

        clock.Advance(AnswerMemo.RefillInterval);
        memo.Add("key-100", new EncodedAnswer(new byte[1_000], "c", "r"));
        memo.TryGet("key-100", out var last).Should().BeTrue("a minute on, a full memo is emptied to follow what is asked now");
        last.Body.Should().HaveCount(1_000);
        memo.TryGet("key-0", out _).Should().BeFalse();
        memo.Count.Should().Be(1);

        memo.AskedBefore("profile").Should().BeFalse("asked once: not worth keeping yet");
        memo.AskedBefore("profile").Should().BeTrue("asked again: kept");
        memo.AskedBefore("profile").Should().BeFalse("remembered once only");

        memo.Add("too-big", new EncodedAnswer(new byte[10_001], "c", "r"));
        memo.TryGet("too-big", out _).Should().BeFalse();

        var off = new AnswerMemo(0);
        off.Enabled.Should().BeFalse();
        off.Add("k", new EncodedAnswer([1], "c", "r"));
        off.Count.Should().Be(0);
    }

    [Fact]
    public void Memo_keys_tell_apart_every_input_the_answer_depends_on()
    {
        PatientProfile[] profiles =
        [
            new(62, 3, ["a", "b"]),
            new(62, 3, ["b", "a"]),
            new(62, 3, ["a,b"]),
            new(62, 3, []),
            new(null, 3, []),
            new(62, null, []),
            new(62, 3, [], 28.5),
            new(62, 3, [], 28.50000001),
            new(62, 3, [], null, []),
            new(62, 3, [], null, ["x"]),
            new(62, 3, [], null, null, "US"),
            new(62, 3, [], null, null, "KR"),
            new(6, 23, []),
        ];
        var keys = profiles.SelectMany(p => new[] { AnswerKey.ForEvaluation(p, Language.En), AnswerKey.ForEvaluation(p, Language.Zh) }).ToList();
        keys.Should().OnlyHaveUniqueItems();
        AnswerKey.ForEvaluation(new(62, 3, ["a"]), Language.En).Should().Be(AnswerKey.ForEvaluation(new(62, 3, ["a"]), Language.En));

        var profile = profiles[0];
        RecognisedTreatment[] found = [new("oral-nsaid", RecognisedBy.Code, "849574", null, null)];
        string[] cardKeys =
        [
            CardAnswerKey.ForCard(profile, [], [], false, Language.En, "http://a"),
            CardAnswerKey.ForCard(profile, [], [], true, Language.En, "http://a"),
            CardAnswerKey.ForCard(profile, [], [], false, Language.Zh, "http://a"),
            CardAnswerKey.ForCard(profile, [], [], false, Language.En, "http://b"),
            CardAnswerKey.ForCard(profile, [("cds.missing", null)], [], false, Language.En, "http://a"),
            CardAnswerKey.ForCard(profile, [("cds.missing", "kl")], [], false, Language.En, "http://a"),
            CardAnswerKey.ForCard(profile, [], found, false, Language.En, "http://a"),
            CardAnswerKey.ForCard(profile, [], [found[0] with { By = RecognisedBy.Text }], false, Language.En, "http://a"),
            CardAnswerKey.ForCard(profile, [], [found[0] with { Term = "naproxen" }], false, Language.En, "http://a"),
        ];
        cardKeys.Should().OnlyHaveUniqueItems();
    }

    private sealed class ManualClock : TimeProvider
    {
        private long ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => ticks;

        public void Advance(TimeSpan by) => ticks += by.Ticks;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<byte[]> Post(HttpClient client, string profile, string language)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/evaluations") { Content = Json(profile) };
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue(language));
        using var response = await client.SendAsync(request);
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task<string> Call(HttpClient client, string body, string language)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cds-services/msc-knee-oa") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue(language));
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, text);
        return text;
    }
}
