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
        json.Converters.Add(new TraceEntryConverter());
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
/// Writes a trace entry (about 95 per evidence summary, each with its conditions) as one raw JSON value assembled from
/// bytes encoded once per rule — the id, the kind, each condition's clause, field and expected text
/// (<see cref="TraceShape"/>) — and the profile's actual values, each encoded once per answer. Writing them piece by piece
/// was half of the cost of writing an evidence summary. Writes exactly what the default serializer writes for these
/// records with the service's options (camelCase names, a null <c>actual</c> left out; a test compares the bytes); an
/// entry without its shape is written piece by piece.
/// </summary>
public sealed class TraceEntryConverter : JsonConverter<TraceEntry>
{
    private static readonly JsonEncodedText RuleId = JsonEncodedText.Encode("ruleId");
    private static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText Matched = JsonEncodedText.Encode("matched");
    private static readonly JsonEncodedText Conditions = JsonEncodedText.Encode("conditions");
    private static readonly JsonEncodedText Clause = JsonEncodedText.Encode("clause");
    private static readonly JsonEncodedText Field = JsonEncodedText.Encode("field");
    private static readonly JsonEncodedText Expected = JsonEncodedText.Encode("expected");
    private static readonly JsonEncodedText Actual = JsonEncodedText.Encode("actual");

    private const int ActualSlots = 8;
    private const int EntryBufferKeptBytes = 64 * 1024;

    // Per thread: the entry being assembled, and the last actual values encoded (an answer has one string per field).
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? entryBuffer;

    [ThreadStatic]
    private static ActualCache? actuals;

    public override TraceEntry Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("A trace entry is only written.");

    public override void Write(Utf8JsonWriter writer, TraceEntry value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        // The writer's own settings decide the bytes (the serializer's options may differ from them).
        if (writer.Options.Indented || !value.MatchesShape())
        {
            WritePieces(writer, value);
            return;
        }

        var shape = value.Shape!;
        var encoder = writer.Options.Encoder;
        if (shape.WriterCache is not EncodedShape encoded || !ReferenceEquals(encoded.Encoder, encoder))
        {
            encoded = new EncodedShape(shape, encoder);
            shape.WriterCache = encoded;
        }

        var buffer = entryBuffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        buffer.Write(value.Matched ? encoded.HeadMatched : encoded.HeadNotMatched);
        var cache = actuals ??= new ActualCache();
        for (var index = 0; index < value.Conditions.Count; index++)
        {
            var condition = value.Conditions[index];
            if (index > 0)
            {
                buffer.Write(","u8);
            }

            buffer.Write(encoded.ConditionHeads[index]);
            if (condition.Actual is { } actual)
            {
                buffer.Write(",\"actual\":\""u8);
                buffer.Write(cache.Encoded(actual, encoder));
                buffer.Write("\""u8);
            }

            buffer.Write(condition.Matched ? ",\"matched\":true}"u8 : ",\"matched\":false}"u8);
        }

        buffer.Write("]}"u8);
        writer.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
        if (buffer.Capacity > EntryBufferKeptBytes)
        {
            entryBuffer = null; // an unusually large entry's buffer is not kept by the thread
        }
    }

    private static void WritePieces(Utf8JsonWriter writer, TraceEntry value)
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

    /// <summary>The last few actual values and their escaped UTF-8 (without quotes), by instance: the evaluator gives every
    /// condition on a field the same string in one answer.</summary>
    private sealed class ActualCache
    {
        private readonly string?[] values = new string?[ActualSlots];
        private readonly byte[][] bytes = new byte[ActualSlots][];
        private JavaScriptEncoder? encoder;
        private int next;

        public ReadOnlySpan<byte> Encoded(string actual, JavaScriptEncoder? valueEncoder)
        {
            if (!ReferenceEquals(encoder, valueEncoder))
            {
                Array.Clear(values);
                encoder = valueEncoder;
            }

            for (var slot = 0; slot < ActualSlots; slot++)
            {
                if (ReferenceEquals(values[slot], actual))
                {
                    return bytes[slot];
                }
            }

            var encoded = JsonEncodedText.Encode(actual, valueEncoder).EncodedUtf8Bytes.ToArray();
            values[next] = actual;
            bytes[next] = encoded;
            next = (next + 1) % ActualSlots;
            return encoded;
        }
    }
}
