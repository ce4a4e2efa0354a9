using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DecisionApi.Features.CdsHooks;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using DecisionApi.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;
using static DecisionApi.Tests.CdsHooks.CdsFixtures;

namespace DecisionApi.Tests.CdsHooks;

/// <summary>Issue #24: suggestions on the card (options, never orders) and accepted feedback checked against issued uuids.</summary>
public sealed class CdsSuggestionTests(CdsHooksFactory factory) : IClassFixture<CdsHooksFactory>
{
    private const string OrderReference = "ServiceRequest/sr-msc";

    private static string Text(string key, Language language) => BuiltStore.Snapshot.Text(key).In(language);

    public static TheoryData<string, PatientProfile, Language> Categories()
    {
        var firstLine = new[] { "exercise-therapy", "oral-nsaid" };
        var data = new TheoryData<string, PatientProfile, Language>();
        foreach (var language in new[] { Language.En, Language.Zh })
        {
            data.Add("not-applicable", new PatientProfile(62, 3, ["total-knee-arthroplasty"], null, null, null), language);
            data.Add("excluded-condition", new PatientProfile(62, 3, firstLine, null, ["malignancy"], null), language);
            data.Add("outside-evidence-base", new PatientProfile(97, 3, firstLine, null, null, null), language);
            data.Add("conventional-care-first", new PatientProfile(62, 3, [], 34, null, "GB"), language);
            data.Add("arthroplasty-evaluation", new PatientProfile(70, 4, firstLine, null, null, null), language);
            data.Add("investigational-only", new PatientProfile(62, 1, firstLine, 28.5, ["anticoagulant-therapy"], "KR"), language);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Categories))]
    public void Each_category_offers_the_store_s_suggestions_on_the_triggering_order_and_patient(string category, PatientProfile profile, Language language)
    {
        var composer = new CardComposer(BuiltStore.Snapshot, Options.Create(new CdsHooksOptions()));
        var keys = new SuggestionKeys(Options.Create(new CdsHooksOptions()));
        var result = BuiltStore.Evaluator.Evaluate(profile, language);
        result.Assessment.Category.Should().Be(category);
        var cardUuid = Guid.NewGuid().ToString();
        var plan = composer.SuggestionPlan(result);
        var suggestions = composer.Suggestions(plan, category, language, OrderReference, PatientId, cardUuid, BuiltStore.Snapshot.Version, keys);

        if (category == "not-applicable")
        {
            suggestions.Should().BeEmpty("a replaced knee's card offers nothing to do");
            return;
        }

        var expected = category switch
        {
            "conventional-care-first" => new[] { CardComposer.RemoveOrder, "referral.exercise-therapy" },
            "arthroplasty-evaluation" => [CardComposer.RemoveOrder, "referral.orthopaedic-surgery"],
            _ => [CardComposer.RemoveOrder],
        };
        plan.Should().Equal(expected);
        suggestions.Should().HaveCount(expected.Length);
        suggestions.Select(s => s.Uuid).Should().OnlyHaveUniqueItems();
        suggestions.Select(s => Guid.TryParse(s.Uuid, out _)).Should().AllBeEquivalentTo(true);
        suggestions.Should().OnlyContain(s => s.IsRecommended == null, "no store entry marks a suggestion as guideline-supported");

        var remove = suggestions[0];
        remove.Label.Should().Be(Text($"cds.suggestion.{category}.1.remove-msc-order", language));
        remove.Actions.Should().ContainSingle().Which.Should().BeEquivalentTo(
            new CdsAction("delete", Text("cds.suggestionAction.remove-msc-order", language), null, OrderReference));

        if (category == "conventional-care-first")
        {
            var referral = suggestions[1];
            referral.Label.Should().Be(Text("cds.suggestion.conventional-care-first.2.referral.exercise-therapy", language));
            referral.Actions.Select(a => a.Type).Should().Equal("delete", "create");
            var resource = referral.Actions[1].Resource!;
            resource.ResourceType.Should().Be("ServiceRequest", "a referral, never a medication order");
            resource.Status.Should().Be("draft");
            resource.Intent.Should().Be("proposal", "options, never orders");
            resource.Subject.Reference.Should().Be("Patient/" + PatientId);
            var storeCode = BuiltStore.Snapshot.TreatmentsByCode["exercise-therapy"].Codes.Single(c => c.System == "http://snomed.info/sct");
            storeCode.Verification.Should().Be("verified");
            resource.Code.Coding.Should().Equal(new CdsCoding(storeCode.System, storeCode.Code, storeCode.Display));
            resource.Code.Text.Should().Be(BuiltStore.Snapshot.TreatmentsByCode["exercise-therapy"].Label.In(language));
        }

        if (category == "arthroplasty-evaluation")
        {
            var referral = suggestions[1];
            referral.Label.Should().Be(Text("cds.suggestion.arthroplasty-evaluation.2.referral.orthopaedic-surgery", language));
            referral.Actions.Select(a => a.Type).Should().Equal("delete", "create");
            var resource = referral.Actions[1].Resource!;
            resource.ResourceType.Should().Be("ServiceRequest");
            resource.Status.Should().Be("draft");
            resource.Intent.Should().Be("proposal", "options, never orders");
            resource.Subject.Reference.Should().Be("Patient/" + PatientId);
            var storeCode = BuiltStore.Snapshot.FhirCodeGroups["referral.orthopaedic-surgery"].Single();
            storeCode.Verification.Should().Be("verified");
            resource.Code.Coding.Should().Equal(new CdsCoding("http://snomed.info/sct", "308481009", storeCode.Display));
            resource.Code.Coding.Should().NotContain(c => c.Code == "609588000", "a referral for assessment, never the replacement itself");
            resource.Code.Text.Should().Be(Text("cds.referralLabel.orthopaedic-surgery", language));
        }

        foreach (var suggestion in suggestions)
        {
            keys.Issued(cardUuid, suggestion.Uuid, BuiltStore.Snapshot.Version, composer.SuggestionIds).Should().NotBeNull();
            keys.Issued(Guid.NewGuid().ToString(), suggestion.Uuid, BuiltStore.Snapshot.Version, composer.SuggestionIds).Should().BeNull("a uuid belongs to its card");
            keys.Issued(cardUuid, suggestion.Uuid, "other-version", composer.SuggestionIds).Should().BeNull("a uuid belongs to its store version");
        }
    }

    [Fact]
    public void A_referral_already_documented_is_not_offered()
    {
        var composer = new CardComposer(BuiltStore.Snapshot, Options.Create(new CdsHooksOptions()));
        var result = BuiltStore.Evaluator.Evaluate(new PatientProfile(62, 3, ["exercise-therapy"], 34, null, "GB"), Language.En);
        result.Assessment.Category.Should().Be("conventional-care-first");
        composer.SuggestionPlan(result).Should().Equal(CardComposer.RemoveOrder);
    }

    private static async Task<JsonElement> Card(HttpClient client, JsonNode request, string? language = null)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/cds-services/msc-knee-oa-order-sign") { Content = HttpAssertions.Json(request.ToJsonString()) };
        if (language is not null)
        {
            message.Headers.TryAddWithoutValidation("Accept-Language", language);
        }

        var response = await client.SendAsync(message);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        CardInvariants.Check(body);
        return body.GetProperty("cards").EnumerateArray().Should().ContainSingle().Subject;
    }

    private static JsonObject Accepted(string card, params string[] ids) => new()
    {
        ["feedback"] = new JsonArray(new JsonObject
        {
            ["card"] = card,
            ["outcome"] = "accepted",
            ["acceptedSuggestions"] = new JsonArray([.. ids.Select(id => (JsonNode)new JsonObject { ["id"] = id })]),
            ["outcomeTimestamp"] = "2026-11-21T10:15:00Z",
        }),
    };

    [Theory]
    [InlineData("0")]
    [InlineData("64")]
    public async Task The_card_offers_removal_and_a_referral_and_accepted_feedback_is_checked_against_issued_uuids(string memoMegabytes)
    {
        using var app = factory.WithWebHostBuilder(b => b.UseSetting("AnswerMemo:CardMegabytes", memoMegabytes));
        var client = app.CreateClient();
        var request = OrderSign(Prefetch(firstLineCare: false), XrayOrder(), MscOrder());
        var cards = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            // Three calls: with the memo on, the second and third are answered from kept bytes with the suggestions added.
            cards.Add(await Card(client, request, i == 2 ? "zh" : null));
        }

        cards.Select(c => c.GetProperty("uuid").GetString()).Should().OnlyHaveUniqueItems();
        foreach (var card in cards)
        {
            card.GetProperty("source").GetProperty("topic").GetProperty("code").GetString().Should().Be("conventional-care-first");
            card.GetProperty("selectionBehavior").GetString().Should().Be("at-most-one");
            var suggestions = card.GetProperty("suggestions").EnumerateArray().ToList();
            suggestions.Should().HaveCount(2);
            suggestions.Select(s => s.TryGetProperty("isRecommended", out _)).Should().AllBeEquivalentTo(false);
            suggestions[0].GetProperty("actions").EnumerateArray().Should().ContainSingle()
                .Which.GetProperty("resourceId").GetString().Should().Be(OrderReference, "the MSC order, not the other draft order");
            var create = suggestions[1].GetProperty("actions")[1];
            create.GetProperty("type").GetString().Should().Be("create");
            create.GetProperty("resource").GetProperty("subject").GetProperty("reference").GetString().Should().Be("Patient/" + PatientId);
            create.GetProperty("resource").GetProperty("code").GetProperty("coding")[0].GetProperty("code").GetString().Should().Be("91251008");
        }

        cards[2].GetProperty("suggestions")[0].GetProperty("label").GetString().Should().Be(Text("cds.suggestion.conventional-care-first.1.remove-msc-order", Language.Zh));
        cards[0].GetProperty("suggestions")[0].GetProperty("label").GetString().Should().Be("Remove the MSC injection order");

        var feedbackUrl = "/cds-services/msc-knee-oa-order-sign/feedback";
        var first = cards[1];
        var cardUuid = first.GetProperty("uuid").GetString()!;
        var issued = first.GetProperty("suggestions")[1].GetProperty("uuid").GetString()!;
        (await client.PostAsync(feedbackUrl, HttpAssertions.Json(Accepted(cardUuid, issued).ToJsonString()))).StatusCode.Should().Be(HttpStatusCode.OK);
        factory.Logs.Messages.Should().Contain(m => m.Contains("audit cds-feedback", StringComparison.Ordinal) && m.Contains(cardUuid, StringComparison.Ordinal)
            && m.Contains("outcome=accepted", StringComparison.Ordinal));

        foreach (var forged in new[] { Accepted(cardUuid, Guid.NewGuid().ToString()), Accepted(cardUuid, "s-1"), Accepted(Guid.NewGuid().ToString(), issued),
                     Accepted(cards[0].GetProperty("uuid").GetString()!, issued) })
        {
            var response = await client.PostAsync(feedbackUrl, HttpAssertions.Json(forged.ToJsonString()));
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/fhir+json");
            var outcome = await response.ReadJsonAsync();
            outcome.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
            outcome.GetProperty("issue")[0].GetProperty("code").GetString().Should().Be("invalid");
        }
    }

    [Fact]
    public async Task Not_applicable_and_patient_view_cards_have_no_suggestions_and_a_card_without_an_order_id_offers_none()
    {
        var client = factory.CreateClient();
        var noId = MscOrder();
        noId.Remove("id");
        var card = await Card(client, OrderSign(Prefetch(firstLineCare: false), noId));
        card.TryGetProperty("suggestions", out _).Should().BeFalse("a delete action needs the order's id");
        card.TryGetProperty("selectionBehavior", out _).Should().BeFalse();
    }
}
