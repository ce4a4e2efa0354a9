using System.Text;
using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using Microsoft.Extensions.Options;

namespace DecisionApi.Features.CdsHooks;

/// <summary>Turns an evaluation into the one CDS Hooks card. Every sentence comes from the store; no patient identifier is written.</summary>
public sealed class CardComposer(RuleStoreSnapshot store, IOptions<CdsHooksOptions> options)
{
    public const string OverrideReasonSystem = "urn:decision-api:cds-override-reason";
    private const int EvidenceShown = 4;

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

    private readonly string[] overrideCodes =
    [
        .. store.Texts.Keys.Where(k => k.StartsWith("cds.overrideReason.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).Select(k => k["cds.overrideReason.".Length..]),
    ];

    public CdsCard Compose(
        EvaluationResult result, IReadOnlyList<(string Key, string? What)> unknowns, bool patientView, Language language,
        IReadOnlyList<RecognisedTreatment>? recognised = null)
    {
        string T(string key) => store.Text(key).In(language);
        var sources = new List<Source>();
        string Cite(IEnumerable<Source> cited) => string.Concat(cited.Select(source =>
        {
            var index = sources.FindIndex(s => s.Id == source.Id);
            if (index < 0)
            {
                sources.Add(source);
                index = sources.Count - 1;
            }

            return $" [{index + 1}]";
        }));

        var detail = new StringBuilder();
        detail.Append("**").Append(T("cds.heading.assessment")).Append(":** ").AppendLine(result.Assessment.Headline).AppendLine();
        detail.Append(result.Assessment.Rationale).AppendLine(Cite(result.Assessment.Sources));
        foreach (var note in result.Assessment.Notes)
        {
            detail.AppendLine().Append(note.Text).AppendLine(Cite(note.Sources));
        }

        Section(detail, T("cds.heading.caveats"), result.Caveats.Where(c => c.Severity != "info")
            .Select(c => $"**{c.Issuer}:** {c.Text}{Cite(c.Sources)}"));
        Section(detail, T("cds.heading.recognised"), (recognised ?? [])
            .Where(r => store.TreatmentsByCode.TryGetValue(r.Treatment, out var t) && t.Category == "first-line")
            .Select(r => RecognisedLine(r, language)));
        Section(detail, T("cds.heading.untried"), result.ConventionalOptions.Where(o => !o.Tried)
            .GroupBy(o => o.Treatment, StringComparer.Ordinal)
            .Select(g => $"{g.First().Label} ({string.Join(", ", g.Select(o => $"{o.Issuer}: {o.Strength}"))}){Cite(g.SelectMany(o => o.Sources).DistinctBy(s => s.Id))}"));
        Section(detail, T("cds.heading.evidence"), result.Evidence.Take(EvidenceShown)
            .Select(e => $"{e.Text} ({T("cds.certainty")}: {e.Certainty}){Cite(e.Sources)}"));
        Section(detail, T("cds.heading.safety"), result.Safety.Select(s => s.Text + Cite(s.Sources)));
        Section(detail, T("cds.heading.unknown"), unknowns.Select(u => u.What is null
            ? T(u.Key)
            : T(u.Key).Replace("{what}", T("cds.data." + u.What), StringComparison.Ordinal)));
        Section(detail, T("cds.heading.sources"), sources.Select((s, i) => $"{i + 1}. {SourceLine(s, T("cds.secondary"))}"), numbered: true);
        detail.AppendLine().Append('*').Append(T("cds.decisionSupport")).Append('*');

        var portal = options.Value.PortalUrl;
        return new CdsCard(
            Guid.NewGuid().ToString(),
            T(patientView ? "cds.patientViewSummary" : "cds.summary"),
            patientView ? "info" : "warning",
            detail.ToString(),
            new CdsSource(T("cds.sourceLabel"), LinkOf(guideline)),
            [.. overrideCodes.Select(code => new CdsCoding(OverrideReasonSystem, code, T("cds.overrideReason." + code)))],
            string.IsNullOrWhiteSpace(portal) ? null : [new CdsLink(T("cds.linkLabel"), portal, "absolute")]);
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

    private static void Section(StringBuilder detail, string heading, IEnumerable<string> lines, bool numbered = false)
    {
        var items = lines.ToList();
        if (items.Count == 0)
        {
            return;
        }

        detail.AppendLine().AppendLine().Append("**").Append(heading).AppendLine("**").AppendLine();
        foreach (var item in items)
        {
            detail.Append(numbered ? "" : "- ").AppendLine(item);
        }
    }

    private static string SourceLine(Source source, string secondaryLabel)
    {
        var link = LinkOf(source);
        var citation = source.Citation.Replace("[", "\\[", StringComparison.Ordinal).Replace("]", "\\]", StringComparison.Ordinal);
        var text = link is null ? citation : $"[{citation}]({link})";
        return source.Verification == "secondary" ? $"{text} ({secondaryLabel})" : text;
    }

    private static string? LinkOf(Source source) =>
        source.Doi is { } doi ? "https://doi.org/" + doi
        : source.Url ?? (source.Pmid is { } pmid ? $"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" : null);
}
