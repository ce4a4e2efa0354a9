using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DecisionApi.Features.CdsHooks;

/// <summary>
/// One validated feedback item. The free-text userComment is never kept: it may hold patient data. AcceptedIds are the
/// accepted suggestions' uuids, checked against those issued for the card before recording.
/// </summary>
public sealed record FeedbackItem(
    string Card, string Outcome, string? ReasonSystem, string? ReasonCode, DateTimeOffset OutcomeTimestamp, int AcceptedSuggestions, IReadOnlyList<string>? AcceptedIds = null);

/// <summary>Validates CDS Hooks 2.0 feedback and writes one audit event per distinct item, without patient data.</summary>
public sealed partial class FeedbackLog(ILogger<FeedbackLog> logger)
{
    private const int Remembered = 10_000;
    private readonly ConcurrentDictionary<string, byte> seen = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Key, DateTime At)> order = new();

    /// <summary>Most feedback items accepted in one request.</summary>
    public const int MaxItems = 50;

    private const int MaxSuggestions = 50;
    private const int MaxStringLength = 256;
    private const int MaxCommentLength = 4096;
    private static readonly TimeSpan Expiry = TimeSpan.FromHours(1);

    public static (IReadOnlyList<FeedbackItem> Items, string? Error) Parse(JsonElement root)
    {
        if (root.Property("feedback") is not { ValueKind: JsonValueKind.Array } feedback || feedback.GetArrayLength() == 0)
        {
            return ([], "Feedback needs a non-empty 'feedback' array.");
        }

        if (feedback.GetArrayLength() > MaxItems)
        {
            return ([], $"At most {MaxItems} feedback items per request.");
        }

        var items = new List<FeedbackItem>();
        var index = 0;
        foreach (var item in feedback.EnumerateArray())
        {
            var at = $"feedback[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                return ([], $"{at} must be an object.");
            }

            if (item.Text("card") is not { Length: <= 64 } card || !Guid.TryParse(card, out var cardId))
            {
                return ([], $"{at}.card (the card's uuid) is required and must be a UUID.");
            }

            if (item.Text("outcome") is not ("accepted" or "overridden") || item.Text("outcome") is not { } outcome)
            {
                return ([], $"{at}.outcome must be 'accepted' or 'overridden'.");
            }

            var accepted = item.Property("acceptedSuggestions");
            if (accepted is { } suggestions && suggestions.ValueKind != JsonValueKind.Array)
            {
                return ([], $"{at}.acceptedSuggestions must be an array.");
            }

            if (outcome == "accepted" && (accepted is null || accepted.Value.GetArrayLength() == 0))
            {
                return ([], $"{at}.acceptedSuggestions (a non-empty array) is required when the outcome is 'accepted'.");
            }

            if (accepted is { ValueKind: JsonValueKind.Array } list
                && (list.GetArrayLength() > MaxSuggestions || list.EnumerateArray().Any(s => s.Text("id") is not { Length: > 0 and <= MaxStringLength })))
            {
                return ([], $"{at}.acceptedSuggestions items must be objects with an 'id' (at most {MaxSuggestions} items).");
            }

            string? reasonSystem = null;
            string? reasonCode = null;
            if (item.Property("overrideReason") is { } overrideReason)
            {
                if (overrideReason.ValueKind != JsonValueKind.Object)
                {
                    return ([], $"{at}.overrideReason must be an object.");
                }

                var reason = overrideReason.Property("reason");
                if (reason is { } coding && (coding.Text("system") is not { Length: > 0 and <= MaxStringLength } system
                    || coding.Text("code") is not { Length: > 0 and <= MaxStringLength } code))
                {
                    return ([], $"{at}.overrideReason.reason must be a Coding with 'system' and 'code'.");
                }
                else if (reason is { } valid)
                {
                    reasonSystem = valid.Text("system");
                    reasonCode = valid.Text("code");
                }

                var comment = overrideReason.Property("userComment");
                if (comment is { } c && (c.ValueKind != JsonValueKind.String || c.GetString()!.Length > MaxCommentLength))
                {
                    return ([], $"{at}.overrideReason.userComment must be a string of at most {MaxCommentLength} characters.");
                }

                if (outcome == "overridden" && reason is null && comment?.GetString() is not { Length: > 0 })
                {
                    return ([], $"{at}.overrideReason needs a 'reason' Coding or a 'userComment'.");
                }
            }

            if (item.Text("outcomeTimestamp") is not { Length: <= 64 } timestamp || !Rfc3339().IsMatch(timestamp)
                || !DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.None, out var when))
            {
                return ([], $"{at}.outcomeTimestamp must be an RFC 3339 date-time with a time zone (e.g. 2026-11-21T10:15:00Z).");
            }

            items.Add(new FeedbackItem(cardId.ToString("D"), outcome, reasonSystem, reasonCode, when.ToUniversalTime(), accepted?.GetArrayLength() ?? 0,
                accepted is { ValueKind: JsonValueKind.Array } ids ? [.. ids.EnumerateArray().Select(s => s.Text("id")!)] : null));
        }

        return (items, null);
    }

    public void Record(IEnumerable<FeedbackItem> items)
    {
        var now = DateTime.UtcNow;
        while (order.TryPeek(out var head) && (order.Count > Remembered || now - head.At > Expiry) && order.TryDequeue(out var oldest))
        {
            seen.TryRemove(oldest.Key, out _);
        }

        foreach (var item in items)
        {
            // The idempotency key is a hash: nothing client-supplied is kept verbatim.
            var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"{item.Card}|{item.Outcome}|{item.ReasonSystem}|{item.ReasonCode}|{item.OutcomeTimestamp.UtcTicks}"))));
            if (!seen.TryAdd(key, 0))
            {
                continue;
            }

            order.Enqueue((key, now));
            while (order.Count > Remembered && order.TryDequeue(out var oldest))
            {
                seen.TryRemove(oldest.Key, out _);
            }

            var reasonCode = item.ReasonCode is { } code && SafeCode().IsMatch(code) ? code : item.ReasonCode is null ? "none" : "other";
            LogFeedback(logger, item.Card, item.Outcome, reasonCode, item.AcceptedSuggestions, item.OutcomeTimestamp);
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();

    /// <summary>Override reason codes logged as they are; any other is logged as "other".</summary>
    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex SafeCode();

    [LoggerMessage(EventId = 3200, Level = LogLevel.Information,
        Message = "audit cds-feedback card={Card} outcome={Outcome} overrideReason={ReasonCode} acceptedSuggestions={AcceptedSuggestions} at={OutcomeTimestamp:o}")]
    private static partial void LogFeedback(ILogger logger, string card, string outcome, string reasonCode, int acceptedSuggestions, DateTimeOffset outcomeTimestamp);
}
