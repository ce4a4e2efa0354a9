using System.Net;
using System.Text.Json.Nodes;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.CdsHooks;

public sealed class CdsFeedbackTests(CdsHooksFactory factory) : IClassFixture<CdsHooksFactory>
{
    private const string FeedbackUrl = "/cds-services/msc-knee-oa/feedback";
    private readonly HttpClient client = factory.CreateClient();

    private static JsonObject Overridden(string card, string comment = "Patient Jane asked again") => new()
    {
        ["feedback"] = new JsonArray(new JsonObject
        {
            ["card"] = card,
            ["outcome"] = "overridden",
            ["overrideReason"] = new JsonObject
            {
                ["reason"] = new JsonObject { ["system"] = "urn:decision-api:cds-override-reason", ["code"] = "registered-trial", ["display"] = "Given within a registered clinical trial" },
                ["userComment"] = comment,
            },
            ["outcomeTimestamp"] = "2026-11-21T10:15:00Z",
        }),
    };

    [Fact]
    public async Task Feedback_is_recorded_once_without_patient_data_and_repeats_are_accepted()
    {
        var card = Guid.NewGuid().ToString();
        var first = await client.PostAsync(FeedbackUrl, HttpAssertions.Json(Overridden(card).ToJsonString()));
        var again = await client.PostAsync(FeedbackUrl, HttpAssertions.Json(Overridden(card).ToJsonString()));

        first.StatusCode.Should().Be(HttpStatusCode.OK);
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        var audit = factory.Logs.Messages.Where(m => m.Contains("audit cds-feedback", StringComparison.Ordinal) && m.Contains(card, StringComparison.Ordinal)).ToList();
        audit.Should().ContainSingle().Which.Should().Contain("outcome=overridden").And.Contain("overrideReason=registered-trial");
        factory.Logs.Messages.Should().NotContain(m => m.Contains("Patient Jane", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Accepted_feedback_needs_accepted_suggestions()
    {
        var card = Guid.NewGuid().ToString();
        JsonObject Accepted(bool withSuggestions)
        {
            var item = new JsonObject { ["card"] = card, ["outcome"] = "accepted", ["outcomeTimestamp"] = "2026-11-21T10:15:00Z" };
            if (withSuggestions)
            {
                item["acceptedSuggestions"] = new JsonArray(new JsonObject { ["id"] = "s-1" });
            }

            return new JsonObject { ["feedback"] = new JsonArray(item) };
        }

        (await client.PostAsync(FeedbackUrl, HttpAssertions.Json(Accepted(false).ToJsonString()))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        // "s-1" was never issued for this card (issue #24: accepted suggestions are checked; CdsSuggestionTests has the valid case).
        (await client.PostAsync(FeedbackUrl, HttpAssertions.Json(Accepted(true).ToJsonString()))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("""{}""", "feedback")]
    [InlineData("""{"feedback":[]}""", "feedback")]
    [InlineData("""{"feedback":[{"outcome":"overridden","outcomeTimestamp":"2026-11-21T10:15:00Z"}]}""", "card")]
    [InlineData("""{"feedback":[{"card":"0b3e4c1a-5f7d-4e2b-9a61-2c8d7e9f1a23","outcome":"ignored","outcomeTimestamp":"2026-11-21T10:15:00Z"}]}""", "outcome")]
    [InlineData("""{"feedback":[{"card":"0b3e4c1a-5f7d-4e2b-9a61-2c8d7e9f1a23","outcome":"overridden","outcomeTimestamp":"yesterday"}]}""", "outcomeTimestamp")]
    [InlineData("""{"feedback":[{"card":"0b3e4c1a-5f7d-4e2b-9a61-2c8d7e9f1a23","outcome":"overridden"}]}""", "outcomeTimestamp")]
    [InlineData("""{"feedback":[{"card":"0b3e4c1a-5f7d-4e2b-9a61-2c8d7e9f1a23","outcome":"overridden","overrideReason":{"reason":{"display":"x"}},"outcomeTimestamp":"2026-11-21T10:15:00Z"}]}""", "overrideReason")]
    [InlineData("""not json""", "JSON")]
    [InlineData("""{"feedback":[{"card":"c","outcome":"overridden","outcomeTimestamp":"2026-11-21T10:15:00Z"}]}""", "UUID")]
    [InlineData("""{"feedback":[{"card":"0b3e4c1a-5f7d-4e2b-9a61-2c8d7e9f1a23","outcome":"accepted","acceptedSuggestions":"s-1","outcomeTimestamp":"2026-11-21T10:15:00Z"}]}""", "acceptedSuggestions")]
    [InlineData("""{"feedback":[{"card":"0b3e4c1a-5f7d-4e2b-9a61-2c8d7e9f1a23","outcome":"accepted","acceptedSuggestions":[],"outcomeTimestamp":"2026-11-21T10:15:00Z"}]}""", "acceptedSuggestions")]
    [InlineData("""{"feedback":[{"card":"0b3e4c1a-5f7d-4e2b-9a61-2c8d7e9f1a23","outcome":"accepted","acceptedSuggestions":[1],"outcomeTimestamp":"2026-11-21T10:15:00Z"}]}""", "acceptedSuggestions")]
    [InlineData("""{"feedback":[{"card":"0b3e4c1a-5f7d-4e2b-9a61-2c8d7e9f1a23","outcome":"overridden","overrideReason":{},"outcomeTimestamp":"2026-11-21T10:15:00Z"}]}""", "overrideReason")]
    [InlineData("""{"feedback":[{"card":"0b3e4c1a-5f7d-4e2b-9a61-2c8d7e9f1a23","outcome":"overridden","overrideReason":"x","outcomeTimestamp":"2026-11-21T10:15:00Z"}]}""", "overrideReason")]
    [InlineData("""{"feedback":[{"card":"0b3e4c1a-5f7d-4e2b-9a61-2c8d7e9f1a23","outcome":"overridden","overrideReason":{"userComment":5},"outcomeTimestamp":"2026-11-21T10:15:00Z"}]}""", "userComment")]
    [InlineData("""{"feedback":[{"card":"0b3e4c1a-5f7d-4e2b-9a61-2c8d7e9f1a23","outcome":"overridden","outcomeTimestamp":"2026-11-21 10:15:00"}]}""", "outcomeTimestamp")]
    [InlineData("""{"feedback":[{"card":"0b3e4c1a-5f7d-4e2b-9a61-2c8d7e9f1a23","outcome":"overridden","outcomeTimestamp":"2026-11-21T10:15:00"}]}""", "outcomeTimestamp")]
    [InlineData("""{"feedback":[{"card":"0b3e4c1a-5f7d-4e2b-9a61-2c8d7e9f1a23","outcome":"overridden","outcomeTimestamp":20261121}]}""", "outcomeTimestamp")]
    [InlineData("""{"feedback":[1]}""", "object")]
    public async Task Invalid_feedback_is_400_with_an_OperationOutcome(string body, string mentioned)
    {
        var response = await client.PostAsync(FeedbackUrl, HttpAssertions.Json(body));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var outcome = await response.ReadJsonAsync();
        outcome.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        outcome.GetProperty("issue")[0].GetProperty("diagnostics").GetString().Should().Contain(mentioned);
    }

    [Fact]
    public async Task Feedback_timestamps_with_an_offset_are_accepted_and_too_many_items_are_refused()
    {
        var body = Overridden(Guid.NewGuid().ToString());
        body["feedback"]![0]!["outcomeTimestamp"] = "2026-11-21T18:15:00+08:00";
        (await client.PostAsync(FeedbackUrl, HttpAssertions.Json(body.ToJsonString()))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsync("/cds-services/msc-knee-oa-order-sign/feedback", HttpAssertions.Json(body.ToJsonString()))).StatusCode.Should().Be(HttpStatusCode.OK);

        var many = new JsonArray([.. Enumerable.Range(0, 51).Select(_ => Overridden(Guid.NewGuid().ToString())["feedback"]![0]!.DeepClone())]);
        var tooMany = await client.PostAsync(FeedbackUrl, HttpAssertions.Json(new JsonObject { ["feedback"] = many }.ToJsonString()));
        tooMany.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tooMany.ReadJsonAsync()).GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
    }

    [Fact]
    public async Task Feedback_for_an_unknown_service_is_404() =>
        (await client.PostAsync("/cds-services/other/feedback", HttpAssertions.Json(Overridden("c").ToJsonString()))).StatusCode.Should().Be(HttpStatusCode.NotFound);
}
