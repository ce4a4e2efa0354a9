using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;

namespace DecisionApi.Infrastructure;

/// <summary>The service's JSON settings, in one place for the host, the benchmarks and the tests.</summary>
public static class ApiJson
{
    /// <summary>Strict reading (unknown members, numbers as strings and duplicate keys refused), nulls left out when
    /// writing, and the objects shared by every answer written from UTF-8 encoded once.</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        json.NumberHandling = JsonNumberHandling.Strict;
        json.AllowDuplicateProperties = false;
        json.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        json.Converters.Add(new PreEncodedConverterFactory());
        json.Converters.Add(new TraceConverter());
        return json;
    }
}

/// <summary>
/// Writes the objects that the rule store and the evaluator share across answers — a statement's source list, and the
/// caveats, safety points, claim checks, options and assessment notes the evaluator builds once per rule and language —
/// from UTF-8 JSON encoded the first time each instance is written. A source list is repeated up to 30 times in one
/// answer and makes over half of its bytes; encoding it once turns that into a copy. The cache is keyed by instance and
/// holds it weakly, so a replaced store's objects go with it. The bytes are what the same options write without this
/// converter, so the output is unchanged (a test compares them).
/// </summary>
public sealed class PreEncodedConverterFactory : JsonConverterFactory
{
    private static readonly HashSet<Type> Shared =
    [
        typeof(IReadOnlyList<Source>), typeof(CaveatItem), typeof(SafetyItem), typeof(ClaimCheckItem), typeof(ConventionalOption),
        typeof(AssessmentNote),
    ];

    public override bool CanConvert(Type typeToConvert) => Shared.Contains(typeToConvert);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(PreEncodedConverter<>).MakeGenericType(typeToConvert), options)!;

    private sealed class PreEncodedConverter<T>(JsonSerializerOptions options) : JsonConverter<T>
        where T : class
    {
        private readonly ConditionalWeakTable<T, byte[]> encoded = [];

        // The same options without this factory: what the value is when encoded the plain way.
        private readonly Lazy<JsonSerializerOptions> plain = new(() =>
        {
            var copy = new JsonSerializerOptions(options);
            copy.Converters.Remove(copy.Converters.OfType<PreEncodedConverterFactory>().Single());
            copy.MakeReadOnly(populateMissingResolver: true);
            return copy;
        });

        public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize<T>(ref reader, plain.Value);

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            if (!encoded.TryGetValue(value, out var bytes))
            {
                bytes = JsonSerializer.SerializeToUtf8Bytes(value, plain.Value);
                encoded.AddOrUpdate(value, bytes);
            }

            writer.WriteRawValue(bytes, skipInputValidation: true);
        }
    }
}

/// <summary>
/// Writes an evaluation's trace (about 95 entries per evidence summary, each with its conditions). The evaluator's
/// <see cref="EvaluationTrace"/> keeps bits, not entries; each entry is written as one raw JSON value assembled from
/// bytes encoded once per rule — the id, the kind, each condition's clause, field and expected text
/// (<see cref="TraceShape"/>) — and the profile's actual values, each encoded once per answer. Writing the entries piece by
/// piece was half of the cost of writing an evidence summary. Writes exactly what the default serializer writes for the
/// trace's entries with the service's options (camelCase names, a null <c>actual</c> left out; a test compares the
/// bytes); any other list of entries, or an indenting writer, is written piece by piece.
/// </summary>
public sealed class TraceConverter : JsonConverter<IReadOnlyList<TraceEntry>>
{
    private static readonly JsonEncodedText RuleId = JsonEncodedText.Encode("ruleId");
    private static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText Matched = JsonEncodedText.Encode("matched");
    private static readonly JsonEncodedText Conditions = JsonEncodedText.Encode("conditions");
    private static readonly JsonEncodedText Clause = JsonEncodedText.Encode("clause");
    private static readonly JsonEncodedText Field = JsonEncodedText.Encode("field");
    private static readonly JsonEncodedText Expected = JsonEncodedText.Encode("expected");
    private static readonly JsonEncodedText Actual = JsonEncodedText.Encode("actual");

    private const int EntryBufferKeptBytes = 64 * 1024;

    // Per thread: the entry being assembled.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? entryBuffer;

    public override IReadOnlyList<TraceEntry> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<List<TraceEntry>>(ref reader, options) ?? [];

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<TraceEntry> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        // The writer's own settings decide the bytes (the serializer's options may differ from them).
        if (value is not EvaluationTrace trace || writer.Options.Indented)
        {
            WritePieces(writer, value);
            return;
        }

        var encoder = writer.Options.Encoder;
        var actuals = new ActualCache(encoder);
        var buffer = entryBuffer ??= new ArrayBufferWriter<byte>(4096);
        writer.WriteStartArray();
        for (var index = 0; index < trace.Count; index++)
        {
            var shape = trace.Shape(index);
            if (shape.WriterCache is not EncodedShape encoded || !ReferenceEquals(encoded.Encoder, encoder))
            {
                encoded = new EncodedShape(shape, encoder);
                shape.WriterCache = encoded;
            }

            buffer.ResetWrittenCount();
            buffer.Write(trace.Matched(index) ? encoded.HeadMatched : encoded.HeadNotMatched);
            for (var condition = 0; condition < encoded.ConditionHeads.Length; condition++)
            {
                if (condition > 0)
                {
                    buffer.Write(","u8);
                }

                buffer.Write(encoded.ConditionHeads[condition]);
                if (trace.Actual(index, condition) is { } actual)
                {
                    buffer.Write(",\"actual\":\""u8);
                    buffer.Write(actuals.Encoded(actual));
                    buffer.Write("\""u8);
                }

                buffer.Write(trace.Holds(index, condition) ? ",\"matched\":true}"u8 : ",\"matched\":false}"u8);
            }

            buffer.Write("]}"u8);
            writer.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
        }

        writer.WriteEndArray();
        if (buffer.Capacity > EntryBufferKeptBytes)
        {
            entryBuffer = null; // an unusually large entry's buffer is not kept by the thread
        }
    }

    private static void WritePieces(Utf8JsonWriter writer, IReadOnlyList<TraceEntry> entries)
    {
        writer.WriteStartArray();
        foreach (var value in entries)
        {
            writer.WriteStartObject();
            writer.WriteString(RuleId, value.RuleId);
            writer.WriteString(Kind, value.Kind);
            writer.WriteBoolean(Matched, value.Matched);
            writer.WriteStartArray(Conditions);
            foreach (var condition in value.Conditions)
            {
                writer.WriteStartObject();
                writer.WriteNumber(Clause, condition.Clause);
                writer.WriteString(Field, condition.Field);
                writer.WriteString(Expected, condition.Expected);
                if (condition.Actual is not null)
                {
                    writer.WriteString(Actual, condition.Actual);
                }

                writer.WriteBoolean(Matched, condition.Matched);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>A rule's fixed bytes: the entry's head up to its conditions (matched or not), and each condition up to its actual value.</summary>
    private sealed class EncodedShape
    {
        public EncodedShape(TraceShape shape, JavaScriptEncoder? encoder)
        {
            Encoder = encoder;
            HeadMatched = Head(shape, encoder, matched: true);
            HeadNotMatched = Head(shape, encoder, matched: false);
            ConditionHeads = [.. shape.Conditions.Select(condition => Open(condition, encoder))];
        }

        public JavaScriptEncoder? Encoder { get; }

        public byte[] HeadMatched { get; }

        public byte[] HeadNotMatched { get; }

        public byte[][] ConditionHeads { get; }

        // Written by a Utf8JsonWriter, so the escaping is the writer's; the unclosed tail is cut off its output.
        private static byte[] Head(TraceShape shape, JavaScriptEncoder? encoder, bool matched) => Encode(encoder, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString(RuleId, shape.RuleId);
            writer.WriteString(Kind, shape.Kind);
            writer.WriteBoolean(Matched, matched);
            writer.WriteStartArray(Conditions);
        });

        private static byte[] Open(TraceShape.Condition condition, JavaScriptEncoder? encoder) => Encode(encoder, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber(Clause, condition.Clause);
            writer.WriteString(Field, condition.Field);
            writer.WriteString(Expected, condition.Expected);
        });

        private static byte[] Encode(JavaScriptEncoder? encoder, Action<Utf8JsonWriter> write)
        {
            var output = new ArrayBufferWriter<byte>(256);
            using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = encoder, SkipValidation = true }))
            {
                write(writer);
            }

            return output.WrittenSpan.ToArray();
        }
    }

    /// <summary>One answer's actual values and their escaped UTF-8 (without quotes), by instance: the trace gives every
    /// condition on a field the same string.</summary>
    private sealed class ActualCache(JavaScriptEncoder? encoder)
    {
        private const int Slots = 8;
        private readonly string?[] values = new string?[Slots];
        private readonly byte[][] bytes = new byte[Slots][];
        private int next;

        public ReadOnlySpan<byte> Encoded(string actual)
        {
            for (var slot = 0; slot < Slots; slot++)
            {
                if (ReferenceEquals(values[slot], actual))
                {
                    return bytes[slot];
                }
            }

            var encoded = JsonEncodedText.Encode(actual, encoder).EncodedUtf8Bytes.ToArray();
            values[next] = actual;
            bytes[next] = encoded;
            next = (next + 1) % Slots;
            return encoded;
        }
    }
}
