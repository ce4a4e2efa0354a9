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
