using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace DecisionApi.Features.CdsHooks;

/// <summary>One validated feedback item. The free-text userComment is never kept: it may hold patient data.</summary>
public sealed record FeedbackItem(string Card, string Outcome, string? ReasonSystem, string? ReasonCode, DateTimeOffset OutcomeTimestamp, int AcceptedSuggestions);

/// <summary>Validates CDS Hooks 2.0 feedback and writes one audit event per distinct item, without patient data.</summary>
public sealed partial class FeedbackLog(ILogger<FeedbackLog> logger)
{
    private const int Remembered = 10_000;
    private readonly ConcurrentDictionary<string, byte> seen = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> order = new();

    public static (IReadOnlyList<FeedbackItem> Items, string? Error) Parse(JsonElement root)
    {
        if (root.Property("feedback") is not { ValueKind: JsonValueKind.Array } feedback || feedback.GetArrayLength() == 0)
        {
            return ([], "Feedback needs a non-empty 'feedback' array.");
        }

        var items = new List<FeedbackItem>();
        var index = 0;
        foreach (var item in feedback.EnumerateArray())
        {
            var at = $"feedback[{index++}]";
            if (item.Text("card") is not { Length: > 0 } card)
            {
                return ([], $"{at}.card (the card's uuid) is required.");
            }

            if (item.Text("outcome") is not ("accepted" or "overridden") || item.Text("outcome") is not { } outcome)
            {
                return ([], $"{at}.outcome must be 'accepted' or 'overridden'.");
            }

            var accepted = item.Property("acceptedSuggestions");
            if (outcome == "accepted" && accepted is not { ValueKind: JsonValueKind.Array })
            {
                return ([], $"{at}.acceptedSuggestions is required when the outcome is 'accepted'.");
            }

            if (accepted is { ValueKind: JsonValueKind.Array } list && list.EnumerateArray().Any(s => s.Text("id") is null))
            {
                return ([], $"{at}.acceptedSuggestions items need an 'id'.");
            }

            var reason = item.Property("overrideReason")?.Property("reason");
            if (reason is { } coding && (coding.Text("system") is null || coding.Text("code") is null))
            {
                return ([], $"{at}.overrideReason.reason must be a Coding with 'system' and 'code'.");
            }

            if (item.Text("outcomeTimestamp") is not { } timestamp
                || !DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
            {
                return ([], $"{at}.outcomeTimestamp must be an ISO 8601 date-time.");
            }

            items.Add(new FeedbackItem(card, outcome, reason?.Text("system"), reason?.Text("code"), when, accepted?.GetArrayLength() ?? 0));
        }

        return (items, null);
    }

    public void Record(IEnumerable<FeedbackItem> items)
    {
        foreach (var item in items)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"{item.Card}|{item.Outcome}|{item.ReasonCode}|{item.OutcomeTimestamp.UtcTicks}");
            if (!seen.TryAdd(key, 0))
            {
                continue;
            }

            order.Enqueue(key);
            while (order.Count > Remembered && order.TryDequeue(out var oldest))
            {
                seen.TryRemove(oldest, out _);
            }

            LogFeedback(logger, item.Card, item.Outcome, item.ReasonCode ?? "none", item.AcceptedSuggestions, item.OutcomeTimestamp);
        }
    }

    [LoggerMessage(EventId = 3200, Level = LogLevel.Information,
        Message = "audit cds-feedback card={Card} outcome={Outcome} overrideReason={ReasonCode} acceptedSuggestions={AcceptedSuggestions} at={OutcomeTimestamp:o}")]
    private static partial void LogFeedback(ILogger logger, string card, string outcome, string reasonCode, int acceptedSuggestions, DateTimeOffset outcomeTimestamp);
}
