using System.Text.Json;
using System.Text.RegularExpressions;
using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;

namespace DecisionApi.Features.CdsHooks;

/// <summary>Which knee a FHIR resource is about.</summary>
public enum KneeSide
{
    /// <summary>No side stated.</summary>
    None,
    Right,
    Left,
    Both,
}

/// <summary>
/// Reads the side of a knee from a resource's <c>bodySite</c> (and, for a coded concept the store lists, from the store's
/// display of that code, e.g. an ICD-10-CM right-knee code): the store's side words (<c>side.right</c>,
/// <c>side.left</c>, <c>side.both</c>, in en and zh) in the codings' displays and the texts. No laterality code is read:
/// none was verified (cds-hooks.md §3.2).
/// </summary>
public sealed class KneeSideReader
{
    private readonly (KneeSide Side, Regex Words)[] words;
    private readonly Dictionary<string, KneeSide> codedSides = new(StringComparer.Ordinal);

    public KneeSideReader(RuleStoreSnapshot store, FhirCodeMap codes)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(codes);
        SideDependentTreatments = [.. store.Treatments.Where(t => t.Category == "arthroplasty").Select(t => t.Code)];
        words =
        [
            .. new[] { (KneeSide.Both, "side.both"), (KneeSide.Right, "side.right"), (KneeSide.Left, "side.left") }
                .Select(s => (s.Item1, new Regex(
                    $@"(?<![\p{{L}}\p{{N}}])(?:{Regex.Escape(store.Text(s.Item2).En)})(?![\p{{L}}\p{{N}}])|{Regex.Escape(store.Text(s.Item2).Zh)}",
                    RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50)))),
        ];
        foreach (var mapping in codes.KneeOsteoarthritisCodings)
        {
            if (SideOfText(mapping.Display) is var side and not KneeSide.None)
            {
                codedSides[mapping.System + "|" + mapping.Code] = side;
            }
        }
    }

    /// <summary>Treatments that belong to one knee (a knee replacement): matched to the ordered side.</summary>
    public HashSet<string> SideDependentTreatments { get; }

    /// <summary>
    /// Which of a kind of fact apply to the index knee (issue #20): a fact about the index side (or both knees) applies;
    /// one about the other knee never does; one with no side applies only when no fact of its kind names the other knee
    /// (an order without a side has no index side: only facts about both knees, or with no side when none names a side,
    /// apply).
    /// </summary>
    public static bool Applies(KneeSide fact, KneeSide index, bool anyOther) =>
        fact == KneeSide.Both || index == KneeSide.Both || (fact != KneeSide.None && fact == index) || (fact == KneeSide.None && !anyOther);

    /// <summary>Whether a fact names a knee other than the index knee (any one knee when the order has no side).</summary>
    public static bool IsOther(KneeSide fact, KneeSide index) =>
        fact is KneeSide.Right or KneeSide.Left && index != KneeSide.Both && fact != index;

    /// <summary>The side a text states: both, right, left or none (right and left together are both).</summary>
    public KneeSide SideOfText(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return KneeSide.None;
        }

        var side = KneeSide.None;
        foreach (var (candidate, pattern) in words)
        {
            if (pattern.IsMatch(text))
            {
                side = Combine(side, candidate);
            }
        }

        return side;
    }

    /// <summary>The side of a resource: its <c>bodySite</c> (array or single CodeableConcept), a draft medication order's
    /// dosage site, and the side-specific codes of its <c>code</c> the store lists.</summary>
    public KneeSide SideOf(JsonElement resource)
    {
        var side = KneeSide.None;
        if (resource.Property("bodySite") is { } bodySite)
        {
            if (bodySite.ValueKind == JsonValueKind.Array)
            {
                foreach (var site in bodySite.EnumerateArray())
                {
                    side = Combine(side, SideOfConcept(site));
                }
            }
            else
            {
                side = Combine(side, SideOfConcept(bodySite));
            }
        }

        foreach (var dosage in resource.Array("dosageInstruction"))
        {
            side = Combine(side, SideOfConcept(dosage.Property("site")));
        }

        if (resource.Property("code") is { ValueKind: JsonValueKind.Object } code)
        {
            foreach (var coding in code.Array("coding"))
            {
                if (coding.Text("system") is { } system && coding.Text("code") is { } value && codedSides.TryGetValue(system + "|" + value, out var coded))
                {
                    side = Combine(side, coded);
                }
            }
        }

        return side;
    }

    private KneeSide SideOfConcept(JsonElement? concept)
    {
        if (concept is not { ValueKind: JsonValueKind.Object } value)
        {
            return KneeSide.None;
        }

        var side = SideOfText(value.Text("text"));
        foreach (var coding in value.Array("coding"))
        {
            side = Combine(side, SideOfText(coding.Text("display")));
        }

        return side;
    }

    public static KneeSide Combine(KneeSide a, KneeSide b) =>
        a == KneeSide.None ? b : b == KneeSide.None || a == b ? a : KneeSide.Both;
}
