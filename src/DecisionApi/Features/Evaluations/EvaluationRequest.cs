using System.ComponentModel.DataAnnotations;

namespace DecisionApi.Features.Evaluations;

/// <summary>A patient profile. Nothing here identifies the patient, and nothing is stored.</summary>
public sealed class EvaluationRequest
{
    /// <summary>Age in whole years, from the schema's minimum to its maximum (the rule store's bounds). The service covers adults only.</summary>
    /// <example>62</example>
    [Required]
    public int? Age { get; init; }

    /// <summary>Kellgren-Lawrence radiographic grade of the index knee, from the schema's minimum to its maximum.</summary>
    /// <example>3</example>
    [Required]
    public int? KlGrade { get; init; }

    /// <summary>
    /// Treatments already tried, as codes from GET /v1/treatments (send an empty array when none). Duplicates are counted once.
    /// </summary>
    [Required]
    public IReadOnlyList<string?>? PriorTreatments { get; init; }

    /// <summary>Body-mass index in kg/m², from the schema's minimum to its maximum. Optional; without it the weight-management check is not applied.</summary>
    /// <example>31.5</example>
    public double? Bmi { get; init; }

    /// <summary>Conditions present, as codes from GET /v1/conditions. Optional.</summary>
    public IReadOnlyList<string?>? Conditions { get; init; }

    /// <summary>
    /// ISO 3166-1 alpha-2 country code (e.g. US, GB, KR, IN, CN, JP; EU for the European Union as a whole). Adds that
    /// jurisdiction's regulatory notes; never removes the core caveats. Optional: the configured default (US) is used.
    /// </summary>
    /// <example>US</example>
    public string? Jurisdiction { get; init; }

    /// <summary>The profile the evaluator reads, from a validated request (codes present, jurisdiction upper case).</summary>
    public DecisionApi.RuleStore.Evaluation.PatientProfile ToProfile() => new(
        Age,
        KlGrade,
        [.. PriorTreatments!.Select(code => code!)],
        Bmi,
        Conditions is null ? null : [.. Conditions.Select(code => code!)],
        Jurisdiction?.ToUpperInvariant());
}
