using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;

namespace DecisionApi.Features.Summary;

/// <summary>What the page shows: the evaluation, or the form with its errors.</summary>
/// <param name="Store">Texts and vocabularies.</param>
/// <param name="Language">Page language.</param>
/// <param name="Form">The query's values, to refill the form.</param>
public sealed record SummaryView(RuleStoreSnapshot Store, Language Language, IReadOnlyDictionary<string, string> Form)
{
    public static readonly IReadOnlyDictionary<string, string> EmptyForm = new Dictionary<string, string>(StringComparer.Ordinal);

    public EvaluationResult? Result { get; init; }

    /// <summary>The store's review state on the day the page is shown.</summary>
    public ReviewState? Review { get; init; }

    /// <summary>Plain-language problems with the query.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>The query had a parameter the page does not accept: only the message and a link to an empty form.</summary>
    public bool Refused { get; init; }

    /// <summary>The same page in the other language.</summary>
    public string? SwitchLanguageUrl { get; init; }

    public string LanguageTag => Language == Language.Zh ? "zh-Hans" : "en";

    public string T(string key) => Store.Text(key).In(Language);

    /// <summary>A value's label (value.certainty.low, ...), or the value itself when the store has none.</summary>
    public string Value(string kind, string value) =>
        Store.Texts.TryGetValue($"value.{kind}.{value}", out var text) ? text.In(Language) : value;

    /// <summary>The form label of a profile field named as in the REST request (age, klGrade, bmi, ...).</summary>
    public string FieldLabel(string field) => field switch
    {
        "age" => T("page.field.age"),
        "klGrade" => T("page.field.kl"),
        "priorTreatments" => T("page.field.treatments"),
        "conditions" => T("page.field.conditions"),
        "bmi" => T("page.field.bmi"),
        "jurisdiction" => T("page.field.jurisdiction"),
        _ => field,
    };

    public string Field(string name) => Form.TryGetValue(name, out var value) ? value : "";

    public bool Checked(string name, string code) =>
        Form.TryGetValue(name, out var value) && value.Split(',').Contains(code, StringComparer.Ordinal);

    /// <summary>The two core caveats (ACR/AF, FDA), shown for every profile.</summary>
    public bool IsCore(CaveatItem caveat) =>
        caveat is not null && Store.Statements.Any(s => s.Id == caveat.Id && s.Row.Core == 1);

    /// <summary>Evidence shown to every adult (selection: always): the strongest evidence, on the first screen.</summary>
    public bool IsAlways(EvidenceItem item) =>
        item is not null && Store.Statements.Any(s => s.Id == item.Id && s.Row.Selection == "always");

    /// <summary>Every source cited on the page, in order of first appearance.</summary>
    public IReadOnlyList<Source> Sources(EvaluationResult result) =>
    [
        .. result.Assessment.Sources
            .Concat(result.Assessment.Notes.SelectMany(n => n.Sources))
            .Concat(result.Caveats.SelectMany(c => c.Sources))
            .Concat(result.ConventionalOptions.SelectMany(o => o.Sources))
            .Concat(result.Evidence.SelectMany(e => e.Sources))
            .Concat(result.Safety.SelectMany(s => s.Sources))
            .Concat(result.ClaimChecks.SelectMany(c => c.Sources))
            .DistinctBy(s => s.Id),
    ];

    /// <summary>The reference number of a source on the page (its place in <see cref="Sources"/>), 1-based.</summary>
    public int Number(EvaluationResult result, string sourceId)
    {
        ArgumentNullException.ThrowIfNull(result);
        numbers ??= Sources(result).Select((s, i) => (s.Id, i)).ToDictionary(x => x.Id, x => x.i + 1, StringComparer.Ordinal);
        return numbers.TryGetValue(sourceId, out var number) ? number : 0;
    }

    private Dictionary<string, int>? numbers;

    /// <summary>
    /// The page's sources grouped by what they are: clinical evidence (trials, reviews, guidelines, consensus),
    /// regulators and news, and curation aids (terminology pages, and datasets or transcriptions kept on a code host),
    /// which help the curators but are not clinical evidence. Empty groups are left out.
    /// </summary>
    public IReadOnlyList<(string HeadingKey, IReadOnlyList<Source> Sources)> SourceGroups(EvaluationResult result)
    {
        static string Group(Source s) => s.Kind switch
        {
            "terminology" => "page.heading.sourcesCuration",
            _ when s.Url is { } url && SourceHost.HostOf(url) is "github.com" => "page.heading.sourcesCuration",
            "regulatory" or "report" => "page.heading.sourcesRegulatory",
            _ => "page.heading.sourcesClinical",
        };
        var sources = Sources(result);
        return
        [
            .. SourceGroupKeys
                .Select(key => (key, (IReadOnlyList<Source>)[.. sources.Where(s => Group(s) == key)]))
                .Where(g => g.Item2.Count > 0),
        ];
    }

    private static readonly string[] SourceGroupKeys = ["page.heading.sourcesClinical", "page.heading.sourcesRegulatory", "page.heading.sourcesCuration"];

    /// <summary>The issuers of the options, in store order: the columns of the untried-options table.</summary>
    public static IReadOnlyList<string> Issuers(IEnumerable<ConventionalOption> options) => [.. options.Select(o => o.Issuer).Distinct(StringComparer.Ordinal)];

    /// <summary>A number as the page prints it: invariant, at most two decimals, a real minus sign.</summary>
    public static string Number(double value) =>
        value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture).Replace("-", "\u2212", StringComparison.Ordinal);

    /// <summary>Links for a source: DOI, PubMed and the canonical URL, each once.</summary>
    public static IReadOnlyList<(string Label, string Url)> Links(Source source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var links = new List<(string Label, string Url)>();
        if (source.Doi is { } doi)
        {
            links.Add(("doi:" + doi, "https://doi.org/" + doi));
        }

        if (source.Pmid is { } pmid)
        {
            links.Add(("PubMed " + pmid, $"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"));
        }

        if (source.Url is { } url && links.TrueForAll(l => l.Url != url))
        {
            links.Add((new Uri(url).Host, url));
        }

        return links;
    }
}
