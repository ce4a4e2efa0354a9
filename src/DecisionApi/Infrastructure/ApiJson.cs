using System.Runtime.CompilerServices;
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
/// Writes a trace entry (about 95 per evidence summary, each with its conditions) directly, with the property names
/// encoded once: the general serializer's per-property work was most of the cost of writing an answer. Writes exactly
/// what the default serializer writes for these records with the service's options (camelCase names, a null
/// <c>actual</c> left out; a test compares the bytes).
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

    public override TraceEntry Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("A trace entry is only written.");

    public override void Write(Utf8JsonWriter writer, TraceEntry value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
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
}
