using System.Buffers;
using System.Collections.Frozen;
using System.Text.Json;
using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;

namespace DecisionApi.Features.CdsHooks;

/// <summary>How a treatment was recognised, best first: an exact code, a drug class, a name in a coded display, a name in text.</summary>
public enum RecognisedBy
{
    Code,
    Class,
    Display,
    Text,
}

/// <summary>A prior treatment found in the chart and how it was found (the code, class prefix or store term that matched).</summary>
/// <param name="Treatment">Treatment vocabulary code.</param>
/// <param name="By">How it was recognised.</param>
/// <param name="Code">The matching code, or the class prefix; null for names.</param>
/// <param name="Term">The store's name that matched; null for codes.</param>
/// <param name="TopicalTerm">The store's dose-form word that made the medication topical, when the form decided the treatment.</param>
public sealed record RecognisedTreatment(string Treatment, RecognisedBy By, string? Code, string? Term, string? TopicalTerm);

/// <summary>
/// Every prior treatment found in one chart, each kept once with the best way it was recognised (code before class before
/// display before text; among equals, the first found).
/// </summary>
public sealed class RecognisedTreatments
{
    private readonly List<RecognisedTreatment> best = [];

    /// <summary>How many times a treatment was offered (found), counting repeats.</summary>
    public int Offers { get; private set; }

    public void Offer(string treatment, RecognisedBy by, string? code, string? term, string? topicalTerm)
    {
        Offers++;
        for (var i = 0; i < best.Count; i++)
        {
            if (string.Equals(best[i].Treatment, treatment, StringComparison.Ordinal))
            {
                if (by < best[i].By)
                {
                    best[i] = new RecognisedTreatment(treatment, by, code, term, topicalTerm);
                }

                return;
            }
        }

        best.Add(new RecognisedTreatment(treatment, by, code, term, topicalTerm));
    }

    /// <summary>The treatments found, by treatment code.</summary>
    public List<RecognisedTreatment> ToSortedList()
    {
        best.Sort(static (a, b) => string.CompareOrdinal(a.Treatment, b.Treatment));
        return best;
    }
}

/// <summary>The parts of a medication that recognition looks at: its codings, and its display and text strings. Reusable.</summary>
public sealed class MedicationParts
{
    public List<JsonElement> Codings { get; } = [];
    public List<string> Displays { get; } = [];
    public List<string> Texts { get; } = [];
    /// <summary>Dose form and route wording: read only for topical-form words, never for names.</summary>
    public List<string> FormTexts { get; } = [];

    public void Clear()
    {
        Codings.Clear();
        Displays.Clear();
        Texts.Clear();
        FormTexts.Clear();
    }

    public void AddConcept(JsonElement? concept, bool formOnly = false)
    {
        if (concept is not { ValueKind: JsonValueKind.Object } value)
        {
            return;
        }

        foreach (var coding in value.Array("coding"))
        {
            if (!formOnly)
            {
                Codings.Add(coding);
            }

            if (coding.Text("display") is { } display)
            {
                (formOnly ? FormTexts : Displays).Add(display);
            }
        }

        if (value.Text("text") is { } text)
        {
            (formOnly ? FormTexts : Texts).Add(text);
        }
    }
}

/// <summary>
/// Recognises prior treatments from the store's curated codes, classes, names and dose-form words. Every index and
/// matcher is built once at start-up; recognising allocates only the strings it reads and the results.
/// </summary>
public sealed class TreatmentRecogniser
{
    private readonly FrozenDictionary<string, CodeHit[]> medicationCodes;
    private readonly FrozenDictionary<string, CodeHit[]> activityCodes;
    private readonly RecognitionEntry[] medicationClasses;
    private readonly TermMatcher medicationNames;
    private readonly TermMatcher topicalForms;
    private readonly TermMatcher activityTerms;
    private readonly TermMatcher historyTerms;
    private readonly TermMatcher historyNotDoneCues;

    /// <summary>Treatments that replace the knee (category arthroplasty): counted only when recorded as done.</summary>
    public FrozenSet<string> ReplacementTreatments { get; }
    private readonly TermMatcher conditionMedicationNames;

    public TreatmentRecogniser(RuleStoreSnapshot store)
    {
        IEnumerable<RecognitionEntry> Of(string kind) => store.Recognition.Where(r => r.Kind == kind);

        // The vocabulary's own codes (treatments.yaml) count for every resource, by code first, then system.
        var vocabulary = store.Treatments.SelectMany(t => t.Codes.Select(c => new CodeHit(c.System, c.Code, null, t.Code))).ToList();
        FrozenDictionary<string, CodeHit[]> ByCode(string kind) => Of(kind)
            .Select(r => new CodeHit(r.System!, r.Code!, r, r.Treatment!))
            .Concat(vocabulary)
            .GroupBy(h => h.Code, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

        string[] TreatmentsOf(params string[] kinds) =>
            [.. store.Recognition.Where(r => kinds.Contains(r.Kind, StringComparer.Ordinal))
                .SelectMany(r => new[] { r.Treatment, r.TopicalTreatment }).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        MedicationTreatments = TreatmentsOf(Vocab.RecognitionKinds.MedicationCode, Vocab.RecognitionKinds.MedicationClass, Vocab.RecognitionKinds.MedicationName);
        ActivityTreatments = TreatmentsOf(Vocab.RecognitionKinds.ActivityCode, Vocab.RecognitionKinds.ActivityTerm);
        medicationCodes = ByCode(Vocab.RecognitionKinds.MedicationCode);
        activityCodes = ByCode(Vocab.RecognitionKinds.ActivityCode);
        medicationClasses = [.. Of(Vocab.RecognitionKinds.MedicationClass)];
        medicationNames = new TermMatcher(Of(Vocab.RecognitionKinds.MedicationName));
        topicalForms = new TermMatcher(Of(Vocab.RecognitionKinds.TopicalForm));
        activityTerms = new TermMatcher(Of(Vocab.RecognitionKinds.ActivityTerm));
        historyTerms = new TermMatcher(Of(Vocab.RecognitionKinds.HistoryTerm));
        historyNotDoneCues = new TermMatcher(Of(Vocab.RecognitionKinds.HistoryNotDoneCue));
        ReplacementTreatments = store.Treatments.Where(t => t.Category == "arthroplasty").Select(t => t.Code).ToFrozenSet(StringComparer.Ordinal);
        conditionMedicationNames = new TermMatcher(Of(Vocab.RecognitionKinds.ConditionMedicationName));
    }

    /// <summary>Conditions a medication's names show (a drug name the store lists for, e.g., anticoagulant therapy), each
    /// condition code added to <paramref name="into"/> once.</summary>
    public void MedicationConditions(MedicationParts medication, List<string> into)
    {
        foreach (var value in medication.Displays.Concat(medication.Texts))
        {
            foreach (var entry in conditionMedicationNames.All(value))
            {
                if (!into.Contains(entry.Treatment!))
                {
                    into.Add(entry.Treatment!);
                }
            }
        }
    }

    /// <summary>The treatments the store recognises in medication records (MedicationRequest, MedicationStatement).</summary>
    public IReadOnlyList<string> MedicationTreatments { get; }

    /// <summary>The treatments the store recognises in activity records (Procedure, ServiceRequest, CarePlan).</summary>
    public IReadOnlyList<string> ActivityTreatments { get; }

    /// <summary>Treatments a medication shows: by code, by class, then by name in displays and texts; the form decides topical or oral.</summary>
    /// <returns>Whether the medication could be read: it has a name (display or text) or a code the store recognises. A
    /// drug sent only as a code the store does not list could be anything, an NSAID included.</returns>
    public bool Medication(MedicationParts medication, RecognisedTreatments found)
    {
        var before = found.Offers;
        MedicationCore(medication, found);
        return medication.Displays.Count > 0 || medication.Texts.Count > 0 || found.Offers > before;
    }

    private void MedicationCore(MedicationParts medication, RecognisedTreatments found)
    {
        var topical = new TopicalForm(medication, topicalForms);
        foreach (var coding in medication.Codings)
        {
            if (coding.Text("code") is not { } code)
            {
                continue;
            }

            if (medicationCodes.TryGetValue(code, out var hits))
            {
                foreach (var hit in hits)
                {
                    if (!coding.Is("system", hit.System))
                    {
                        continue;
                    }

                    if (hit.Entry is { } entry)
                    {
                        found.Offer(topical.Route(entry), RecognisedBy.Code, code, null, topical.TermFor(entry));
                    }
                    else
                    {
                        found.Offer(hit.Treatment, RecognisedBy.Code, code, null, null);
                    }
                }
            }

            foreach (var @class in medicationClasses)
            {
                if (code.StartsWith(@class.Code!, StringComparison.OrdinalIgnoreCase) && coding.Is("system", @class.System!))
                {
                    found.Offer(topical.Route(@class), RecognisedBy.Class, @class.Code, null, topical.TermFor(@class));
                }
            }
        }

        Names(medication.Displays, RecognisedBy.Display, ref topical, found);
        Names(medication.Texts, RecognisedBy.Text, ref topical, found);
    }

    private void Names(List<string> strings, RecognisedBy by, ref TopicalForm topical, RecognisedTreatments found)
    {
        foreach (var value in strings)
        {
            foreach (var entry in medicationNames.All(value))
            {
                found.Offer(topical.Route(entry), by, null, entry.Term, topical.TermFor(entry));
            }
        }
    }

    /// <summary>Treatments a Procedure, completed ServiceRequest or CarePlan activity shows, by code and by term.</summary>
    /// <param name="concept">The activity's CodeableConcept.</param>
    /// <param name="description">A free-text description (a CarePlan activity's), read after the concept's own text.</param>
    /// <param name="found">Where the treatments go.</param>
    public void Activity(JsonElement? concept, string? description, RecognisedTreatments found)
    {
        if (concept is { ValueKind: JsonValueKind.Object } value)
        {
            foreach (var coding in value.Array("coding"))
            {
                if (coding.Text("code") is { } code && activityCodes.TryGetValue(code, out var hits))
                {
                    foreach (var hit in hits)
                    {
                        if (coding.Is("system", hit.System))
                        {
                            found.Offer(hit.Treatment, RecognisedBy.Code, code, null, null);
                        }
                    }
                }
            }

            foreach (var coding in value.Array("coding"))
            {
                ActivityTerms(coding.Text("display"), RecognisedBy.Display, found);
            }

            ActivityTerms(value.Text("text"), RecognisedBy.Text, found);
        }

        ActivityTerms(description, RecognisedBy.Text, found);
    }

    /// <summary>
    /// Past procedures a Procedure or a problem-list Condition shows: the vocabulary's and the store's activity codes
    /// (as <see cref="Activity"/>) and the store's history terms (a replaced knee written in words). Not for referrals or
    /// care plans.
    /// </summary>
    /// <param name="concept">The resource's code.</param>
    /// <param name="found">Where what the resource shows is added.</param>
    /// <param name="notDone">Where a treatment is added that the text names after one of the store's not-done cues
    /// ("no", "evaluate for", "possible" ...): mentioned, but not shown as done, so never added to <paramref name="found"/>.</param>
    public void History(JsonElement? concept, RecognisedTreatments found, ICollection<string> notDone)
    {
        ArgumentNullException.ThrowIfNull(notDone);
        Activity(concept, null, found);
        if (concept is not { ValueKind: JsonValueKind.Object } value)
        {
            return;
        }

        foreach (var coding in value.Array("coding"))
        {
            HistoryTerms(coding.Text("display"), RecognisedBy.Display, found, notDone);
        }

        HistoryTerms(value.Text("text"), RecognisedBy.Text, found, notDone);
    }

    private void HistoryTerms(string? text, RecognisedBy by, RecognisedTreatments found, ICollection<string> notDone)
    {
        if (text is null)
        {
            return;
        }

        text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)); // as the matcher reads it
        foreach (var entry in historyTerms.All(text))
        {
            // A cue anywhere before the term in the same text ("no knee arthroplasty", "evaluate for knee arthroplasty").
            var at = text.IndexOf(entry.Term!, StringComparison.OrdinalIgnoreCase);
            if (at > 0 && historyNotDoneCues.All(text[..at]).Count > 0)
            {
                if (!notDone.Contains(entry.Treatment!))
                {
                    notDone.Add(entry.Treatment!);
                }

                continue;
            }

            found.Offer(entry.Treatment!, by, null, entry.Term, null);
        }
    }

    private void ActivityTerms(string? text, RecognisedBy by, RecognisedTreatments found)
    {
        if (text is null)
        {
            return;
        }

        foreach (var entry in activityTerms.All(text))
        {
            found.Offer(entry.Treatment!, by, null, entry.Term, null);
        }
    }

    /// <summary>Whether the medication is topical: looked up once, at the first entry that depends on it.</summary>
    private struct TopicalForm(MedicationParts medication, TermMatcher forms)
    {
        private string? term;
        private bool checkedForms;

        public string Route(RecognitionEntry entry)
        {
            if (entry.TopicalTreatment is null)
            {
                return entry.Treatment!;
            }

            if (!checkedForms)
            {
                term = First(medication.Displays) ?? First(medication.Texts) ?? First(medication.FormTexts);
                checkedForms = true;
            }

            return term is null ? entry.Treatment! : entry.TopicalTreatment;
        }

        public readonly string? TermFor(RecognitionEntry entry) => entry.TopicalTreatment is not null ? term : null;

        private readonly string? First(List<string> strings)
        {
            foreach (var value in strings)
            {
                if (forms.FirstTerm(value) is { } found)
                {
                    return found;
                }
            }

            return null;
        }
    }

    /// <summary>A code the store maps to a treatment: from recognition.yaml (with its entry) or from treatments.yaml.</summary>
    private readonly record struct CodeHit(string System, string Code, RecognitionEntry? Entry, string Treatment);

    /// <summary>
    /// Finds the store's terms in a text: case-insensitive, on word boundaries (no letter or digit either side), longest
    /// term first. Built once; a vectorised multi-string search finds candidates, so a text costs about one pass.
    /// </summary>
    private sealed class TermMatcher
    {
        private static readonly RecognitionEntry[] None = [];
        private readonly SearchValues<string>? candidates;
        private readonly (string Term, RecognitionEntry Entry)[] byLength;

        public TermMatcher(IEnumerable<RecognitionEntry> entries)
        {
            byLength =
            [
                .. entries.Where(e => !string.IsNullOrWhiteSpace(e.Term))
                    .DistinctBy(e => e.Term!, StringComparer.OrdinalIgnoreCase)
                    .OrderByDescending(e => e.Term!.Length).ThenBy(e => e.Term, StringComparer.Ordinal)
                    .Select(e => (e.Term!, e)),
            ];
            candidates = byLength.Length == 0 ? null : SearchValues.Create(byLength.Select(t => t.Term).ToArray(), StringComparison.OrdinalIgnoreCase);
        }

        public IReadOnlyList<RecognitionEntry> All(string text)
        {
            if (candidates is null || text.Length == 0)
            {
                return None;
            }

            text = CollapseWhitespace(text);
            List<RecognitionEntry>? found = null;
            var offset = 0;
            while (offset < text.Length)
            {
                var index = text.AsSpan(offset).IndexOfAny(candidates);
                if (index < 0)
                {
                    break;
                }

                index += offset;
                offset = index + 1;
                if (index > 0 && char.IsLetterOrDigit(text[index - 1]))
                {
                    continue;
                }

                foreach (var (term, entry) in byLength)
                {
                    var end = index + term.Length;
                    if (end <= text.Length && text.AsSpan(index, term.Length).Equals(term, StringComparison.OrdinalIgnoreCase)
                        && (end == text.Length || !char.IsLetterOrDigit(text[end])))
                    {
                        (found ??= []).Add(entry);
                        offset = end;
                        break;
                    }
                }
            }

            return found ?? (IReadOnlyList<RecognitionEntry>)None;
        }

        public string? FirstTerm(string text) => All(text) is [var first, ..] ? first.Term : null;

        /// <summary>Terms hold single spaces; charts may hold runs of spaces, tabs or line breaks.</summary>
        private static string CollapseWhitespace(string text)
        {
            var needs = false;
            for (var i = 0; i < text.Length && !needs; i++)
            {
                needs = char.IsWhiteSpace(text[i]) && (text[i] != ' ' || (i + 1 < text.Length && char.IsWhiteSpace(text[i + 1])));
            }

            return needs ? string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)) : text;
        }
    }
}
