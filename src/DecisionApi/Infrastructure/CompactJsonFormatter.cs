using System.Text.Json;

namespace DecisionApi.Infrastructure;

/// <summary>
/// One JSON line per log event, each value once: time, level, category, event id, then the event's named values as
/// properties for the service's own events (<c>"status":200</c>), the message for the framework's, and the exception
/// (errors only). The framework's JSON formatter writes the rendered message and then every value again under
/// <c>State</c>, with the template: about twice the bytes for the same facts. Written by
/// <see cref="CompactJsonLoggerProvider"/>, selected with <c>Logging:Console:FormatterName</c> = <c>compact</c>.
/// </summary>
public static class CompactJsonFormatter
{
    public const string Name = "compact";

    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Property names of the service's events, camel-cased once per name.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Names = new(StringComparer.Ordinal);

    /// <summary>Writes one event as a JSON object (without the line end).</summary>
    public static void WriteEntry<TState>(
        Utf8JsonWriter json, LogLevel level, string category, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string>? formatter)
    {
        json.WriteStartObject();
        Span<char> time = stackalloc char[24];
        DateTime.UtcNow.TryFormat(time, out var length, "yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        json.WriteString("time", time[..length]);
        json.WriteString("level", LevelName(level));
        json.WriteString("category", category);
        if (eventId.Id != 0)
        {
            json.WriteNumber("eventId", eventId.Id);
        }

        // The service's own events (source-generated, with named values) are written as values; the framework's as
        // their message, which is what an operator reads ("Now listening on: http://...").
        var named = 0;
        if (category.StartsWith("DecisionApi", StringComparison.Ordinal) && state is IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            for (var index = 0; index < values.Count; index++)
            {
                var (key, value) = values[index];
                if (key == "{OriginalFormat}")
                {
                    continue;
                }

                named++;
                WriteValue(json, Names.GetOrAdd(key, static k => PropertyName(k)), value);
            }
        }

        if (named == 0)
        {
            json.WriteString("message", Printable(formatter is null ? state?.ToString() : formatter(state, exception)));
        }

        if (exception is not null)
        {
            // A stack trace only at Error and above (Kestrel's BadRequests at Debug carry one for every bad request).
            json.WriteString("exception", Printable(level >= LogLevel.Error ? exception.ToString() : exception.GetType().FullName + ": " + exception.Message));
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// The value's JSON name: camel-cased, and never one of the line's own fields (a value named <c>Category</c> would
    /// otherwise repeat the <c>category</c> key, which JSON readers resolve differently or refuse).
    /// </summary>
    private static string PropertyName(string key)
    {
        var name = key.Length > 0 ? char.ToLowerInvariant(key[0]) + key[1..] : "value";
        return name is "time" or "level" or "category" or "eventId" or "message" or "exception" ? name + "Value" : name;
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "Trace",
        LogLevel.Debug => "Debug",
        LogLevel.Information => "Information",
        LogLevel.Warning => "Warning",
        LogLevel.Error => "Error",
        LogLevel.Critical => "Critical",
        _ => level.ToString(),
    };

    // Bidirectional controls (the JSON encoder writes them raw) would reorder what an operator reads in a terminal.
    private static readonly System.Buffers.SearchValues<char> Bidi = System.Buffers.SearchValues.Create("\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069");

    /// <summary>The text with every bidirectional control replaced by U+FFFD; the same string (no copy) when it has none.</summary>
    private static string? Printable(string? text)
    {
        if (text is null || text.AsSpan().IndexOfAny(Bidi) < 0)
        {
            return text;
        }

        return string.Create(text.Length, text, static (span, source) =>
        {
            source.AsSpan().CopyTo(span);
            for (var at = span.IndexOfAny(Bidi); at >= 0; at = span.IndexOfAny(Bidi))
            {
                span[at] = '\uFFFD';
            }
        });
    }

    private static void WriteValue(Utf8JsonWriter json, string name, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNull(name);
                break;
            case int or long or short or byte:
                json.WriteNumber(name, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case double number:
                json.WriteNumber(name, Math.Round(number, 3));
                break;
            case bool flag:
                json.WriteBoolean(name, flag);
                break;
            default:
                json.WriteString(name, Printable(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)));
                break;
        }
    }
}
