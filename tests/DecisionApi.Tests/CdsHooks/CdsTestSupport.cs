using System.Collections.Concurrent;
using System.Text.Json;
using DecisionApi.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DecisionApi.Tests.CdsHooks;

public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>Keeps every log message, to check audit events and that nothing identifying is logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Messages.Enqueue(formatter(state, exception) + (exception is null ? "" : " " + exception));
    }
}

/// <summary>The service with CDS Hooks authentication off (the JWT tests turn it on), a fixed clock and captured logs.</summary>
public sealed class CdsHooksFactory : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset Today = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("CdsHooks:PublicBaseUrl", "http://localhost");
        builder.UseSetting("RuleStore:Path", RepositoryPaths.BuiltStore);
        // Keys and rate limits have their own tests (AccessControlTests); the other tests call as one trusted client.
        builder.UseSetting("ApiKeys:Enabled", "false");
        builder.UseSetting("RateLimiting:Enabled", "false");
        builder.UseSetting("Shutdown:UnreadySeconds", "0");
        builder.UseSetting("CdsHooks:Authentication:Enabled", "false");
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<TimeProvider>(new FixedTimeProvider(Today));
            services.AddSingleton<ILoggerProvider>(Logs);
        });
    }
}

/// <summary>The CDS Hooks 2.0 rules every card and response must keep (spec §1.5 and the 3.0-ballot invariants).</summary>
public static class CardInvariants
{
    public static void Check(JsonElement response)
    {
        response.ValueKind.Should().Be(JsonValueKind.Object);
        var cards = response.GetProperty("cards");
        cards.ValueKind.Should().Be(JsonValueKind.Array);
        foreach (var card in cards.EnumerateArray())
        {
            NoNullOrEmpty(card, "card");
            var summary = card.GetProperty("summary").GetString()!;
            summary.Length.Should().BeInRange(1, 139);
            card.GetProperty("indicator").GetString().Should().BeOneOf("info", "warning", "critical");
            card.GetProperty("source").GetProperty("label").GetString().Should().NotBeNullOrWhiteSpace();
            var topic = card.GetProperty("source").GetProperty("topic");
            topic.GetProperty("system").GetString().Should().Be("urn:decision-api:assessment-category");
            DecisionApi.RuleStore.Content.Vocab.Categories.Should().Contain(topic.GetProperty("code").GetString());
            topic.GetProperty("display").GetString().Should().NotBeNullOrWhiteSpace();
            if (topic.GetProperty("code").GetString() != "outside-evidence-base" || !summary.Contains("adults", StringComparison.Ordinal))
            {
                card.GetProperty("links").EnumerateArray().Should().ContainSingle(l => l.GetProperty("type").GetString() == "absolute",
                    "every card links to the full evidence summary, but one for a patient under 18 (issue #20)");
            }
            else
            {
                card.TryGetProperty("links", out _).Should().BeFalse("the page answers adults only: a card for a patient under 18 links nowhere");
            }
            Guid.TryParse(card.GetProperty("uuid").GetString(), out _).Should().BeTrue();
            if (card.TryGetProperty("overrideReasons", out var reasons))
            {
                reasons.EnumerateArray().Should().OnlyContain(r => r.GetProperty("display").GetString()!.Length > 0
                    && r.GetProperty("code").GetString()!.Length > 0 && r.GetProperty("system").GetString()!.Length > 0);
            }

            if (card.TryGetProperty("suggestions", out var suggestions))
            {
                // cds-resp-6: suggestions imply selectionBehavior (2.0: at-most-one or any).
                card.TryGetProperty("selectionBehavior", out var behavior).Should().BeTrue("suggestions require selectionBehavior");
                behavior.GetString().Should().BeOneOf("at-most-one", "any");
                // cds-resp-1: at-most-one implies at most one recommended suggestion.
                if (behavior.GetString() == "at-most-one")
                {
                    suggestions.EnumerateArray().Count(s => s.TryGetProperty("isRecommended", out var r) && r.GetBoolean()).Should().BeLessThanOrEqualTo(1);
                }

                foreach (var suggestion in suggestions.EnumerateArray())
                {
                    suggestion.GetProperty("label").GetString().Should().NotBeNullOrWhiteSpace();
                    Guid.TryParse(suggestion.GetProperty("uuid").GetString(), out _).Should().BeTrue("feedback names a suggestion by its uuid");
                    foreach (var action in suggestion.GetProperty("actions").EnumerateArray())
                    {
                        action.GetProperty("type").GetString().Should().BeOneOf("create", "update", "delete");
                        action.GetProperty("description").GetString().Should().NotBeNullOrWhiteSpace();
                        if (action.GetProperty("type").GetString() == "delete")
                        {
                            // cds-resp-2: a delete names the resource (resourceId) and carries none.
                            action.TryGetProperty("resourceId", out _).Should().BeTrue();
                            action.TryGetProperty("resource", out _).Should().BeFalse();
                        }
                        else
                        {
                            action.GetProperty("resource").GetProperty("resourceType").GetString().Should().NotBeNullOrWhiteSpace();
                        }
                    }
                }
            }
            else
            {
                card.TryGetProperty("selectionBehavior", out _).Should().BeFalse("selectionBehavior only with suggestions");
            }

            if (card.TryGetProperty("links", out var links))
            {
                links.EnumerateArray().Should().OnlyContain(l => (l.GetProperty("type").GetString() == "absolute" || l.GetProperty("type").GetString() == "smart")
                    && l.GetProperty("label").GetString()!.Length > 0 && Uri.IsWellFormedUriString(l.GetProperty("url").GetString(), UriKind.Absolute));
            }
        }
    }

    /// <summary>2.0: optional elements are omitted, never null, "", [] or {}.</summary>
    public static void NoNullOrEmpty(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                throw new Xunit.Sdk.XunitException($"{path} is null");
            case JsonValueKind.String when element.GetString()!.Length == 0:
                throw new Xunit.Sdk.XunitException($"{path} is an empty string");
            case JsonValueKind.Array:
                element.GetArrayLength().Should().BePositive($"{path} must not be an empty array");
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    NoNullOrEmpty(item, $"{path}[{i++}]");
                }

                break;
            case JsonValueKind.Object:
                element.EnumerateObject().Should().NotBeEmpty($"{path} must not be an empty object");
                foreach (var property in element.EnumerateObject())
                {
                    NoNullOrEmpty(property.Value, $"{path}.{property.Name}");
                }

                break;
        }
    }
}
