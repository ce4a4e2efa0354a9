using System.Globalization;
using System.Text.Json;
using DecisionApi.RuleStore.Evaluation;

namespace DecisionApi.Features.CdsHooks;

/// <summary>What could be read from the chart, and what could not.</summary>
/// <param name="Profile">The profile for the evaluator (unknown values are null).</param>
/// <param name="HasKneeOsteoarthritis">A knee-OA Condition in force was found.</param>
/// <param name="Unknowns">Text keys (and placeholder values) of what the card must say was missing.</param>
public sealed record ChartReading(PatientProfile Profile, bool HasKneeOsteoarthritis, IReadOnlyList<(string Key, string? What)> Unknowns);

/// <summary>Maps FHIR R4 prefetch data to a patient profile through the store's code map. Pure; the clock is injected.</summary>
public sealed class ChartReader(FhirCodeMap codes, TimeProvider clock)
{
    public ChartReading Read(ResolvedPrefetch prefetch)
    {
        var unknowns = new List<(string Key, string? What)>();
        foreach (var key in prefetch.NoData)
        {
            unknowns.Add(("cds.unknown.noData", key));
        }

        foreach (var key in prefetch.Unavailable)
        {
            unknowns.Add(("cds.unknown.unavailable", key));
        }

        foreach (var key in prefetch.Partial)
        {
            unknowns.Add(("cds.unknown.partial", key));
        }

        var age = prefetch.Resources(PrefetchKeys.Patient).Where(r => r.Text("resourceType") == "Patient").Select(AgeOf).FirstOrDefault(a => a is not null);
        var hasKneeOa = prefetch.Resources(PrefetchKeys.KneeOaConditions)
            .Any(r => r.Text("resourceType") == "Condition" && FhirJson.InForce(r)
                && FhirJson.CodingKeys(r.Property("code")).Any(codes.KneeOsteoarthritis.Contains));
        var klGrade = KlGradeOf(prefetch.Resources(PrefetchKeys.KlGradeObservations));

        var treatments = prefetch.Resources(PrefetchKeys.Procedures).Where(r => r.Text("resourceType") == "Procedure")
            .Concat(prefetch.Resources(PrefetchKeys.MedicationStatements).Where(r => r.Text("resourceType") == "MedicationStatement"))
            .Concat(prefetch.Resources(PrefetchKeys.MedicationRequests).Where(r => r.Text("resourceType") == "MedicationRequest"))
            .Where(FhirJson.InForce)
            .SelectMany(r => FhirJson.CodingKeys(r.Property("code") ?? r.Property("medicationCodeableConcept")))
            .SelectMany(key => codes.TreatmentsByCode.GetValueOrDefault(key, []))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        var conditions = prefetch.Resources(PrefetchKeys.KneeOaConditions).Where(r => r.Text("resourceType") == "Condition" && FhirJson.InForce(r))
            .SelectMany(r => FhirJson.CodingKeys(r.Property("code")))
            .SelectMany(key => codes.ConditionsByCode.GetValueOrDefault(key, []))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        if (age is null && !prefetch.NoData.Contains(PrefetchKeys.Patient))
        {
            unknowns.Add(("cds.unknown.age", null));
        }

        if (klGrade is null && !prefetch.NoData.Contains(PrefetchKeys.KlGradeObservations))
        {
            unknowns.Add(("cds.unknown.klGrade", null));
        }

        if (!hasKneeOa && !prefetch.NoData.Contains(PrefetchKeys.KneeOaConditions))
        {
            unknowns.Add(("cds.unknown.kneeOsteoarthritis", null));
        }

        unknowns.Add(("cds.unknown.bmi", null));
        if (conditions.Count == 0)
        {
            unknowns.Add(("cds.unknown.conditions", null));
        }

        var profile = new PatientProfile(age, klGrade, treatments, Bmi: null, Conditions: conditions.Count == 0 ? null : conditions);
        return new ChartReading(profile, hasKneeOa, unknowns);
    }

    private int? AgeOf(JsonElement patient)
    {
        var birthDate = patient.Text("birthDate");
        if (birthDate is null)
        {
            return null;
        }

        // FHIR dates may be partial (YYYY or YYYY-MM): take the first day of the period.
        string[] formats = ["yyyy-MM-dd", "yyyy-MM", "yyyy"];
        if (!DateOnly.TryParseExact(birthDate, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var born))
        {
            return null;
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var age = today.Year - born.Year;
        if (born > today.AddYears(-age))
        {
            age--;
        }

        return age is >= 0 and <= 150 ? age : null;
    }

    /// <summary>The most recent KL-grade Observation in force with a valueInteger of 0–4.</summary>
    private int? KlGradeOf(IEnumerable<JsonElement> observations) =>
        observations
            .Where(o => o.Text("resourceType") == "Observation" && FhirJson.InForce(o)
                && o.Text("status") is null or "final" or "amended" or "corrected" or "preliminary"
                && FhirJson.CodingKeys(o.Property("code")).Any(codes.KlGradeObservation.Contains))
            .Select(o => (When: o.Text("effectiveDateTime") ?? o.Text("issued") ?? "", Value: o.Property("valueInteger")))
            .Where(o => o.Value is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out var grade) && grade is >= 0 and <= 4)
            .OrderByDescending(o => o.When, StringComparer.Ordinal)
            .Select(o => (int?)o.Value!.Value.GetInt32())
            .FirstOrDefault();
}
