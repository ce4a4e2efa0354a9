using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;
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
/// <param name="Code">The matching code (system|code for codes) or the class prefix; null for names.</param>
/// <param name="Term">The store's name that matched; null for codes.</param>
/// <param name="TopicalTerm">The store's dose-form word that made the medication topical, when the form decided the treatment.</param>
public sealed record RecognisedTreatment(string Treatment, RecognisedBy By, string? Code, string? Term, string? TopicalTerm);

/// <summary>The parts of a medication that recognition looks at: its codings, and its display and text strings.</summary>
public sealed class MedicationParts
{
    public List<JsonElement> Codings { get; } = [];
    public List<string> Displays { get; } = [];
    public List<string> Texts { get; } = [];
    /// <summary>Dose form and route wording: read only for topical-form words, never for names.</summary>
    public List<string> FormTexts { get; } = [];

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
/// matcher is built once at start-up; recognising allocates only the results.
/// </summary>
public sealed class TreatmentRecogniser
{
    private static readonly RegexOptions MatchOptions = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled;
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);

    private readonly FrozenDictionary<string, RecognitionEntry> medicationCodes;
    private readonly FrozenDictionary<string, string[]> exactCodes;
    private readonly FrozenDictionary<string, RecognitionEntry> activityCodes;
    private readonly RecognitionEntry[] medicationClasses;
    private readonly TermMatcher medicationNames;
    private readonly TermMatcher topicalForms;
    private readonly TermMatcher activityTerms;

    public TreatmentRecogniser(RuleStoreSnapshot store, FhirCodeMap codes)
    {
        IEnumerable<RecognitionEntry> Of(string kind) => store.Recognition.Where(r => r.Kind == kind);
        FrozenDictionary<string, RecognitionEntry> ByCode(string kind) => Of(kind)
            .GroupBy(r => FhirCodeMap.Key(r.System, r.Code), StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        medicationCodes = ByCode(Vocab.RecognitionKinds.MedicationCode);
        activityCodes = ByCode(Vocab.RecognitionKinds.ActivityCode);
        exactCodes = codes.TreatmentsByCode;
        medicationClasses = [.. Of(Vocab.RecognitionKinds.MedicationClass)];
        medicationNames = new TermMatcher(Of(Vocab.RecognitionKinds.MedicationName));
        topicalForms = new TermMatcher(Of(Vocab.RecognitionKinds.TopicalForm));
        activityTerms = new TermMatcher(Of(Vocab.RecognitionKinds.ActivityTerm));
    }

    /// <summary>Treatments a medication shows: by code, by class, then by name in displays and texts; the form decides topical or oral.</summary>
    public IEnumerable<RecognisedTreatment> Medication(MedicationParts medication)
    {
        string? topical = null;
        var topicalChecked = false;
        string Route(RecognitionEntry entry)
        {
            if (entry.TopicalTreatment is null)
            {
                return entry.Treatment!;
            }

            if (!topicalChecked)
            {
                topical = medication.Displays.Concat(medication.Texts).Concat(medication.FormTexts).Select(topicalForms.FirstTerm).FirstOrDefault(t => t is not null);
                topicalChecked = true;
            }

            return topical is null ? entry.Treatment! : entry.TopicalTreatment;
        }

        string? TopicalTermFor(RecognitionEntry entry) => entry.TopicalTreatment is not null ? topical : null;

        foreach (var coding in medication.Codings)
        {
            var system = coding.Text("system");
            var code = coding.Text("code");
            if (system is null || code is null)
            {
                continue;
            }

            var key = FhirCodeMap.Key(system, code);
            if (medicationCodes.TryGetValue(key, out var entry))
            {
                yield return new RecognisedTreatment(Route(entry), RecognisedBy.Code, code, null, TopicalTermFor(entry));
            }

            foreach (var treatment in exactCodes.GetValueOrDefault(key, []))
            {
                yield return new RecognisedTreatment(treatment, RecognisedBy.Code, code, null, null);
            }

            foreach (var @class in medicationClasses)
            {
                if (string.Equals(@class.System, system, StringComparison.Ordinal) && code.StartsWith(@class.Code!, StringComparison.OrdinalIgnoreCase))
                {
                    yield return new RecognisedTreatment(Route(@class), RecognisedBy.Class, @class.Code, null, TopicalTermFor(@class));
                }
            }
        }

        foreach (var (strings, by) in new[] { (medication.Displays, RecognisedBy.Display), (medication.Texts, RecognisedBy.Text) })
        {
            foreach (var value in strings)
            {
                foreach (var entry in medicationNames.All(value))
                {
                    yield return new RecognisedTreatment(Route(entry), by, null, entry.Term, TopicalTermFor(entry));
                }
            }
        }
    }

    /// <summary>Treatments a Procedure, completed ServiceRequest or CarePlan activity shows, by code and by term.</summary>
    public IEnumerable<RecognisedTreatment> Activity(IEnumerable<JsonElement?> concepts, IEnumerable<string> descriptions)
    {
        var parts = new MedicationParts();
        foreach (var concept in concepts)
        {
            parts.AddConcept(concept);
        }

        foreach (var coding in parts.Codings)
        {
            if (coding.Text("system") is not { } system || coding.Text("code") is not { } code)
            {
                continue;
            }

            var key = FhirCodeMap.Key(system, code);
            if (activityCodes.TryGetValue(key, out var entry))
            {
                yield return new RecognisedTreatment(entry.Treatment!, RecognisedBy.Code, code, null, null);
            }

            foreach (var treatment in exactCodes.GetValueOrDefault(key, []))
            {
                yield return new RecognisedTreatment(treatment, RecognisedBy.Code, code, null, null);
            }
        }

        foreach (var (strings, by) in new[] { (parts.Displays, RecognisedBy.Display), (parts.Texts.Concat(descriptions), RecognisedBy.Text) })
        {
            foreach (var value in strings)
            {
                foreach (var entry in activityTerms.All(value))
                {
                    yield return new RecognisedTreatment(entry.Treatment!, by, null, entry.Term, null);
                }
            }
        }
    }

    /// <summary>One precompiled, case-insensitive, word-boundary alternation over a kind's terms (longest first).</summary>
    private sealed class TermMatcher
    {
        private readonly Regex? regex;
        private readonly FrozenDictionary<string, RecognitionEntry> byTerm;

        public TermMatcher(IEnumerable<RecognitionEntry> entries)
        {
            var list = entries.Where(e => !string.IsNullOrWhiteSpace(e.Term)).ToList();
            byTerm = list.GroupBy(e => e.Term!, StringComparer.OrdinalIgnoreCase)
                .ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
            if (list.Count == 0)
            {
                return;
            }

            var alternatives = byTerm.Keys.OrderByDescending(t => t.Length).ThenBy(t => t, StringComparer.Ordinal)
                .Select(t => Regex.Escape(t).Replace("\\ ", "\\s+", StringComparison.Ordinal));
            regex = new Regex($@"(?<![\p{{L}}\p{{N}}])(?:{string.Join('|', alternatives)})(?![\p{{L}}\p{{N}}])", MatchOptions, MatchTimeout);
        }

        public List<RecognitionEntry> All(string text)
        {
            if (regex is null)
            {
                return [];
            }

            var found = new List<RecognitionEntry>();
            try
            {
                for (var match = regex.Match(text); match.Success; match = match.NextMatch())
                {
                    if (byTerm.TryGetValue(Normalise(match.Value), out var entry))
                    {
                        found.Add(entry);
                    }
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological text costs the match, never the card.
            }

            return found;
        }

        public string? FirstTerm(string text) => All(text).Select(e => e.Term).FirstOrDefault();

        private static string Normalise(string matched) =>
            matched.Any(char.IsWhiteSpace) ? string.Join(' ', matched.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)) : matched;
    }
}
