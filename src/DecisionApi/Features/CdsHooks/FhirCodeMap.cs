using System.Collections.Frozen;
using System.Text.Json;
using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;

namespace DecisionApi.Features.CdsHooks;

/// <summary>The store's FHIR codes, indexed once at start-up for reading charts and orders.</summary>
public sealed class FhirCodeMap
{
    public const string KneeOsteoarthritisGroup = "kneeOsteoarthritis";
    public const string KlGradeObservationGroup = "klGradeObservation";
    public const string MscOrderGroup = "mscOrder";
    public const string BmiObservationGroup = "bmiObservation";

    public FhirCodeMap(RuleStoreSnapshot store)
    {
        ConditionsByCoding = new CodingLookup(store.Conditions.SelectMany(e => e.Codes.Select(c => (c.System, c.Code, e.Code))));
        KneeOsteoarthritis = Group(store, KneeOsteoarthritisGroup);
        KlGradeObservation = Group(store, KlGradeObservationGroup);
        MscOrder = Group(store, MscOrderGroup);
        BmiObservation = Group(store, BmiObservationGroup);
        BmiObservationCodings = store.FhirCodeGroups.GetValueOrDefault(BmiObservationGroup, []);
        KneeOsteoarthritisCodings = store.FhirCodeGroups.GetValueOrDefault(KneeOsteoarthritisGroup, []);
        KlGradeObservationCodings = store.FhirCodeGroups.GetValueOrDefault(KlGradeObservationGroup, []);
        Bounds = store.Bounds;
    }

    /// <summary>The store's profile bounds: a KL grade or BMI read from a chart outside them is not used.</summary>
    public ProfileBounds Bounds { get; }

    /// <summary>FHIR coding → condition vocabulary codes.</summary>
    public CodingLookup ConditionsByCoding { get; }

    public CodingLookup KneeOsteoarthritis { get; }
    public CodingLookup KlGradeObservation { get; }
    public CodingLookup MscOrder { get; }
    public CodingLookup BmiObservation { get; }
    public IReadOnlyList<CodeMapping> BmiObservationCodings { get; }
    public IReadOnlyList<CodeMapping> KneeOsteoarthritisCodings { get; }
    public IReadOnlyList<CodeMapping> KlGradeObservationCodings { get; }

    private static CodingLookup Group(RuleStoreSnapshot store, string group) =>
        new(store.FhirCodeGroups.GetValueOrDefault(group, []).Select(c => (c.System, c.Code, group)));
}

/// <summary>
/// Store codings (system and code) with the vocabulary codes they stand for, looked up straight from a FHIR
/// <c>Coding</c>: by its code, then its system compared in the JSON, so no <c>system|code</c> string is built per coding.
/// </summary>
public sealed class CodingLookup
{
    private readonly FrozenDictionary<string, (string System, string[] Values)[]> byCode;

    public CodingLookup(IEnumerable<(string System, string Code, string Value)> codings) =>
        byCode = codings
            .GroupBy(c => c.Code, StringComparer.Ordinal)
            .ToFrozenDictionary(
                byCode => byCode.Key,
                byCode => byCode.GroupBy(c => c.System, StringComparer.Ordinal)
                    .Select(bySystem => (bySystem.Key, bySystem.Select(c => c.Value).Distinct(StringComparer.Ordinal).ToArray()))
                    .ToArray(),
                StringComparer.Ordinal);

    /// <summary>The vocabulary codes of a coding with a string system and code the store lists; empty for any other.</summary>
    public string[] ValuesOf(JsonElement coding)
    {
        if (coding.Text("code") is { } code && byCode.TryGetValue(code, out var systems)
            && coding.ValueKind == JsonValueKind.Object && coding.TryGetProperty("system", out var system) && system.ValueKind == JsonValueKind.String)
        {
            foreach (var (known, values) in systems)
            {
                if (system.ValueEquals(known))
                {
                    return values;
                }
            }
        }

        return [];
    }

    /// <summary>Whether any coding of the CodeableConcept is one the store lists.</summary>
    public bool AnyOf(JsonElement? codeableConcept)
    {
        if (codeableConcept is not { } concept)
        {
            return false;
        }

        foreach (var coding in concept.Array("coding"))
        {
            if (ValuesOf(coding).Length > 0)
            {
                return true;
            }
        }

        return false;
    }
}
