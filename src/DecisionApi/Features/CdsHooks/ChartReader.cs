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
/// <param name="codes">The store's code groups.</param>
/// <param name="recogniser">Prior-treatment recognition.</param>
/// <param name="clock">For the age.</param>
/// <param name="sides">Knee-side reading; without it, facts are not matched to the ordered knee.</param>
public sealed class ChartReader(FhirCodeMap codes, TreatmentRecogniser recogniser, TimeProvider clock, KneeSideReader? sides = null)
{
    // FHIR R4 statuses that show a drug was prescribed or taken, or an activity was done; everything else is not counted.
    private static readonly string[] PrescribedStatuses = ["active", "completed", "stopped", "on-hold"];
    private static readonly string[] NotAnOrderIntents = ["proposal", "plan", "option"];
    private static readonly string[] TakenStatuses = ["active", "completed", "stopped", "on-hold"];
    private static readonly string[] ActivityNotDone = ["not-started", "scheduled", "cancelled", "entered-in-error"];

    /// <param name="prefetch">The chart.</param>
    /// <param name="index">The ordered knee (the draft order's side; <see cref="KneeSide.None"/> when the order states
    /// none); null when there is no order (patient-view), and then no fact is matched to a side.</param>
    public ChartReading Read(ResolvedPrefetch prefetch, KneeSide? index = null)
    {
        var unknowns = new List<(string Key, string? What)>();
        var side = sides is null ? null : index;
        if (side == KneeSide.None)
        {
            unknowns.Add(("cds.side.orderUnsided", null));
        }

        foreach (var key in prefetch.NoData)
        {
            unknowns.Add(("cds.unknown.noData", key));
        }

        foreach (var key in prefetch.Unavailable)
        {
            unknowns.Add(("cds.unchecked.unavailable", key));
        }

        foreach (var key in prefetch.Partial)
        {
            unknowns.Add(("cds.unchecked.partial", key));
        }

        int? age = null;
        foreach (var patient in prefetch.Resources(PrefetchKeys.Patient))
        {
            if (patient.Is("resourceType", "Patient") && AgeOf(patient) is { } found)
            {
                age = found;
                break;
            }
        }

        // One pass over the conditions: knee OA in force, and every comorbidity the store lists, in chart order, once.
        var hasKneeOa = false;
        List<string>? conditions = null;
        foreach (var condition in ConditionsOf(prefetch))
        {
            if (!condition.Is("resourceType", "Condition") || !FhirJson.InForce(condition) || condition.Property("code") is not { } code)
            {
                continue;
            }

            foreach (var coding in code.Array("coding"))
            {
                hasKneeOa = hasKneeOa || codes.KneeOsteoarthritis.ValuesOf(coding).Length > 0;
                foreach (var value in codes.ConditionsByCoding.ValuesOf(coding))
                {
                    if (!(conditions ??= []).Contains(value))
                    {
                        conditions.Add(value);
                    }
                }
            }
        }

        var klGrade = side is { } indexSide
            ? KlGradeFor(prefetch.Resources(PrefetchKeys.KlGradeObservations), indexSide, unknowns)
            : KlGradeOf(prefetch.Resources(PrefetchKeys.KlGradeObservations));
        var bmi = BmiOf(prefetch.Resources(PrefetchKeys.BmiObservations));
        var medicationConditions = new List<string>();
        var notConfirmed = new List<string>();
        var recognised = RecogniseTreatments(prefetch, side, unknowns, medicationConditions, notConfirmed, out var unreadableMedications);
        foreach (var shown in medicationConditions)
        {
            if (!(conditions ??= []).Contains(shown))
            {
                conditions.Add(shown);
            }
        }

        var treatments = new List<string>(recognised.Count);
        foreach (var treatment in recognised)
        {
            treatments.Add(treatment.Treatment);
        }

        if (unreadableMedications)
        {
            unknowns.Add(("cds.unchecked.medicationUnreadable", null));
        }

        // Known, absent, unknown (issue #20): a treatment not found where its records could not all be read is "could
        // not be checked", never "not documented".
        List<string>? notChecked = null;
        void NotChecked(IReadOnlyList<string> candidates)
        {
            foreach (var candidate in candidates)
            {
                if (!treatments.Contains(candidate) && !(notChecked ??= []).Contains(candidate))
                {
                    notChecked.Add(candidate);
                }
            }
        }

        if (unreadableMedications || Incomplete(prefetch, PrefetchKeys.MedicationRequests) || Incomplete(prefetch, PrefetchKeys.MedicationStatements))
        {
            NotChecked(recogniser.MedicationTreatments);
        }

        NotChecked(notConfirmed);
        if (Incomplete(prefetch, PrefetchKeys.Procedures) || Incomplete(prefetch, PrefetchKeys.ServiceRequests) || Incomplete(prefetch, PrefetchKeys.CarePlans))
        {
            NotChecked(recogniser.ActivityTreatments);
        }

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

        if (bmi is null && NotYetTold(prefetch, PrefetchKeys.BmiObservations))
        {
            unknowns.Add(("cds.unknown.bmi", null));
        }

        if (conditions is null)
        {
            // Exclusion conditions are read from both condition keys: either one incomplete leaves them not checked.
            unknowns.Add(Incomplete(prefetch, PrefetchKeys.KneeOaConditions) || Incomplete(prefetch, PrefetchKeys.Conditions)
                ? ("cds.unchecked.conditions", null)
                : ("cds.unknown.conditions", null));
        }

        var profile = new PatientProfile(age, klGrade, treatments, Bmi: bmi, Conditions: conditions, Unchecked: notChecked);
        return new ChartReading(profile, hasKneeOa, unknowns, recognised);
    }

    /// <summary>The knee-OA Conditions and the problem list's (issue #20), in that order.</summary>
    private static IEnumerable<JsonElement> ConditionsOf(ResolvedPrefetch prefetch)
    {
        foreach (var key in (string[])[PrefetchKeys.KneeOaConditions, PrefetchKeys.Conditions])
        {
            var resources = prefetch.Resources(key).ToArray();
            foreach (var resource in resources)
            {
                yield return resource;
            }
        }
    }

    /// <summary>The key's records could not all be read: not retrieved, or only in part.</summary>
    private static bool Incomplete(ResolvedPrefetch prefetch, string key) => prefetch.Unavailable.Contains(key) || prefetch.Partial.Contains(key);

    /// <summary>The card already says the key had no data or could not be retrieved: "not documented" would repeat it wrongly.</summary>
    private static bool NotYetTold(ResolvedPrefetch prefetch, string key) => !prefetch.NoData.Contains(key) && !prefetch.Unavailable.Contains(key);

    /// <summary>Every prior treatment the chart shows, each once with the best way it was recognised, by treatment code.</summary>
    /// <param name="prefetch">The chart.</param>
    /// <param name="index">The ordered knee; null: no side matching.</param>
    /// <param name="unknowns">Where knee replacements not applied to the ordered knee are reported.</param>
    /// <param name="medicationConditions">Where conditions the medications show (anticoagulant therapy) go.</param>
    /// <param name="notConfirmed">Where knee replacements go that are mentioned but not recorded as done (could not be checked).</param>
    /// <param name="unreadableMedications">Set when a medication in use could not be read: a reference that could not be
    /// resolved, or a drug sent only as codes the store does not list.</param>
    private List<RecognisedTreatment> RecogniseTreatments(
        ResolvedPrefetch prefetch, KneeSide? index, List<(string Key, string? What)> unknowns, List<string> medicationConditions, List<string> notConfirmed,
        out bool unreadableMedications)
    {
        unreadableMedications = false;
        var found = new RecognisedTreatments();
        List<(RecognisedTreatment Treatment, KneeSide Side)>? sideDependent = null;
        // Procedures, and problem-list Conditions in force (a replaced knee is often recorded only there).
        var history = new List<JsonElement>();
        foreach (var procedure in prefetch.Resources(PrefetchKeys.Procedures))
        {
            if (procedure.Is("resourceType", "Procedure") && FhirJson.InForce(procedure))
            {
                history.Add(procedure);
            }
        }

        foreach (var condition in prefetch.Resources(PrefetchKeys.Conditions))
        {
            if (condition.Is("resourceType", "Condition") && FhirJson.InForce(condition))
            {
                history.Add(condition);
            }
        }

        foreach (var entry in history)
        {
            // A knee replacement counts only when done: a completed Procedure, or a problem-list Condition not marked
            // provisional, differential or unconfirmed, whose text does not name it after a not-done cue (issue #20).
            var here = new RecognisedTreatments();
            recogniser.History(entry.Property("code"), here, notConfirmed);
            var done = entry.Is("resourceType", "Procedure") ? entry.Is("status", "completed") : FhirJson.Confirmed(entry);
            // A Procedure in preparation has not started (FHIR R4 event-status): nothing it names was tried yet.
            var started = !entry.Is("status", "preparation");
            foreach (var treatment in here.ToSortedList())
            {
                if (!started && !recogniser.ReplacementTreatments.Contains(treatment.Treatment))
                {
                    continue;
                }

                if (recogniser.ReplacementTreatments.Contains(treatment.Treatment) && !done)
                {
                    if (!notConfirmed.Contains(treatment.Treatment))
                    {
                        notConfirmed.Add(treatment.Treatment);
                    }
                }
                else if (index is not null && sides is not null && sides.SideDependentTreatments.Contains(treatment.Treatment))
                {
                    // A knee replacement belongs to one knee: matched to the ordered side below.
                    (sideDependent ??= []).Add((treatment, sides.SideOf(entry)));
                }
                else
                {
                    found.Offer(treatment.Treatment, treatment.By, treatment.Code, treatment.Term, treatment.TopicalTerm);
                }
            }
        }

        if (notConfirmed.Count > 0)
        {
            unknowns.Add(("cds.unchecked.replacementNotConfirmed", null));
        }

        if (sideDependent is not null && index is { } indexSide)
        {
            var anyOther = sideDependent.Exists(f => KneeSideReader.IsOther(f.Side, indexSide));
            foreach (var (treatment, factSide) in sideDependent)
            {
                if (KneeSideReader.Applies(factSide, indexSide, anyOther))
                {
                    found.Offer(treatment.Treatment, treatment.By, treatment.Code, treatment.Term, treatment.TopicalTerm);
                }
                else
                {
                    var key = KneeSideReader.IsOther(factSide, indexSide)
                        ? (indexSide == KneeSide.None ? "cds.side.sidedUnused.replaced" : "cds.side.other.replaced")
                        : "cds.side.unsided.replaced";
                    if (!unknowns.Contains((key, null)))
                    {
                        unknowns.Add((key, null));
                    }
                }
            }
        }

        foreach (var request in prefetch.Resources(PrefetchKeys.ServiceRequests))
        {
            if (request.Is("resourceType", "ServiceRequest") && request.Is("status", "completed"))
            {
                recogniser.Activity(request.Property("code"), null, found);
            }
        }

        foreach (var plan in prefetch.Resources(PrefetchKeys.CarePlans))
        {
            if (!plan.Is("resourceType", "CarePlan") || !FhirJson.InForce(plan))
            {
                continue;
            }

            foreach (var activity in plan.Array("activity"))
            {
                if (activity.Property("detail") is { } detail && !detail.IsOneOf("status", ActivityNotDone))
                {
                    recogniser.Activity(detail.Property("code"), detail.Text("description"), found);
                }
            }
        }

        // Medication resources sent in any prefetch key, by id: listed only when a use references one.
        Dictionary<string, JsonElement>? bundled = null;
        var parts = new MedicationParts();
        foreach (var request in prefetch.Resources(PrefetchKeys.MedicationRequests))
        {
            if (request.Is("resourceType", "MedicationRequest") && request.IsOneOf("status", PrescribedStatuses) && !request.IsOneOf("intent", NotAnOrderIntents))
            {
                ReadMedication(request, "dosageInstruction", prefetch, ref bundled, parts);
                unreadableMedications |= !recogniser.Medication(parts, found);
                recogniser.MedicationConditions(parts, medicationConditions);
            }
        }

        foreach (var statement in prefetch.Resources(PrefetchKeys.MedicationStatements))
        {
            if (statement.Is("resourceType", "MedicationStatement") && statement.IsOneOf("status", TakenStatuses))
            {
                ReadMedication(statement, "dosage", prefetch, ref bundled, parts);
                unreadableMedications |= !recogniser.Medication(parts, found);
                recogniser.MedicationConditions(parts, medicationConditions);
            }
        }

        return found.ToSortedList();
    }

    /// <summary>The medication's codings and texts: the CodeableConcept, or the contained or bundled Medication it references.</summary>
    private static void ReadMedication(
        JsonElement use, string dosageProperty, ResolvedPrefetch prefetch, ref Dictionary<string, JsonElement>? bundled, MedicationParts parts)
    {
        parts.Clear();
        parts.AddConcept(use.Property("medicationCodeableConcept"));
        var medicationReference = use.Property("medicationReference");
        if (medicationReference?.Text("display") is { } display)
        {
            // EHRs often send the reference with only a display ("ibuprofen 400 mg tablet") and no Medication to resolve.
            parts.Texts.Add(display);
        }

        if (medicationReference?.Text("reference") is { } reference && Resolve(use, reference, prefetch, ref bundled) is { } medication)
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
    }

    private static JsonElement? Resolve(JsonElement use, string reference, ResolvedPrefetch prefetch, ref Dictionary<string, JsonElement>? bundled)
    {
        if (reference.StartsWith('#'))
        {
            var id = reference.AsSpan(1);
            foreach (var contained in use.Array("contained"))
            {
                if (contained.Is("resourceType", "Medication") && contained.TryGetProperty("id", out var containedId)
                    && containedId.ValueKind == JsonValueKind.String && containedId.ValueEquals(id))
                {
                    return contained;
                }
            }

            return null;
        }

        // "Medication/123", or an absolute URL ending in it.
        var marker = reference.LastIndexOf("Medication/", StringComparison.Ordinal);
        if (marker < 0)
        {
            return null;
        }

        var idPart = reference[(marker + "Medication/".Length)..].Split('/')[0];
        bundled ??= BundledMedications(prefetch);
        return bundled.TryGetValue(idPart, out var found) ? found : null;
    }

    /// <summary>Medication resources sent in any prefetch key (an EHR may include them with the requests), by id.</summary>
    private static Dictionary<string, JsonElement> BundledMedications(ResolvedPrefetch prefetch)
    {
        var medications = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var key in PrefetchKeys.All)
        {
            foreach (var medication in prefetch.Resources(key))
            {
                if (medication.Is("resourceType", "Medication") && medication.Text("id") is { } id)
                {
                    medications.TryAdd(id, medication);
                }
            }
        }

        return medications;
    }

    private int? AgeOf(JsonElement patient)
    {
        // FHIR dates may be partial (YYYY or YYYY-MM): take the first day of the period.
        if (patient.Text("birthDate") is not { } birthDate || ParseDate(birthDate) is not { } born)
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

    /// <summary>A FHIR date, <c>YYYY</c>, <c>YYYY-MM</c> or <c>YYYY-MM-DD</c> (ASCII digits only), as its first day; null otherwise.</summary>
    public static DateOnly? ParseDate(string text)
    {
        static int Digits(ReadOnlySpan<char> span)
        {
            var value = 0;
            foreach (var c in span)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return -1;
                }

                value = (value * 10) + (c - '0');
            }

            return value;
        }

        if (text.Length is not (4 or 7 or 10) || (text.Length >= 7 && text[4] != '-') || (text.Length == 10 && text[7] != '-'))
        {
            return null;
        }

        var year = Digits(text.AsSpan(0, 4));
        var month = text.Length >= 7 ? Digits(text.AsSpan(5, 2)) : 1;
        var day = text.Length == 10 ? Digits(text.AsSpan(8, 2)) : 1;
        return year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month) ? new DateOnly(year, month, day) : null;
    }

    /// <summary>
    /// The most recent KL grade of the ordered knee (see <see cref="KneeSideReader.Applies"/>); the most recent grade not
    /// applied (the other knee's, or one without a side) is reported, never used.
    /// </summary>
    private int? KlGradeFor(ReadOnlySpan<JsonElement> observations, KneeSide index, List<(string Key, string? What)> unknowns)
    {
        var facts = new List<(string When, int Grade, KneeSide Side)>();
        foreach (var observation in observations)
        {
            if (Usable(observation, codes.KlGradeObservation) && KlGrade(observation) is { } grade)
            {
                facts.Add((observation.Text("effectiveDateTime") ?? observation.Text("issued") ?? "", grade, sides!.SideOf(observation)));
            }
        }

        var anyOther = facts.Exists(f => KneeSideReader.IsOther(f.Side, index));
        (string When, int Grade)? applied = null, other = null, unsided = null;
        foreach (var (when, grade, factSide) in facts)
        {
            ref var slot = ref applied;
            if (!KneeSideReader.Applies(factSide, index, anyOther))
            {
                slot = ref KneeSideReader.IsOther(factSide, index) ? ref other : ref unsided;
            }

            if (slot is not { } kept || string.CompareOrdinal(when, kept.When) > 0)
            {
                slot = (when, grade);
            }
        }

        if (other is { } otherKnee)
        {
            unknowns.Add((index == KneeSide.None ? "cds.side.sidedUnused.klGrade" : "cds.side.other.klGrade", otherKnee.Grade.ToString(CultureInfo.InvariantCulture)));
        }

        if (unsided is { } noSide)
        {
            unknowns.Add(("cds.side.unsided.klGrade", noSide.Grade.ToString(CultureInfo.InvariantCulture)));
        }

        return applied?.Grade;
    }

    private static bool Usable(JsonElement observation, CodingLookup code) =>
        observation.Is("resourceType", "Observation") && FhirJson.InForce(observation)
        && observation.Text("status") is null or "final" or "amended" or "corrected" or "preliminary"
        && code.AnyOf(observation.Property("code"));

    /// <summary>The most recent KL-grade Observation's valueInteger within the store's KL bounds.</summary>
    private int? KlGradeOf(ReadOnlySpan<JsonElement> observations) => Latest(observations, codes.KlGradeObservation, KlGrade);

    /// <summary>
    /// The most recent BMI Observation's value: a number in kg/m² (UCUM <c>kg/m2</c>, or that unit text without a code)
    /// within the accepted range. Anything else is not a BMI this service can use, and the card says BMI is not documented.
    /// </summary>
    private double? BmiOf(ReadOnlySpan<JsonElement> observations) => Latest(observations, codes.BmiObservation, Bmi);

    private int? KlGrade(JsonElement observation) =>
        observation.Property("valueInteger") is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var grade) && codes.Bounds.KlGrade.Contains(grade)
            ? grade
            : null;

    private double? Bmi(JsonElement observation) =>
        observation.Property("valueQuantity") is { ValueKind: JsonValueKind.Object } quantity
        && quantity.Property("value") is { ValueKind: JsonValueKind.Number } value && value.TryGetDouble(out var bmi)
        && codes.Bounds.Bmi.Contains(bmi) && InKilogramsPerSquareMetre(quantity)
            ? bmi
            : null;

    private static bool InKilogramsPerSquareMetre(JsonElement quantity) =>
        quantity.Text("code") is { } code
            ? code == "kg/m2" && quantity.Text("system") is null or "http://unitsofmeasure.org"
            : quantity.Text("unit") is "kg/m2" or "kg/m²";

    /// <summary>
    /// The value of the most recent usable Observation with one of <paramref name="code"/>'s codings: in force, final
    /// (or amended, corrected, preliminary, or without a status), with a value <paramref name="read"/> accepts; the first
    /// of equally recent ones.
    /// </summary>
    private static T? Latest<T>(ReadOnlySpan<JsonElement> observations, CodingLookup code, Func<JsonElement, T?> read)
        where T : struct
    {
        T? found = null;
        string? latest = null;
        foreach (var observation in observations)
        {
            if (!observation.Is("resourceType", "Observation") || !FhirJson.InForce(observation)
                || observation.Text("status") is not (null or "final" or "amended" or "corrected" or "preliminary")
                || !code.AnyOf(observation.Property("code"))
                || read(observation) is not { } value)
            {
                continue;
            }

            var when = observation.Text("effectiveDateTime") ?? observation.Text("issued") ?? "";
            if (latest is null || string.CompareOrdinal(when, latest) > 0)
            {
                (latest, found) = (when, value);
            }
        }

        return found;
    }
}
