namespace DecisionApi.RuleStore.Content;

/// <summary>
/// The whole curated store as rows, exactly as the SQLite file holds them. The compiler builds it from YAML, the loader
/// reads it back; both hash it the same way, so a store whose rows were changed after compilation is detected.
/// </summary>
public sealed class StoreContent
{
    public required IReadOnlyList<MetadataRow> Metadata { get; init; }
    public required IReadOnlyList<TextRow> Texts { get; init; }
    public required IReadOnlyList<SourceRow> Sources { get; init; }
    public required IReadOnlyList<VocabularyRow> Vocabulary { get; init; }
    public required IReadOnlyList<CodeMappingRow> CodeMappings { get; init; }
    public required IReadOnlyList<StatementRow> Statements { get; init; }
    public required IReadOnlyList<StatementSourceRow> StatementSources { get; init; }
    public required IReadOnlyList<RuleRow> Rules { get; init; }
    public required IReadOnlyList<RuleConditionRow> RuleConditions { get; init; }
    public required IReadOnlyList<RecognitionRow> Recognition { get; init; }

    /// <summary>Structured effects of evidence items (summary of findings), one row per outcome.</summary>
    public IReadOnlyList<EffectRow> Effects { get; init; } = [];

    /// <summary>The bounds of each numeric profile field (age, KL grade, BMI): what a request, the page and a chart may hold.</summary>
    public IReadOnlyList<ProfileBoundRow> ProfileBounds { get; init; } = [];

    public string? MetadataValue(string key) => Metadata.FirstOrDefault(m => m.Key == key)?.Value;

    /// <summary>Returns a copy with every table in its canonical order, so hashing and writing are deterministic.</summary>
    public StoreContent Canonical() => new()
    {
        Metadata = [.. Metadata.OrderBy(m => m.Key, StringComparer.Ordinal)],
        Texts = [.. Texts.OrderBy(t => t.Key, StringComparer.Ordinal)],
        Sources = [.. Sources.OrderBy(s => s.Id, StringComparer.Ordinal)],
        Vocabulary = [.. Vocabulary.OrderBy(v => v.Kind, StringComparer.Ordinal).ThenBy(v => v.Ordinal)],
        CodeMappings = [.. CodeMappings.OrderBy(c => c.GroupKind, StringComparer.Ordinal).ThenBy(c => c.GroupKey, StringComparer.Ordinal).ThenBy(c => c.Ordinal)],
        Statements = [.. Statements.OrderBy(s => s.Kind, StringComparer.Ordinal).ThenBy(s => s.Ordinal)],
        StatementSources = [.. StatementSources.OrderBy(s => s.StatementId, StringComparer.Ordinal).ThenBy(s => s.Ordinal)],
        Rules = [.. Rules.OrderBy(r => r.Ordinal)],
        RuleConditions = [.. RuleConditions.OrderBy(c => c.RuleId, StringComparer.Ordinal).ThenBy(c => c.Clause).ThenBy(c => c.Ordinal)],
        Recognition = [.. Recognition.OrderBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Ordinal)],
        Effects = [.. Effects.OrderBy(e => e.StatementId, StringComparer.Ordinal).ThenBy(e => e.Ordinal)],
        ProfileBounds = [.. ProfileBounds.OrderBy(b => b.Field, StringComparer.Ordinal)],
    };
}

public sealed class MetadataRow
{
    public string Key { get; init; } = "";
    public string Value { get; init; } = "";
}

public sealed class TextRow
{
    public string Key { get; init; } = "";
    public string En { get; init; } = "";
    public string Zh { get; init; } = "";
}

public sealed class SourceRow
{
    public string Id { get; init; } = "";
    public string Citation { get; init; } = "";
    public long Year { get; init; }
    public string Kind { get; init; } = "";
    public string Verification { get; init; } = "";
    public string? Pmid { get; init; }
    public string? Doi { get; init; }
    public string? Url { get; init; }
    public string? ReviewedOn { get; init; }
    /// <summary>When the source is due for its next review (the item's own date, or reviewedOn plus the store's interval).</summary>
    public string? ReviewDue { get; init; }
}

public sealed class VocabularyRow
{
    /// <summary><c>treatment</c> or <c>condition</c>.</summary>
    public string Kind { get; init; } = "";
    public string Code { get; init; } = "";
    public string? Category { get; init; }
    public string LabelEn { get; init; } = "";
    public string LabelZh { get; init; } = "";
    public long Ordinal { get; init; }
    public string? ReviewedOn { get; init; }
}

public sealed class CodeMappingRow
{
    /// <summary><c>treatment</c>, <c>condition</c> (GroupKey is the vocabulary code) or <c>fhir</c> (GroupKey names a code group).</summary>
    public string GroupKind { get; init; } = "";
    public string GroupKey { get; init; } = "";
    public string System { get; init; } = "";
    public string Code { get; init; } = "";
    public string Display { get; init; } = "";
    public string Verification { get; init; } = "";
    public long Ordinal { get; init; }
}

/// <summary>One curated statement. Kind-specific columns are null for the other kinds.</summary>
public sealed class StatementRow
{
    public string Id { get; init; } = "";
    public string Kind { get; init; } = "";
    public long Ordinal { get; init; }
    public string TextEn { get; init; } = "";
    public string TextZh { get; init; } = "";
    public string? ReviewedOn { get; init; }
    /// <summary>When the statement is due for its next review (the item's own date, or reviewedOn plus the store's interval).</summary>
    public string? ReviewDue { get; init; }
    // caveat
    public string? Severity { get; init; }
    public string? Issuer { get; init; }
    public long Core { get; init; }
    // evidence
    public string? Topic { get; init; }
    public string? Certainty { get; init; }
    public string? Direction { get; init; }
    public string? Selection { get; init; }
    public long? KlMin { get; init; }
    public long? KlMax { get; init; }
    public long? AgeMin { get; init; }
    public long? AgeMax { get; init; }
    // claim check
    public string? ClaimEn { get; init; }
    public string? ClaimZh { get; init; }
    public string? Verdict { get; init; }
    public string? SeedClaim { get; init; }
    // option
    public string? Treatment { get; init; }
    public string? Strength { get; init; }
    public string? IssuerGrade { get; init; }
    // assessment
    public string? Category { get; init; }
    public string? HeadlineEn { get; init; }
    public string? HeadlineZh { get; init; }
}

public sealed class StatementSourceRow
{
    public string StatementId { get; init; } = "";
    public string SourceId { get; init; } = "";
    public long Ordinal { get; init; }
}

public sealed class RuleRow
{
    public string Id { get; init; } = "";
    public string Kind { get; init; } = "";
    /// <summary>Evaluation order across the whole store; for assessments it is the order of precedence.</summary>
    public long Ordinal { get; init; }
    public string StatementId { get; init; } = "";
}

/// <summary>One typed condition. Conditions with the same <see cref="Clause"/> are ANDed; clauses are ORed.</summary>
public sealed class RuleConditionRow
{
    public string RuleId { get; init; } = "";
    public long Clause { get; init; }
    public long Ordinal { get; init; }
    public string Field { get; init; } = "";
    public string Op { get; init; } = "";
    public double? Value { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    /// <summary>Codes, comma-separated.</summary>
    public string? Codes { get; init; }
}

/// <summary>
/// One curated way to recognise a prior treatment in FHIR data (recognition.yaml): a code, a code-class prefix, a name or
/// term matched in text, or a dose-form word that makes a medication topical. Each carries its source and verification.
/// </summary>
public sealed class RecognitionRow
{
    /// <summary>medication-code, medication-class, medication-name, topical-form, activity-code or activity-term.</summary>
    public string Kind { get; init; } = "";
    public long Ordinal { get; init; }
    /// <summary>The treatment recognised (null for topical-form).</summary>
    public string? Treatment { get; init; }
    /// <summary>For medications whose route decides the treatment (NSAIDs): the treatment when the form is topical.</summary>
    public string? TopicalTreatment { get; init; }
    public string? System { get; init; }
    /// <summary>The code (medication-code, activity-code) or the code prefix (medication-class).</summary>
    public string? Code { get; init; }
    /// <summary>The word or phrase matched case-insensitively on word boundaries (medication-name, activity-term, topical-form).</summary>
    public string? Term { get; init; }
    public string? Display { get; init; }
    public string SourceId { get; init; } = "";
    public string Verification { get; init; } = "";
}

/// <summary>
/// One outcome of an evidence item's summary of findings: what was compared, for how long, the estimate with its 95%
/// confidence interval on its scale, the minimal important difference used, the GRADE certainty and the plain-language
/// reading, with the source it was read in and how (verified on the source's own page, or secondary).
/// </summary>
public sealed class EffectRow
{
    public string StatementId { get; init; } = "";
    public long Ordinal { get; init; }
    public string Outcome { get; init; } = "";
    public string ComparatorEn { get; init; } = "";
    public string ComparatorZh { get; init; } = "";
    public string FollowUpEn { get; init; } = "";
    public string FollowUpZh { get; init; } = "";
    public string Measure { get; init; } = "";
    public double? Estimate { get; init; }
    public double? CiLower { get; init; }
    public double? CiUpper { get; init; }
    public string ScaleEn { get; init; } = "";
    public string ScaleZh { get; init; } = "";
    public double? Mid { get; init; }
    public string? Certainty { get; init; }
    public string ReadingEn { get; init; } = "";
    public string ReadingZh { get; init; } = "";
    public string? SourceId { get; init; }
    public string Verification { get; init; } = "";
}

/// <summary>
/// The accepted range of one numeric profile field (inclusive), and its step: 1 for whole numbers (age, KL grade), 0.1
/// for BMI. The request validator, the OpenAPI document, the evidence page's form, the chart reader, the lint and the
/// compiler's --diff all read it from here.
/// </summary>
public sealed class ProfileBoundRow
{
    public string Field { get; init; } = "";
    public double Min { get; init; }
    public double Max { get; init; }
    public double Step { get; init; }
}
