namespace DecisionApi.RuleStore.Content;

public enum Language
{
    En,
    Zh,
}

/// <summary>A text in every language the store carries.</summary>
public readonly record struct Localized(string En, string Zh)
{
    public string In(Language language) => language == Language.Zh ? Zh : En;
}

/// <summary>A citation behind one or more statements.</summary>
/// <param name="Id">Stable identifier, e.g. <c>mautner-2023</c>.</param>
/// <param name="Citation">Bibliographic citation.</param>
/// <param name="Year">Publication year.</param>
/// <param name="Kind">guideline, systematic-review, meta-analysis, rct, cohort, case-series, consensus, regulatory, report or terminology (a code-system or value-set page used to read charts).</param>
/// <param name="Verification"><c>verified</c>: read in the source itself; <c>secondary</c>: seen only in a secondary transcription or news report, treat as provisional.</param>
/// <param name="Pmid">PubMed identifier, when known.</param>
/// <param name="Doi">Digital Object Identifier, when known.</param>
/// <param name="Url">Canonical URL (doi.org, PubMed, PMC or the regulator's own page).</param>
/// <param name="ReviewedOn">Date the curators last checked this source.</param>
/// <param name="ReviewDue">Date the source is due for its next review (living reviews sooner).</param>
public sealed record Source(
    string Id, string Citation, int Year, string Kind, string Verification, string? Pmid, string? Doi, string? Url, string? ReviewedOn,
    string? ReviewDue = null);

/// <summary>A host a source URL may point at (source-hosts.yaml).</summary>
/// <param name="Host">Lower-case host name without "www.".</param>
/// <param name="Use">canonical, or secondary (only for sources marked secondary).</param>
/// <param name="Kinds">The source kinds that may use the host; empty for any.</param>
public sealed record SourceHost(string Host, string Use, IReadOnlyList<string> Kinds)
{
    /// <summary>The allowlist as stored in the metadata row: one "host|use|kind,kind" line per host, sorted.</summary>
    public static string Serialize(IEnumerable<SourceHost> hosts) =>
        string.Join('\n', hosts.OrderBy(h => h.Host, StringComparer.Ordinal).Select(h => $"{h.Host}|{h.Use}|{string.Join(',', h.Kinds)}"));

    public static IReadOnlyList<SourceHost> Parse(string? stored) =>
    [
        .. (stored ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('|'))
            .Where(parts => parts.Length == 3)
            .Select(parts => new SourceHost(parts[0], parts[1], parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries))),
    ];

    /// <summary>
    /// The allowlist entry for a URL: an entry with a path ("github.com/owner/repo/") covers the URLs under that path and
    /// wins over the entry for its host; otherwise the entry for the host itself.
    /// </summary>
    public static SourceHost? Match(IEnumerable<SourceHost> hosts, string url)
    {
        var host = HostOf(url);
        if (host is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var hostAndPath = host + uri.AbsolutePath.ToLowerInvariant();
        SourceHost? exact = null;
        SourceHost? scoped = null;
        foreach (var entry in hosts)
        {
            if (entry.Host == host)
            {
                exact = entry;
            }
            else if (entry.Host.Contains('/', StringComparison.Ordinal)
                && hostAndPath.StartsWith(entry.Host, StringComparison.Ordinal)
                && (scoped is null || entry.Host.Length > scoped.Host.Length))
            {
                scoped = entry;
            }
        }

        return scoped ?? exact;
    }

    /// <summary>The host of a URL as the allowlist names it: lower case, without a leading "www.".</summary>
    public static string? HostOf(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? (uri.Host.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? uri.Host[4..] : uri.Host).ToLowerInvariant()
            : null;
}

/// <summary>A code that identifies a concept in FHIR data.</summary>
/// <param name="System">Code system URI.</param>
/// <param name="Code">The code.</param>
/// <param name="Display">Human-readable display.</param>
/// <param name="Verification">Whether the mapping was verified in a primary source or seen only in a secondary one.</param>
public sealed record CodeMapping(string System, string Code, string Display, string Verification);

public sealed record VocabularyEntry(string Code, string? Category, Localized Label, IReadOnlyList<CodeMapping> Codes);

public sealed record Statement(StatementRow Row, IReadOnlyList<Source> Sources)
{
    /// <summary>The structured effects (summary of findings) of an evidence item, in store order; empty for other kinds.</summary>
    public IReadOnlyList<StoreEffect> Effects { get; init; } = [];

    public string Id => Row.Id;
    public string Kind => Row.Kind;
    public Localized Text => new(Row.TextEn, Row.TextZh);
    public Localized Headline => new(Row.HeadlineEn ?? "", Row.HeadlineZh ?? "");
    public Localized Claim => new(Row.ClaimEn ?? "", Row.ClaimZh ?? "");
}

public sealed record Condition(string Field, string Op, double? Value, double? Min, double? Max, IReadOnlyList<string> Codes);

/// <summary>A rule selects its statement when any clause holds; a clause holds when all its conditions hold.</summary>
public sealed record Rule(string Id, string Kind, int Ordinal, Statement Statement, IReadOnlyList<IReadOnlyList<Condition>> Clauses)
{
    public bool IsUnconditional => Clauses.Count == 0;
}

/// <summary>One curated way to recognise a prior treatment in FHIR data, with the source that shows it.</summary>
/// <param name="Kind">medication-code, medication-class, medication-name, topical-form, activity-code or activity-term.</param>
/// <param name="Treatment">The treatment recognised (null for a topical-form word).</param>
/// <param name="TopicalTreatment">For a medication whose form decides the treatment: the treatment when the form is topical.</param>
/// <param name="System">Code system URI (codes and classes).</param>
/// <param name="Code">The code, or the class prefix.</param>
/// <param name="Term">The word or phrase matched in text.</param>
/// <param name="Display">Human-readable display of the code or class.</param>
/// <param name="Source">Where the code, class or name was found.</param>
/// <param name="Verification">verified or secondary.</param>
public sealed record RecognitionEntry(
    string Kind, string? Treatment, string? TopicalTreatment, string? System, string? Code, string? Term, string? Display, Source Source, string Verification);

/// <summary>One outcome of an evidence item's summary of findings, as curated (both languages).</summary>
/// <param name="Row">The stored row.</param>
/// <param name="Source">The source the effect was read in; null when the row names no source or an unknown one (the lint reports it).</param>
public sealed record StoreEffect(EffectRow Row, Source? Source)
{
    public Localized Comparator => new(Row.ComparatorEn, Row.ComparatorZh);
    public Localized FollowUp => new(Row.FollowUpEn, Row.FollowUpZh);
    public Localized Scale => new(Row.ScaleEn, Row.ScaleZh);
    public Localized Reading => new(Row.ReadingEn, Row.ReadingZh);
}

/// <summary>The accepted range of one numeric profile field (inclusive) and its step (1: whole numbers).</summary>
public sealed record ProfileBound(string Field, double Min, double Max, double Step)
{
    public bool Contains(double value) => value >= Min && value <= Max;

    /// <summary>The bound as whole numbers (age, KL grade).</summary>
    public int IntMin => (int)Math.Ceiling(Min);

    public int IntMax => (int)Math.Floor(Max);

    public bool IsWhole => Step == 1 && Min == Math.Floor(Min) && Max == Math.Floor(Max);
}

/// <summary>
/// The bounds of a profile, held once in the store (<c>store.yaml</c> <c>profileBounds</c>): the request validator, the
/// OpenAPI document, the evidence page's form, the chart reader, the lint and the compiler's --diff all read them here.
/// </summary>
public sealed record ProfileBounds(ProfileBound Age, ProfileBound KlGrade, ProfileBound Bmi)
{
    public IEnumerable<ProfileBound> All => [Age, KlGrade, Bmi];

    public ProfileBound? Of(string field) => All.FirstOrDefault(b => b.Field == field);

    /// <summary>The text with every <c>{field.min}</c>, <c>{field.max}</c> and <c>{field.step}</c> replaced by the bound
    /// (e.g. <c>{age.min}</c> → 18), so a store text that states a bound never restates it.</summary>
    public string Fill(string text)
    {
        if (string.IsNullOrEmpty(text) || !text.Contains('{', StringComparison.Ordinal))
        {
            return text;
        }

        foreach (var bound in All)
        {
            text = text
                .Replace("{" + bound.Field + ".min}", bound.Min.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{" + bound.Field + ".max}", bound.Max.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{" + bound.Field + ".step}", bound.Step.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>Reads the rows; a missing field is inconsistent content.</summary>
    public static ProfileBounds From(IReadOnlyList<ProfileBoundRow> rows)
    {
        ProfileBound Bound(string field) => rows.FirstOrDefault(r => r.Field == field) is { } row
            ? new ProfileBound(field, row.Min, row.Max, row.Step)
            : throw new InvalidDataException($"the profile bound of '{field}' is missing (store.yaml profileBounds)");
        return new ProfileBounds(Bound(Vocab.Fields.Age), Bound(Vocab.Fields.KlGrade), Bound(Vocab.Fields.Bmi));
    }
}
