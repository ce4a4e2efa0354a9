using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.CdsHooks;

/// <summary>One card from the in-memory service: the call, the 200, the CDS Hooks model checks and the single card.</summary>
public static class CardCalls
{
    public const string ServiceUrl = "/cds-services/msc-knee-oa";

    /// <summary>Posts an order-sign request for <paramref name="order"/> with <paramref name="prefetch"/> and returns its one card.</summary>
    public static async Task<OneCard> OrderSignCard(this HttpClient client, JsonObject prefetch, JsonObject order)
    {
        ArgumentNullException.ThrowIfNull(client);
        var request = CdsFixtures.OrderSign(prefetch, order);
        using var message = new HttpRequestMessage(HttpMethod.Post, ServiceUrl) { Content = HttpAssertions.Json(request.ToJsonString()) };
        var response = await client.SendAsync(message);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        CardInvariants.Check(body);
        return new OneCard(body.GetProperty("cards").EnumerateArray().Should().ContainSingle().Subject);
    }
}

/// <summary>A card's fields as the tests read them.</summary>
public sealed record OneCard(JsonElement Card)
{
    public string Category => Card.GetProperty("source").GetProperty("topic").GetProperty("code").GetString()!;

    public string Summary => Card.GetProperty("summary").GetString()!;

    public string Detail => Card.GetProperty("detail").GetString()!;

    public bool HasLinks => Card.TryGetProperty("links", out _);
}
