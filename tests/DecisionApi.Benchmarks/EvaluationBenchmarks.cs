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

/// <summary>
/// Multiplies every non-assessment statement and its rule (with the same conditions and sources) <c>scale</c> times, so
/// the evaluator walks scale× as many rules. Assessments keep their precedence and count.
/// </summary>
internal static class SyntheticStore
{
    public static StoreContent Scaled(StoreContent content, int scale)
    {
        if (scale <= 1)
        {
            return content;
        }

        var statements = content.Statements.ToList();
        var statementSources = content.StatementSources.ToList();
        var rules = content.Rules.ToList();
        var conditions = content.RuleConditions.ToList();
        var copied = content.Rules.Where(r => r.Kind != "assessment").ToList();
        var statementById = content.Statements.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var ordinal = content.Rules.Max(r => r.Ordinal);
        for (var copy = 1; copy < scale; copy++)
        {
            foreach (var rule in copied)
            {
                var suffix = $"-x{copy}";
                var statement = statementById[rule.StatementId];
                statements.Add(Clone(statement, statement.Id + suffix, statement.Ordinal + (copy * 100_000)));
                statementSources.AddRange(content.StatementSources.Where(s => s.StatementId == statement.Id)
                    .Select(s => new StatementSourceRow { StatementId = s.StatementId + suffix, SourceId = s.SourceId, Ordinal = s.Ordinal }));
                rules.Add(new RuleRow { Id = rule.Id + suffix, Kind = rule.Kind, Ordinal = ++ordinal, StatementId = statement.Id + suffix });
                conditions.AddRange(content.RuleConditions.Where(c => c.RuleId == rule.Id).Select(c => new RuleConditionRow
                {
                    RuleId = c.RuleId + suffix, Clause = c.Clause, Ordinal = c.Ordinal, Field = c.Field, Op = c.Op,
                    Value = c.Value, Min = c.Min, Max = c.Max, Codes = c.Codes,
                }));
            }
        }

        return new StoreContent
        {
            Metadata = content.Metadata, Texts = content.Texts, Sources = content.Sources, Vocabulary = content.Vocabulary,
            CodeMappings = content.CodeMappings, Statements = statements, StatementSources = statementSources, Rules = rules,
            RuleConditions = conditions, Recognition = content.Recognition,
        };
    }

    private static StatementRow Clone(StatementRow s, string id, long ordinal) => new()
    {
        Id = id, Kind = s.Kind, Ordinal = ordinal, TextEn = s.TextEn, TextZh = s.TextZh, ReviewedOn = s.ReviewedOn,
        Severity = s.Severity, Issuer = s.Issuer, Core = s.Core, Topic = s.Topic, Certainty = s.Certainty,
        Direction = s.Direction, Selection = s.Selection, KlMin = s.KlMin, KlMax = s.KlMax, AgeMin = s.AgeMin,
        AgeMax = s.AgeMax, ClaimEn = s.ClaimEn, ClaimZh = s.ClaimZh, Verdict = s.Verdict, SeedClaim = s.SeedClaim,
        Treatment = s.Treatment, Strength = s.Strength, IssuerGrade = s.IssuerGrade, Category = s.Category,
        HeadlineEn = s.HeadlineEn, HeadlineZh = s.HeadlineZh,
    };
}
