using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using DecisionApi.Infrastructure;
using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using DecisionApi.RuleStore.Storage;

namespace DecisionApi.Benchmarks;

/// <summary>The REST hot path without HTTP: evaluation of the README profile, and its JSON serialisation.</summary>
[MemoryDiagnoser]
public class EvaluationBenchmarks
{
    private Evaluator evaluator = null!;
    private EvaluationResult result = null!;

    internal static readonly PatientProfile ReadmeProfile =
        new(62, 3, ["exercise-therapy", "oral-nsaid", "ia-corticosteroid"], 28.5, null, "US");

    /// <summary>The service's JSON settings (ApiJson: web defaults, nulls left out, shared objects pre-encoded).</summary>
    internal static readonly JsonSerializerOptions Json = ApiJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>The same settings without the pre-encoding: what serialisation costs the plain way.</summary>
    internal static readonly JsonSerializerOptions PlainJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    [GlobalSetup]
    public void Setup()
    {
        evaluator = new Evaluator(RuleStoreSnapshot.Load(StorePath.Shipped), "US");
        result = evaluator.Evaluate(ReadmeProfile, Language.En);
    }

    [Benchmark]
    public EvaluationResult Evaluate() => evaluator.Evaluate(ReadmeProfile, Language.En);

    [Benchmark]
    public byte[] SerializeSummary() => JsonSerializer.SerializeToUtf8Bytes(result, Json);

    [Benchmark]
    public byte[] SerializeSummaryPlain() => JsonSerializer.SerializeToUtf8Bytes(result, PlainJson);

    /// <summary>As the service writes: into a reused buffer (the response pipe), not a new 109 KB array each time.</summary>
    [Benchmark]
    public int WriteSummary() => Write(Json);

    [Benchmark]
    public int WriteSummaryPlain() => Write(PlainJson);

    [Benchmark]
    public int WriteTrace() => Write(Json, result.Trace);

    [Benchmark]
    public int WriteEvidence() => Write(Json, result.Evidence);

    private readonly ArrayBufferWriter<byte> buffer = new(256 * 1024);

    private int Write<T>(JsonSerializerOptions options, T value)
    {
        buffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(buffer);
        JsonSerializer.Serialize(writer, value, options);
        return buffer.WrittenCount;
    }

    private int Write(JsonSerializerOptions options) => Write(options, result);

    [Benchmark]
    public byte[] EvaluateAndSerialize() => JsonSerializer.SerializeToUtf8Bytes(evaluator.Evaluate(ReadmeProfile, Language.En), Json);
}

/// <summary>Loading and verifying the shipped SQLite store (part of start-up).</summary>
[MemoryDiagnoser]
public class StoreLoadBenchmarks
{
    [Benchmark]
    public RuleStoreSnapshot Load() => RuleStoreSnapshot.Load(StorePath.Shipped);
}

/// <summary>The same evaluation against synthetic stores 1×, 10× and 100× the shipped one's statements and rules.</summary>
[MemoryDiagnoser]
public class ScalingBenchmarks
{
    private Evaluator evaluator = null!;

    [Params(1, 10, 100)]
    public int Scale { get; set; }

    public int Rules { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var snapshot = RuleStoreSnapshot.FromContent(SyntheticStore.Scaled(StoreFile.Read(StorePath.Shipped), Scale), "synthetic");
        Rules = snapshot.Rules.Count;
        evaluator = new Evaluator(snapshot, "US");
    }

    [Benchmark]
    public EvaluationResult Evaluate() => evaluator.Evaluate(EvaluationBenchmarks.ReadmeProfile, Language.En);
}

internal static class StorePath
{
    public static string Shipped => Path.Combine(AppContext.BaseDirectory, "rules", "decision-rules.db");
}
