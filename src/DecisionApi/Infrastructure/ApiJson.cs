using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
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
        json.Converters.Add(new EvidenceItemConverter());
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
            // The bytes kept are those of the serializer's encoder, unindented: a writer set otherwise gets the plain way.
            if (writer.Options.Indented || !ReferenceEquals(writer.Options.Encoder, options.Encoder))
            {
                JsonSerializer.Serialize(writer, value, plain.Value);
                return;
            }

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
/// Writes an evidence item the evaluator made (a copy of its rule's template with this profile's applicability) as one
/// raw JSON value: the template's bytes encoded once — id, topic, text, certainty, direction, rule id and sources — with
/// the applicability escaped in between. Writing these texts from UTF-16 on every answer was about a third of the cost of
/// writing an evidence summary's items. The same bytes as without this converter (a test compares them); an item that no
/// longer says what its template says, or an indenting writer, is written the plain way.
/// </summary>
public sealed class EvidenceItemConverter : JsonConverter<EvidenceItem>
{
    private const int BufferKeptBytes = 64 * 1024;
    private static readonly byte[] Marker = "\"applicability\":\""u8.ToArray();

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? itemBuffer;

    private readonly ConditionalWeakTable<EvidenceItem, EncodedTemplate> templates = [];
    private PlainOptions? plain;

    // The options without this converter: how an item is written the plain way. Kept for the options last asked about
    // (a copy of the options shares this converter but may name or leave out members otherwise).
    private JsonSerializerOptions Plain(JsonSerializerOptions options)
    {
        if (plain is { } known && ReferenceEquals(known.Source, options))
        {
            return known.Plain;
        }

        var copy = new JsonSerializerOptions(options);
        copy.Converters.Remove(copy.Converters.OfType<EvidenceItemConverter>().Single());
        copy.MakeReadOnly(populateMissingResolver: true);
        plain = new PlainOptions(options, copy);
        return copy;
    }

    private sealed record PlainOptions(JsonSerializerOptions Source, JsonSerializerOptions Plain);

    public override EvidenceItem? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<EvidenceItem>(ref reader, Plain(options));

    public override void Write(Utf8JsonWriter writer, EvidenceItem value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (writer.Options.Indented || value.Applicability is null || !value.MatchesTemplate())
        {
            JsonSerializer.Serialize(writer, value, Plain(options));
            return;
        }

        var template = value.Template!;
        var encoder = writer.Options.Encoder;
        if (!templates.TryGetValue(template, out var encoded) || !ReferenceEquals(encoded.Encoder, encoder) || !ReferenceEquals(encoded.Options, options))
        {
            encoded = new EncodedTemplate(template, encoder, options, Plain(options));
            templates.AddOrUpdate(template, encoded);
        }

        var buffer = itemBuffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        buffer.Write(encoded.Head);
        WriteEscaped(buffer, value.Applicability, encoder);
        buffer.Write(encoded.Tail);
        writer.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
        if (buffer.Capacity > BufferKeptBytes)
        {
            itemBuffer = null;
        }
    }

    // The text as UTF-8, escaped as the writer escapes it (a null encoder is the writer's default), without allocating.
    private static void WriteEscaped(ArrayBufferWriter<byte> buffer, string text, JavaScriptEncoder? encoder)
    {
        var utf8Length = Encoding.UTF8.GetByteCount(text);
        var rented = utf8Length > 1024 ? ArrayPool<byte>.Shared.Rent(utf8Length) : null;
        try
        {
            var utf8 = rented is null ? stackalloc byte[utf8Length] : rented.AsSpan(0, utf8Length);
            Encoding.UTF8.GetBytes(text, utf8);
            var status = OperationStatus.DestinationTooSmall;
            for (var room = utf8Length + 16; status == OperationStatus.DestinationTooSmall; room *= 2)
            {
                var destination = buffer.GetSpan(room);
                status = (encoder ?? JavaScriptEncoder.Default).EncodeUtf8(utf8, destination, out _, out var written);
                if (status == OperationStatus.Done)
                {
                    buffer.Advance(written);
                }
            }

            if (status != OperationStatus.Done)
            {
                // Cannot happen for UTF-8 made by the encoding above; never write a member half-escaped.
                throw new InvalidOperationException($"Escaping an applicability text failed: {status}.");
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>A template written the plain way and cut where its (empty) applicability goes: the head ends with the
    /// opening quote, the tail starts with the closing one. No text can imitate the cut: a quote inside a value is escaped.</summary>
    private sealed class EncodedTemplate
    {
        public EncodedTemplate(EvidenceItem template, JavaScriptEncoder? encoder, JsonSerializerOptions options, JsonSerializerOptions plain)
        {
            Encoder = encoder;
            Options = options;
            var output = new ArrayBufferWriter<byte>(1024);
            using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = encoder, SkipValidation = true }))
            {
                JsonSerializer.Serialize(writer, template, plain);
            }

            var bytes = output.WrittenSpan;
            var at = bytes.IndexOf(Marker);
            if (at < 0)
            {
                throw new InvalidOperationException("An evidence item is written without its \"applicability\" member; the converter cannot cut it.");
            }

            var cut = at + Marker.Length;
            Head = bytes[..cut].ToArray();
            Tail = bytes[cut..].ToArray();
        }

        public JavaScriptEncoder? Encoder { get; }

        public JsonSerializerOptions Options { get; }

        public byte[] Head { get; }

        public byte[] Tail { get; }
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
