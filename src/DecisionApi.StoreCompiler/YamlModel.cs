namespace DecisionApi.StoreCompiler;

// The shape of the curated YAML files (see src/rule-store/README.md). Only the compiler reads these.
#pragma warning disable CA1002, CA2227 // YamlDotNet binds to settable List properties.

public sealed class LocalizedYaml
{
    public string? En { get; set; }
    public string? Zh { get; set; }
}

public sealed class StoreYaml
{
    public int SchemaVersion { get; set; }
    public string? Version { get; set; }
    public string? ReleasedOn { get; set; }
    public string? ReviewedOn { get; set; }
    /// <summary>Months after an item's reviewedOn when it is due for review, unless it gives its own reviewDue.</summary>
    public int ReviewIntervalMonths { get; set; }
    /// <summary>The bounds of the numeric profile fields (age, klGrade, bmi).</summary>
    public Dictionary<string, BoundYaml> ProfileBounds { get; set; } = [];
    public Dictionary<string, object>? Service { get; set; }
    public Hti1Yaml? Hti1 { get; set; }
    public Dictionary<string, LocalizedYaml> Texts { get; set; } = [];
}

public sealed class BoundYaml
{
    public double? Min { get; set; }
    public double? Max { get; set; }
    public double? Step { get; set; }
}

public sealed class Hti1Yaml
{
    public LocalizedYaml? BibliographicCitation { get; set; }
    public LocalizedYaml? Developer { get; set; }
    public LocalizedYaml? FundingSource { get; set; }
    public string? ReleaseDate { get; set; }
    public string? RevisionDate { get; set; }
    public Dictionary<string, DataUseYaml> DataUse { get; set; } = [];
}

public sealed class DataUseYaml
{
    public bool Used { get; set; }
    public LocalizedYaml? Note { get; set; }
}

public sealed class SourceHostYaml
{
    public string? Host { get; set; }
    public string? Use { get; set; }
    public List<string> Kinds { get; set; } = [];
    public string? Reason { get; set; }
}

public sealed class SourceYaml
{
    public string? Id { get; set; }
    public string? Citation { get; set; }
    public int Year { get; set; }
    public string? Kind { get; set; }
    public string? Verification { get; set; }
    public string? Pmid { get; set; }
    public string? Doi { get; set; }
    public string? Url { get; set; }
    public string? ReviewedOn { get; set; }
    public string? ReviewDue { get; set; }
    public string? Note { get; set; }
}

public sealed class CodeYaml
{
    public string? System { get; set; }
    public string? Code { get; set; }
    public string? Display { get; set; }
    public string? Verification { get; set; }
    public string? Note { get; set; }
}

public sealed class VocabularyYaml
{
    public string? Code { get; set; }
    public string? Category { get; set; }
    public LocalizedYaml? Label { get; set; }
    public List<CodeYaml> FhirCodes { get; set; } = [];
    public string? ReviewedOn { get; set; }
}

public sealed class ConditionYaml
{
    public string? Field { get; set; }
    public string? Op { get; set; }
    public double? Value { get; set; }
    public double? Min { get; set; }
    public double? Max { get; set; }
    public List<string> Values { get; set; } = [];
}

public sealed class WhenYaml
{
    public List<ConditionYaml>? AllOf { get; set; }
    public List<List<ConditionYaml>>? AnyOf { get; set; }
}

/// <summary>One row of an evidence item's summary of findings.</summary>
public sealed class EffectYaml
{
    public string? Outcome { get; set; }
    public LocalizedYaml? Comparator { get; set; }
    public LocalizedYaml? FollowUp { get; set; }
    public string? Measure { get; set; }
    public double? Estimate { get; set; }
    public List<double> Ci { get; set; } = [];
    public LocalizedYaml? Scale { get; set; }
    public double? Mid { get; set; }
    public string? Certainty { get; set; }
    public LocalizedYaml? Reading { get; set; }
    public string? Source { get; set; }
    public string? Verification { get; set; }
    public string? Note { get; set; }
}

public sealed class PopulationYaml
{
    public List<int>? KlGrade { get; set; }
    public List<int>? Age { get; set; }
}

public sealed class StatementYaml
{
    public string? Id { get; set; }
    public LocalizedYaml? Text { get; set; }
    public List<string> Sources { get; set; } = [];
    public string? ReviewedOn { get; set; }
    public string? ReviewDue { get; set; }
    public WhenYaml? When { get; set; }
    public string? Note { get; set; }
    // caveat
    public string? Severity { get; set; }
    public string? Issuer { get; set; }
    public bool Core { get; set; }
    // evidence
    public string? Topic { get; set; }
    public string? Certainty { get; set; }
    public string? Direction { get; set; }
    public string? Selection { get; set; }
    public PopulationYaml? Population { get; set; }
    public List<EffectYaml> Effects { get; set; } = [];
    // claim check
    public LocalizedYaml? Claim { get; set; }
    public string? Verdict { get; set; }
    public string? SeedClaim { get; set; }
    // option
    public string? Treatment { get; set; }
    public string? Strength { get; set; }
    public string? IssuerGrade { get; set; }
    // assessment
    public string? Category { get; set; }
    public int Order { get; set; }
    public LocalizedYaml? Headline { get; set; }
    public LocalizedYaml? Rationale { get; set; }
}

/// <summary>recognition.yaml: how prior treatments are recognised in FHIR charts.</summary>
public sealed class RecognitionYaml
{
    public List<RecognitionCodeYaml> MedicationCodes { get; set; } = [];
    public List<RecognitionCodeYaml> MedicationClasses { get; set; } = [];
    public List<RecognitionTermsYaml> MedicationNames { get; set; } = [];
    public List<RecognitionTermsYaml> TopicalForms { get; set; } = [];
    public List<RecognitionCodeYaml> ActivityCodes { get; set; } = [];
    public List<RecognitionTermsYaml> ActivityTerms { get; set; } = [];
    public List<RecognitionTermsYaml> HistoryTerms { get; set; } = [];
    public List<RecognitionTermsYaml> HistoryNotDoneCues { get; set; } = [];
    public List<RecognitionTermsYaml> ConditionMedicationNames { get; set; } = [];
    public Dictionary<string, LocalizedYaml> Texts { get; set; } = [];
}

public sealed class RecognitionCodeYaml
{
    public string? Treatment { get; set; }
    public string? TopicalTreatment { get; set; }
    public string? System { get; set; }
    public string? Code { get; set; }
    public string? Prefix { get; set; }
    public string? Display { get; set; }
    public string? Source { get; set; }
    public string? Verification { get; set; }
    public string? Note { get; set; }
}

public sealed class RecognitionTermsYaml
{
    public string? Treatment { get; set; }
    /// <summary>For conditionMedicationNames: the condition code (stored in the treatment column).</summary>
    public string? Condition { get; set; }
    public string? TopicalTreatment { get; set; }
    public List<string> Terms { get; set; } = [];
    public string? Source { get; set; }
    public string? Verification { get; set; }
    public string? Note { get; set; }
}
