using System.Globalization;
using System.Text.Json;
using DecisionApi.RuleStore.Evaluation;

namespace DecisionApi.Features.CdsHooks;

/// <summary>What could be read from the chart, and what could not.</summary>
/// <param name="Profile">The profile for the evaluator (unknown values are null).</param>
/// <param name="HasKneeOsteoarthritis">A knee-OA Condition in force was found.</param>
/// <param name="Unknowns">Text keys (and placeholder values) of what the card must say was missing.</param>
/// <param name="Recognised">Each prior treatment found, once, with the best way it was recognised (code, class, display, text).</param>
public sealed record ChartReading(
    PatientProfile Profile, bool HasKneeOsteoarthritis, IReadOnlyList<(string Key, string? What)> Unknowns, IReadOnlyList<RecognisedTreatment> Recognised);

/// <summary>Maps FHIR R4 prefetch data to a patient profile through the store's code map. Pure; the clock is injected.</summary>
public sealed class ChartReader(FhirCodeMap codes, TreatmentRecogniser recogniser, TimeProvider clock)
{
    // FHIR R4 statuses that show a drug was prescribed or taken, or an activity was done; everything else is not counted.
    private static readonly string[] PrescribedStatuses = ["active", "completed", "stopped", "on-hold"];
    private static readonly string[] NotAnOrderIntents = ["proposal", "plan", "option"];
    private static readonly string[] TakenStatuses = ["active", "completed", "stopped", "on-hold"];
    private static readonly string[] ActivityNotDone = ["not-started", "scheduled", "cancelled", "entered-in-error"];

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

        var recognised = RecogniseTreatments(prefetch);
        var treatments = recognised.Select(r => r.Treatment).ToList();

        var conditions = prefetch.Resources(PrefetchKeys.KneeOaConditions).Where(r => r.Text("resourceType") == "Condition" && FhirJson.InForce(r))
            .SelectMany(r => FhirJson.CodingKeys(r.Property("code")))
            .SelectMany(key => codes.ConditionsByCode.GetValueOrDefault(key, []))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        if (age is null && NotYetTold(prefetch, PrefetchKeys.Patient))
        {
            unknowns.Add(("cds.unknown.age", null));
        }

        if (klGrade is null && NotYetTold(prefetch, PrefetchKeys.KlGradeObservations))
        {
            unknowns.Add(("cds.unknown.klGrade", null));
        }

        if (!hasKneeOa && NotYetTold(prefetch, PrefetchKeys.KneeOaConditions))
        {
            unknowns.Add(("cds.unknown.kneeOsteoarthritis", null));
        }

        unknowns.Add(("cds.unknown.bmi", null));
        if (conditions.Count == 0)
        {
            unknowns.Add(("cds.unknown.conditions", null));
        }

        var profile = new PatientProfile(age, klGrade, treatments, Bmi: null, Conditions: conditions.Count == 0 ? null : conditions);
        return new ChartReading(profile, hasKneeOa, unknowns, recognised);
    }

    /// <summary>The card already says the key had no data or could not be retrieved: "not documented" would repeat it wrongly.</summary>
    private static bool NotYetTold(ResolvedPrefetch prefetch, string key) => !prefetch.NoData.Contains(key) && !prefetch.Unavailable.Contains(key);

    /// <summary>Every prior treatment the chart shows, each once with the best way it was recognised.</summary>
    private List<RecognisedTreatment> RecogniseTreatments(ResolvedPrefetch prefetch)
    {
        var medications = BundledMedications(prefetch);
        var found = new List<RecognisedTreatment>();

        foreach (var procedure in prefetch.Resources(PrefetchKeys.Procedures).Where(r => r.Is("resourceType", "Procedure") && FhirJson.InForce(r)))
        {
            found.AddRange(recogniser.Activity([procedure.Property("code")], []));
        }

        foreach (var request in prefetch.Resources(PrefetchKeys.ServiceRequests)
            .Where(r => r.Is("resourceType", "ServiceRequest") && r.Is("status", "completed")))
        {
            found.AddRange(recogniser.Activity([request.Property("code")], []));
        }

        foreach (var plan in prefetch.Resources(PrefetchKeys.CarePlans).Where(r => r.Is("resourceType", "CarePlan") && FhirJson.InForce(r)))
        {
            foreach (var detail in plan.Array("activity").Select(a => a.Property("detail")).OfType<JsonElement>()
                .Where(d => !d.IsOneOf("status", ActivityNotDone)))
            {
                found.AddRange(recogniser.Activity([detail.Property("code")], detail.Text("description") is { } description ? [description] : []));
            }
        }

        var medicationUses = prefetch.Resources(PrefetchKeys.MedicationRequests)
                .Where(r => r.Is("resourceType", "MedicationRequest") && r.IsOneOf("status", PrescribedStatuses) && !r.IsOneOf("intent", NotAnOrderIntents))
                .Select(r => (Resource: r, Dosage: "dosageInstruction"))
            .Concat(prefetch.Resources(PrefetchKeys.MedicationStatements)
                .Where(r => r.Is("resourceType", "MedicationStatement") && r.IsOneOf("status", TakenStatuses))
                .Select(r => (Resource: r, Dosage: "dosage")));
        foreach (var (resource, dosage) in medicationUses)
        {
            found.AddRange(recogniser.Medication(MedicationOf(resource, dosage, medications)));
        }

        // Keep each treatment once, recognised the best way (code before class before display before text).
        return
        [
            .. found.GroupBy(r => r.Treatment, StringComparer.Ordinal)
                .Select(g => g.OrderBy(r => r.By).First())
                .OrderBy(r => r.Treatment, StringComparer.Ordinal),
        ];
    }

    /// <summary>The medication's codings and texts: the CodeableConcept, or the contained or bundled Medication it references.</summary>
    private static MedicationParts MedicationOf(JsonElement use, string dosageProperty, Dictionary<string, JsonElement> bundled)
    {
        var parts = new MedicationParts();
        parts.AddConcept(use.Property("medicationCodeableConcept"));
        var medicationReference = use.Property("medicationReference");
        if (medicationReference?.Text("display") is { } display)
        {
            // EHRs often send the reference with only a display ("ibuprofen 400 mg tablet") and no Medication to resolve.
            parts.Texts.Add(display);
        }

        if (medicationReference?.Text("reference") is { } reference && Resolve(use, reference, bundled) is { } medication)
        {
            parts.AddConcept(medication.Property("code"));
            foreach (var ingredient in medication.Array("ingredient"))
            {
                parts.AddConcept(ingredient.Property("itemCodeableConcept"));
            }

            parts.AddConcept(medication.Property("form"), formOnly: true);
        }

        foreach (var dosage in use.Array(dosageProperty))
        {
            parts.AddConcept(dosage.Property("route"), formOnly: true);
        }

        return parts;
    }

    private static JsonElement? Resolve(JsonElement use, string reference, Dictionary<string, JsonElement> bundled)
    {
        if (reference.StartsWith('#'))
        {
            var id = reference[1..];
            return use.Array("contained").Where(c => c.Is("resourceType", "Medication") && c.Is("id", id)).Select(c => (JsonElement?)c).FirstOrDefault();
        }

        // "Medication/123", or an absolute URL ending in it.
        var marker = reference.LastIndexOf("Medication/", StringComparison.Ordinal);
        if (marker < 0)
        {
            return null;
        }

        var idPart = reference[(marker + "Medication/".Length)..].Split('/')[0];
        return bundled.TryGetValue(idPart, out var found) ? found : null;
    }

    /// <summary>Medication resources sent in any prefetch key (an EHR may include them with the requests), by id.</summary>
    private static Dictionary<string, JsonElement> BundledMedications(ResolvedPrefetch prefetch)
    {
        var medications = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var key in PrefetchKeys.All)
        {
            foreach (var medication in prefetch.Resources(key).Where(r => r.Is("resourceType", "Medication")))
            {
                if (medication.Text("id") is { } id)
                {
                    medications.TryAdd(id, medication);
                }
            }
        }

        return medications;
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
