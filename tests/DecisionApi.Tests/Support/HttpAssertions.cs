using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace DecisionApi.Tests.Support;

public static class HttpAssertions
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 problem with the status, a traceId and, when given, an error under <paramref name="field"/>.</summary>
    public static async Task<JsonElement> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string? field = null, string? messagePart = null)
    {
        response.StatusCode.Should().Be(status);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var body = await response.ReadJsonAsync();
        body.GetProperty("status").GetInt32().Should().Be((int)status);
        body.GetProperty("title").GetString().Should().NotBeNullOrWhiteSpace();
        body.GetProperty("traceId").GetString().Should().NotBeNullOrWhiteSpace();
        body.ToString().Should().NotContain("   at ", "no stack trace may leak");
        if (field is not null)
        {
            var messages = body.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()).ToList();
            messages.Should().NotBeEmpty();
            if (messagePart is not null)
            {
                messages.Should().Contain(m => m!.Contains(messagePart, StringComparison.Ordinal));
            }
        }

        return body;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body);
}

public static class SourceJson
{
    public static bool HasIdentifier(System.Text.Json.JsonElement source) =>
        source.TryGetProperty("pmid", out _) || source.TryGetProperty("doi", out _) || source.TryGetProperty("url", out _);
}
