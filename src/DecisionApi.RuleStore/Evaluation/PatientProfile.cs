namespace DecisionApi.RuleStore.Evaluation;

/// <summary>What the evaluator knows about the patient. Codes are already checked against the vocabularies.</summary>
/// <param name="Age">Age in whole years; null when unknown (e.g. no birth date in the chart).</param>
/// <param name="KlGrade">Kellgren-Lawrence grade of the index knee; null when not documented.</param>
/// <param name="PriorTreatments">Treatment codes as given (duplicates allowed; they are folded and reported).</param>
/// <param name="Bmi">Body-mass index, when known.</param>
/// <param name="Conditions">Condition codes, or null when the caller did not say.</param>
/// <param name="Jurisdiction">ISO 3166-1 alpha-2 code, or null for the configured default.</param>
/// <param name="Unchecked">Treatment codes that could not be checked (a chart whose records of them could not be
/// retrieved): a rule that rests on their absence says "could not be checked", never "not documented". Null: all checked.</param>
public sealed record PatientProfile(
    int? Age,
    int? KlGrade,
    IReadOnlyList<string> PriorTreatments,
    double? Bmi = null,
    IReadOnlyList<string>? Conditions = null,
    string? Jurisdiction = null,
    IReadOnlyList<string>? Unchecked = null);
