using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using DecisionApi.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace DecisionApi.Tests.Integration;

/// <summary>With OTEL_EXPORTER_OTLP_ENDPOINT set, metrics and traces reach an OTLP/HTTP (protobuf) receiver on loopback.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task Metrics_and_traces_are_exported_over_OTLP_when_an_endpoint_is_set()
    {
        var received = new ConcurrentDictionary<string, string>();
        var receiverBuilder = WebApplication.CreateSlimBuilder();
        receiverBuilder.Logging.ClearProviders();
        receiverBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var receiver = receiverBuilder.Build();
        receiver.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            // Protobuf keeps strings as UTF-8 bytes, so metric and span names can be found in the body as text.
            received.AddOrUpdate(signal, Encoding.UTF8.GetString(buffer.ToArray()), (_, old) => old + Encoding.UTF8.GetString(buffer.ToArray()));
            return Results.Ok();
        });
        await receiver.StartAsync();
        var endpoint = receiver.Urls.Single();

        await using var factory = new TelemetryFactory(endpoint);
        using var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync("/v1/evaluations", new
        {
            age = 62, klGrade = 3, priorTreatments = new[] { "exercise-therapy", "oral-nsaid", "ia-corticosteroid" }, bmi = 28.5, jurisdiction = "US",
        });
        response.EnsureSuccessStatusCode();

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline &&
               !(received.TryGetValue("metrics", out var m) && m.Contains("decision_api.evaluations", StringComparison.Ordinal) && m.Contains("http.server.request.duration", StringComparison.Ordinal)))
        {
            await Task.Delay(100);
        }

        received.Should().ContainKey("metrics");
        received["metrics"].Should().Contain("decision_api.evaluations").And.Contain("http.server.request.duration")
            .And.Contain("store.version").And.Contain("category");
        await receiver.StopAsync();
    }

    [Fact]
    public async Task Cds_cards_accepted_suggestions_and_overrides_reach_the_OTLP_receiver()
    {
        // Issue #24: what the site sees. Cards shown (hook, category, store version), suggestions accepted (kind),
        // overrides (reason code).
        var received = new ConcurrentDictionary<string, string>();
        var receiverBuilder = WebApplication.CreateSlimBuilder();
        receiverBuilder.Logging.ClearProviders();
        receiverBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var receiver = receiverBuilder.Build();
        receiver.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            received.AddOrUpdate(signal, Encoding.UTF8.GetString(buffer.ToArray()), (_, old) => old + Encoding.UTF8.GetString(buffer.ToArray()));
            return Results.Ok();
        });
        await receiver.StartAsync();

        await using var factory = new TelemetryFactory(receiver.Urls.Single());
        using var client = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("CdsHooks:Authentication:Enabled", "false");
            b.UseSetting("RateLimiting:Enabled", "false");
        }).CreateClient();
        var call = await client.PostAsync("/cds-services/msc-knee-oa-order-sign", new StringContent(
            DecisionApi.Tests.CdsHooks.CdsFixtures.OrderSign(DecisionApi.Tests.CdsHooks.CdsFixtures.Prefetch(firstLineCare: false), DecisionApi.Tests.CdsHooks.CdsFixtures.MscOrder()).ToJsonString(),
            Encoding.UTF8, "application/json"));
        call.EnsureSuccessStatusCode();
        var card = System.Text.Json.JsonDocument.Parse(await call.Content.ReadAsStringAsync()).RootElement.GetProperty("cards")[0];
        var cardUuid = card.GetProperty("uuid").GetString();
        var suggestion = card.GetProperty("suggestions")[1].GetProperty("uuid").GetString();
        var feedback = $$$"""
            {"feedback":[
              {"card":"{{{cardUuid}}}","outcome":"accepted","acceptedSuggestions":[{"id":"{{{suggestion}}}"}],"outcomeTimestamp":"2026-11-21T10:15:00Z"},
              {"card":"{{{Guid.NewGuid()}}}","outcome":"overridden","overrideReason":{"reason":{"system":"urn:decision-api:cds-override-reason","code":"shared-decision"}},"outcomeTimestamp":"2026-11-21T10:16:00Z"}]}
            """;
        (await client.PostAsync("/cds-services/msc-knee-oa-order-sign/feedback", new StringContent(feedback, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        string[] names = ["decision_api.cds.cards", "decision_api.cds.suggestions.accepted", "decision_api.cds.overrides"];
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && !(received.TryGetValue("metrics", out var m) && names.All(n => m.Contains(n, StringComparison.Ordinal))))
        {
            await Task.Delay(100);
        }

        received.Should().ContainKey("metrics");
        received["metrics"].Should().Contain(names[0]).And.Contain(names[1]).And.Contain(names[2])
            .And.Contain("order-sign").And.Contain("conventional-care-first").And.Contain("referral.exercise-therapy").And.Contain("shared-decision");
        await receiver.StopAsync();
    }

    private sealed class TelemetryFactory(string endpoint) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
        builder.UseSetting("CdsHooks:PublicBaseUrl", "http://localhost");
            builder.UseSetting("RuleStore:Path", RepositoryPaths.BuiltStore);
            builder.UseSetting("ApiKeys:Enabled", "false");
            builder.UseSetting("Shutdown:UnreadySeconds", "0");
            builder.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
            builder.UseSetting("OTEL_METRIC_EXPORT_INTERVAL", "200");
        }
    }
}
