using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace DecisionApi.Infrastructure;

/// <summary>
/// One JSON line per log event, each value once: time, level, category, event id, then the event's named values as
/// properties for the service's own events (<c>"status":200</c>), the message for the framework's, and the exception
/// (errors only). The framework's
/// JSON formatter writes the rendered message and then every value again under <c>State</c>, with the template: about
/// twice the bytes for the same facts. Selected with <c>Logging:Console:FormatterName</c> = <c>compact</c>.
/// </summary>
public sealed class CompactJsonFormatter() : ConsoleFormatter(Name)
{
    public new const string Name = "compact";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("time", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("level", logEntry.LogLevel.ToString());
            json.WriteString("category", logEntry.Category);
            if (logEntry.EventId.Id != 0)
            {
                json.WriteNumber("eventId", logEntry.EventId.Id);
            }

            // The service's own events (source-generated, with named values) are written as values; the framework's as
            // their message, which is what an operator reads ("Now listening on: http://...").
            var named = 0;
            if (logEntry.Category.StartsWith("DecisionApi", StringComparison.Ordinal) && logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    if (key == "{OriginalFormat}")
                    {
                        continue;
                    }

                    named++;
                    WriteValue(json, key.Length > 0 ? char.ToLowerInvariant(key[0]) + key[1..] : "value", value);
                }
            }

            if (named == 0)
            {
                json.WriteString("message", logEntry.Formatter(logEntry.State, logEntry.Exception));
            }

            if (logEntry.Exception is { } exception)
            {
                json.WriteString("exception", exception.ToString());
            }

            json.WriteEndObject();
        }

        textWriter.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write(Environment.NewLine);
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
                json.WriteString(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }
}
