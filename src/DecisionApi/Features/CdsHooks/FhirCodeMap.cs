using System.Collections.Frozen;
using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;

namespace DecisionApi.Features.CdsHooks;

/// <summary>The store's FHIR codes, indexed once at start-up for reading charts and orders.</summary>
public sealed class FhirCodeMap
{
    public const string KneeOsteoarthritisGroup = "kneeOsteoarthritis";
    public const string KlGradeObservationGroup = "klGradeObservation";
    public const string MscOrderGroup = "mscOrder";

    public FhirCodeMap(RuleStoreSnapshot store)
    {
        TreatmentsByCode = Index(store.Treatments);
        ConditionsByCode = Index(store.Conditions);
        KneeOsteoarthritis = Group(store, KneeOsteoarthritisGroup);
        KlGradeObservation = Group(store, KlGradeObservationGroup);
        MscOrder = Group(store, MscOrderGroup);
        TreatmentCodings = [.. store.Treatments.SelectMany(t => t.Codes)];
        KneeOsteoarthritisCodings = store.FhirCodeGroups.GetValueOrDefault(KneeOsteoarthritisGroup, []);
        KlGradeObservationCodings = store.FhirCodeGroups.GetValueOrDefault(KlGradeObservationGroup, []);
    }

    /// <summary><c>system|code</c> → treatment vocabulary codes.</summary>
    public FrozenDictionary<string, string[]> TreatmentsByCode { get; }

    /// <summary><c>system|code</c> → condition vocabulary codes.</summary>
    public FrozenDictionary<string, string[]> ConditionsByCode { get; }

    public FrozenSet<string> KneeOsteoarthritis { get; }
    public FrozenSet<string> KlGradeObservation { get; }
    public FrozenSet<string> MscOrder { get; }
    public IReadOnlyList<CodeMapping> TreatmentCodings { get; }
    public IReadOnlyList<CodeMapping> KneeOsteoarthritisCodings { get; }
    public IReadOnlyList<CodeMapping> KlGradeObservationCodings { get; }

    public static string Key(string? system, string? code) => $"{system}|{code}";

    private static FrozenDictionary<string, string[]> Index(IEnumerable<VocabularyEntry> entries) =>
        entries.SelectMany(e => e.Codes.Select(c => (Key: Key(c.System, c.Code), e.Code)))
            .GroupBy(x => x.Key, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.Select(x => x.Code).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);

    private static FrozenSet<string> Group(RuleStoreSnapshot store, string group) =>
        store.FhirCodeGroups.GetValueOrDefault(group, []).Select(c => Key(c.System, c.Code)).ToFrozenSet(StringComparer.Ordinal);
}
