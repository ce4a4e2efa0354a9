using System.Text;
using DecisionApi.Features.Summary;
using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using Microsoft.Extensions.Options;

namespace DecisionApi.Features.CdsHooks;

/// <summary>
/// Turns an evaluation into the one CDS Hooks card, read at a glance: a one-sentence summary per assessment category, a
/// short detail (assessment, the two core caveats, untried first-line options, what the chart did not provide, the link
/// to the full evidence summary) and one link to the page. Every sentence comes from the store; no patient identifier is
/// written (the link carries only the de-identified profile).
/// </summary>
public sealed class CardComposer(RuleStoreSnapshot store, IOptions<CdsHooksOptions> options)
{
    public const string OverrideReasonSystem = "urn:decision-api:cds-override-reason";
    public const string CategorySystem = "urn:decision-api:assessment-category";
    private const string OverridePrefix = "cds.overrideReason.";

    private static readonly Dictionary<RecognisedBy, string> RecognisedByKeys = new()
    {
        [RecognisedBy.Code] = "cds.recognisedBy.code",
        [RecognisedBy.Class] = "cds.recognisedBy.class",
        [RecognisedBy.Display] = "cds.recognisedBy.display",
        [RecognisedBy.Text] = "cds.recognisedBy.text",
    };

    private readonly Source guideline = store.Rules
        .First(r => r.Kind == Vocab.Kinds.Caveat && r.Statement.Row.Core == 1 && r.Statement.Row.Issuer == "ACR/AF")
        .Statement.Sources[0];

    private readonly HashSet<string> coreCaveats =
        [.. store.Statements.Where(s => s.Row.Kind == Vocab.Kinds.Caveat && s.Row.Core == 1).Select(s => s.Id)];

    // Keys are cds.overrideReason.<position>.<code>: the store decides the order (clinical order), the code follows it.
    private readonly (string Key, string Code)[] overrideReasons =
    [
        .. store.Texts.Keys.Where(k => k.StartsWith(OverridePrefix, StringComparison.Ordinal))
            .Select(k => (Key: k, Tail: k[OverridePrefix.Length..]))
            .Select(k => (k.Key, Position: int.TryParse(k.Tail.Split('.')[0], out var p) ? p : int.MaxValue, Code: k.Tail[(k.Tail.IndexOf('.', StringComparison.Ordinal) + 1)..]))
            .OrderBy(k => k.Position).ThenBy(k => k.Code, StringComparer.Ordinal)
            .Select(k => (k.Key, k.Code)),
    ];

    /// <param name="result">The evaluation of the chart's profile.</param>
    /// <param name="unknowns">What the chart did not provide: a text key and, for keys with {what}, the cds.data.* suffix.</param>
    /// <param name="patientView">Patient-view hook: an info card instead of a warning.</param>
    /// <param name="language">Card language.</param>
    /// <param name="requestBaseUrl">This service's URL as the caller reached it (scheme, host, path base); used for the
    /// link unless <c>CdsHooks:PublicBaseUrl</c> is configured.</param>
    /// <param name="recognised">First-line care the chart documents, named on one line (store wording, never chart text).</param>
    public CdsCard Compose(
        EvaluationResult result, IReadOnlyList<(string Key, string? What)> unknowns, bool patientView, Language language, string requestBaseUrl,
        IReadOnlyList<RecognisedTreatment>? recognised = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(unknowns);
        string T(string key) => store.Text(key).In(language);
        var category = result.Assessment.Category;
        var link = LinkUrl(result.Inputs.Used, language, requestBaseUrl);
        var separator = T("list.separator");

        var detail = new StringBuilder();
        detail.Append("**").Append(T("cds.heading.assessment")).Append(":** ").AppendLine(result.Assessment.Headline).AppendLine();
        foreach (var caveat in result.Caveats.Where(c => coreCaveats.Contains(c.Id)))
        {
            // One line each: the store's card line for the caveat (the page shows the full sourced text).
            var line = store.Texts.TryGetValue("cds.caveatLine." + caveat.Id, out var cardLine) ? cardLine.In(language) : caveat.Text;
            detail.Append("- **").Append(caveat.Issuer).Append(":** ").AppendLine(line);
        }

        var untried = result.ConventionalOptions.Where(o => !o.Tried).Select(o => o.Label).Distinct(StringComparer.Ordinal).ToList();
        if (untried.Count > 0)
        {
            detail.AppendLine().Append("**").Append(T("cds.detail.untried")).Append(":** ").AppendLine(string.Join(separator, untried));
        }

        var found = (recognised ?? [])
            .Where(r => store.TreatmentsByCode.TryGetValue(r.Treatment, out var t) && t.Category == "first-line")
            .Select(r => RecognisedLine(r, language)).Distinct(StringComparer.Ordinal).ToList();
        if (found.Count > 0)
        {
            detail.AppendLine().Append("**").Append(T("cds.heading.recognised")).Append(":** ").AppendLine(string.Join(separator, found));
        }

        var missing = unknowns.Select(u => u.What is null
                ? T(u.Key)
                : T(u.Key).Replace("{what}", T("cds.data." + u.What), StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            detail.AppendLine().Append("**").Append(T("cds.heading.unknown")).AppendLine(":**");
            foreach (var line in missing)
            {
                detail.Append("- ").AppendLine(line);
            }
        }

        detail.AppendLine().AppendLine(T("cds.detail.fullSummary").Replace("{url}", link, StringComparison.Ordinal));
        detail.AppendLine().Append('*').Append(T("cds.decisionSupport")).Append('*');

        return new CdsCard(
            Guid.NewGuid().ToString(),
            T("cds.summary." + category),
            patientView ? "info" : "warning",
            detail.ToString(),
            new CdsSource(T("cds.sourceLabel"), LinkOf(guideline), new CdsCoding(CategorySystem, category, T("category." + category))),
            [.. overrideReasons.Select(r => new CdsCoding(OverrideReasonSystem, r.Code, T(r.Key)))],
            [new CdsLink(T("cds.linkLabel"), link, "absolute")]);
    }

    /// <summary>"Oral NSAID: by name in the record text ("ibuprofen")": the store's wording, label, code or term; never chart text.</summary>
    private string RecognisedLine(RecognisedTreatment recognised, Language language)
    {
        string Text(string key) => store.Text(key).In(language);
        var line = Text(RecognisedByKeys[recognised.By])
            .Replace("{label}", store.TreatmentsByCode[recognised.Treatment].Label.In(language), StringComparison.Ordinal)
            .Replace("{code}", recognised.Code ?? "", StringComparison.Ordinal)
            .Replace("{term}", recognised.Term ?? "", StringComparison.Ordinal);
        return recognised.TopicalTerm is { } topical
            ? $"{line}; {Text("cds.recognisedBy.topical").Replace("{term}", topical, StringComparison.Ordinal)}"
            : line;
    }

    /// <summary>The page (or the configured portal) for this profile, with the de-identified query.</summary>
    private string LinkUrl(UsedInputs used, Language language, string requestBaseUrl)
    {
        var settings = options.Value;
        if (!string.IsNullOrWhiteSpace(settings.PortalUrl))
        {
            var portal = settings.PortalUrl.Trim();
            return portal + (portal.Contains('?', StringComparison.Ordinal) ? "&" : "?") + SummaryLink.Query(used, language);
        }

        var baseUrl = string.IsNullOrWhiteSpace(settings.PublicBaseUrl) ? requestBaseUrl : settings.PublicBaseUrl.Trim();
        return SummaryLink.Absolute(baseUrl, used, language);
    }

    private static string? LinkOf(Source source) =>
        source.Doi is { } doi ? "https://doi.org/" + doi
        : source.Url ?? (source.Pmid is { } pmid ? $"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" : null);
}
