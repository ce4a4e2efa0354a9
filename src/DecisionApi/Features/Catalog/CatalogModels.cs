using DecisionApi.RuleStore.Content;

namespace DecisionApi.Features.Catalog;

/// <summary>One curated way a prior treatment is recognised in FHIR data (GET /v1/treatments/recognition).</summary>
/// <param name="Kind">medication-code, medication-class, medication-name, topical-form, activity-code, activity-term, history-term, history-not-done-cue or condition-medication-name.</param>
/// <param name="Treatment">The treatment code recognised (absent for a topical-form word or a not-done cue).</param>
/// <param name="TopicalTreatment">For a medication whose form decides: the treatment when the form is topical.</param>
/// <param name="System">Code system URI, for codes and classes.</param>
/// <param name="Code">The code, or for a class the code prefix.</param>
/// <param name="Term">The word or name matched in text (case-insensitive, on word boundaries).</param>
/// <param name="Display">What the code or class means.</param>
/// <param name="SourceId">Where it was found (GET /v1/sources/{id}).</param>
/// <param name="Verification">verified (read on the terminology owner's page or in the generator whose data is read) or secondary.</param>
public sealed record RecognitionView(
    string Kind, string? Treatment, string? TopicalTreatment, string? System, string? Code, string? Term, string? Display, string SourceId, string Verification);

/// <summary>A vocabulary entry.</summary>
/// <param name="Code">The code to send in a profile.</param>
/// <param name="Label">Label in the requested language.</param>
/// <param name="Category">For treatments: first-line, injection, surgical or arthroplasty.</param>
/// <param name="FhirCodes">Codes that identify it in FHIR data, each with the verification status of the mapping.</param>
public sealed record VocabularyItem(string Code, string Label, string? Category, IReadOnlyList<CodeMapping> FhirCodes);

/// <summary>A rule of the curated store.</summary>
/// <param name="Id">Rule id, as found in an evaluation's ruleId and trace.</param>
/// <param name="Kind">assessment, assessment-note, caveat, evidence, safety, claim-check or option.</param>
/// <param name="Order">Evaluation order; for assessments, the first that matches wins.</param>
/// <param name="StatementId">The statement it selects.</param>
/// <param name="Category">For assessment rules, the category it assigns.</param>
/// <param name="Text">The statement's text (for assessments, the headline) in the requested language.</param>
/// <param name="Unconditional">True when the rule always matches (e.g. the core caveats).</param>
/// <param name="AnyOf">The rule matches when every condition of any one clause holds.</param>
/// <param name="Sources">The statement's sources.</param>
public sealed record RuleView(
    string Id, string Kind, int Order, string StatementId, string? Category, string Text, bool Unconditional,
    IReadOnlyList<IReadOnlyList<RuleConditionView>> AnyOf, IReadOnlyList<Source> Sources);

/// <summary>One typed condition.</summary>
/// <param name="Field">Profile field: age, klGrade, bmi, priorTreatments, conditions, jurisdiction or category.</param>
/// <param name="Op">between, atLeast, below, missing, includesAny, includesNone, in or notIn.</param>
/// <param name="Expected">The condition in words, as the trace shows it.</param>
/// <param name="Value">Threshold for atLeast / below.</param>
/// <param name="Min">Lower bound for between (inclusive).</param>
/// <param name="Max">Upper bound for between (inclusive).</param>
/// <param name="Values">Codes for includesAny / includesNone / in / notIn.</param>
public sealed record RuleConditionView(string Field, string Op, string Expected, double? Value, double? Min, double? Max, IReadOnlyList<string>? Values);
