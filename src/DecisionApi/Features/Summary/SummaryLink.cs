using System.Globalization;
using System.Text;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;

namespace DecisionApi.Features.Summary;

/// <summary>
/// The address of the evidence summary page for a profile. Only the de-identified profile goes into the query (age
/// capped at 90, KL grade, treatment and condition codes, BMI, jurisdiction, language): never an id, name, date or MRN.
/// </summary>
public static class SummaryLink
{
    public const string Path = "/summary";

    /// <summary>Ages above this are written as this value, so that a link never narrows down a very old patient.</summary>
    public const int AgeCap = 90;

    /// <summary>The value of <c>age</c> or <c>kl</c> when the chart did not provide it (only links from a card use it).</summary>
    public const string Unknown = "unknown";

    /// <summary>The query parameters the page accepts; any other is refused.</summary>
    public static readonly string[] Parameters = ["age", "kl", "treatments", "conditions", "bmi", "jurisdiction", "unchecked", "lang"];

    /// <summary>The query string (without '?') for the inputs an evaluation used.</summary>
    public static string Query(UsedInputs used, Language language)
    {
        ArgumentNullException.ThrowIfNull(used);
        var parts = new List<string>();
        // A chart may lack the age or the KL grade: the card is still computed, and the page says "unknown" too.
        parts.Add("age=" + (used.Age is { } age ? Math.Min(age, AgeCap).ToString(CultureInfo.InvariantCulture) : Unknown));
        parts.Add("kl=" + (used.KlGrade is { } kl ? kl.ToString(CultureInfo.InvariantCulture) : Unknown));

        parts.Add("treatments=" + Codes(used.PriorTreatments));
        if (used.Conditions.Count > 0)
        {
            parts.Add("conditions=" + Codes(used.Conditions));
        }

        if (used.Bmi is { } bmi)
        {
            parts.Add("bmi=" + Math.Round(bmi, 1, MidpointRounding.AwayFromZero).ToString("0.#", CultureInfo.InvariantCulture));
        }

        parts.Add("jurisdiction=" + Uri.EscapeDataString(used.Jurisdiction.ToUpperInvariant()));
        if (used.Unchecked.Count > 0)
        {
            // Treatments the chart could not show either way: the page says "could not be checked", not "not yet tried".
            parts.Add("unchecked=" + Codes(used.Unchecked));
        }

        parts.Add("lang=" + LanguageCode(language));
        return string.Join('&', parts);
    }

    /// <summary>The absolute page address: <paramref name="baseUrl"/> (scheme, host, path base) + /summary + query.</summary>
    public static string Absolute(string baseUrl, UsedInputs used, Language language) =>
        new StringBuilder(baseUrl.TrimEnd('/')).Append(Path).Append('?').Append(Query(used, language)).ToString();

    public static string LanguageCode(Language language) => language == Language.Zh ? "zh" : "en";

    private static string Codes(IEnumerable<string> codes) => string.Join(',', codes.Select(Uri.EscapeDataString));
}
