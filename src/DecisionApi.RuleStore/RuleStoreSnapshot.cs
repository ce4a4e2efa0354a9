using System.Collections.Frozen;
using System.Globalization;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Storage;

namespace DecisionApi.RuleStore;

/// <summary>The verified store, loaded once and held in memory; evaluation never touches the file again.</summary>
public sealed class RuleStoreSnapshot
{
    private RuleStoreSnapshot(StoreContent content)
    {
        Version = Required(content, Vocab.MetadataKeys.Version);
        ReleasedOn = Required(content, Vocab.MetadataKeys.ReleasedOn);
        ReviewedOn = content.MetadataValue(Vocab.MetadataKeys.ReviewedOn);
        ReviewIntervalMonths = int.TryParse(content.MetadataValue(Vocab.MetadataKeys.ReviewIntervalMonths), NumberStyles.None, CultureInfo.InvariantCulture, out var months) ? months : 0;
        SourceHosts = SourceHost.Parse(content.MetadataValue(Vocab.MetadataKeys.SourceHosts));
        ContentHash = Required(content, Vocab.MetadataKeys.ContentHash);
        Metadata = content.Metadata.ToFrozenDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
        // A text may name a profile bound ({age.min}, {bmi.max}, ...): filled here, once, from the store's own bounds.
        Bounds = ProfileBounds.From(content.ProfileBounds);
        Texts = content.Texts.ToFrozenDictionary(t => t.Key, t => new Localized(Bounds.Fill(t.En), Bounds.Fill(t.Zh)), StringComparer.Ordinal);

        Sources = [.. content.Sources.Select(s => new Source(s.Id, s.Citation, (int)s.Year, s.Kind, s.Verification, s.Pmid, s.Doi, s.Url, s.ReviewedOn, s.ReviewDue))];
        SourcesById = Sources.ToFrozenDictionary(s => s.Id, StringComparer.Ordinal);

        var mappings = content.CodeMappings
            .GroupBy(m => (m.GroupKind, m.GroupKey))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<CodeMapping>)[.. g.OrderBy(m => m.Ordinal).Select(m => new CodeMapping(m.System, m.Code, m.Display, m.Verification))]);
        IReadOnlyList<VocabularyEntry> Vocabulary(string kind) =>
        [
            .. content.Vocabulary.Where(v => v.Kind == kind).OrderBy(v => v.Ordinal)
                .Select(v => new VocabularyEntry(v.Code, v.Category, new Localized(v.LabelEn, v.LabelZh), mappings.GetValueOrDefault((kind, v.Code), []))),
        ];
        Treatments = Vocabulary("treatment");
        Conditions = Vocabulary("condition");
        TreatmentsByCode = Treatments.ToFrozenDictionary(t => t.Code, StringComparer.Ordinal);
        ConditionsByCode = Conditions.ToFrozenDictionary(c => c.Code, StringComparer.Ordinal);
        FhirCodeGroups = mappings.Where(m => m.Key.GroupKind == "fhir").ToFrozenDictionary(m => m.Key.GroupKey, m => m.Value, StringComparer.Ordinal);

        var sourcesByStatement = content.StatementSources.GroupBy(s => s.StatementId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<Source>)[.. g.OrderBy(s => s.Ordinal).Select(s => SourceOrThrow(s.SourceId, g.Key))]);
        var effectsByStatement = content.Effects.GroupBy(e => e.StatementId).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<StoreEffect>)[.. g.OrderBy(e => e.Ordinal).Select(e => new StoreEffect(e, e.SourceId is { } id ? SourcesById.GetValueOrDefault(id) : null))],
            StringComparer.Ordinal);
        Statements = [.. content.Statements.OrderBy(s => s.Kind, StringComparer.Ordinal).ThenBy(s => s.Ordinal)
            .Select(s => new Statement(s, sourcesByStatement.GetValueOrDefault(s.Id, [])) { Effects = effectsByStatement.GetValueOrDefault(s.Id, []) })];
        EffectRows = content.Effects;
        var statementsById = Statements.ToDictionary(s => s.Id, StringComparer.Ordinal);

        var conditionsByRule = content.RuleConditions.GroupBy(c => c.RuleId).ToDictionary(g => g.Key, g => g.ToList());
        Rules =
        [
            .. content.Rules.OrderBy(r => r.Ordinal).Select(r => new Rule(
                r.Id, r.Kind, (int)r.Ordinal,
                statementsById.TryGetValue(r.StatementId, out var statement)
                    ? statement
                    : throw new InvalidDataException($"rule {r.Id} selects unknown statement {r.StatementId}"),
                [
                    .. conditionsByRule.GetValueOrDefault(r.Id, []).GroupBy(c => c.Clause).OrderBy(g => g.Key)
                        .Select(g => (IReadOnlyList<Condition>)[.. g.OrderBy(c => c.Ordinal).Select(ToCondition)]),
                ])),
        ];
        RulesById = Rules.ToFrozenDictionary(r => r.Id, StringComparer.Ordinal);
        Recognition =
        [
            .. content.Recognition.OrderBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Ordinal).Select(r => new RecognitionEntry(
                r.Kind, r.Treatment, r.TopicalTreatment, r.System, r.Code, r.Term, r.Display,
                SourcesById.TryGetValue(r.SourceId, out var source)
                    ? source
                    : throw new InvalidDataException($"recognition {r.Kind} '{r.Code ?? r.Term}' cites unknown source '{r.SourceId}'"),
                r.Verification)),
        ];
        BoundRows = content.ProfileBounds;
        KnownJurisdictions = Rules.SelectMany(r => r.Clauses).SelectMany(c => c)
            .Where(c => c.Field == Vocab.Fields.Jurisdiction).SelectMany(c => c.Codes).ToFrozenSet(StringComparer.Ordinal);
    }

    public string Version { get; }

    /// <summary>Where source URLs may point (the lint checks every source against it).</summary>
    public IReadOnlyList<SourceHost> SourceHosts { get; }
    public string ReleasedOn { get; }
    public string? ReviewedOn { get; }

    /// <summary>Months after an item's reviewedOn when it falls due, unless the item gives its own date.</summary>
    public int ReviewIntervalMonths { get; }

    /// <summary>
    /// The store's review state on <paramref name="asOf"/>: every statement and source whose review-due date has passed,
    /// and the next date one falls due. Only dates are compared; the content is the same whatever the day.
    /// </summary>
    public ReviewState Review(DateOnly asOf)
    {
        var items = Statements.Select(s => (Id: s.Id, Due: s.Row.ReviewDue))
            .Concat(Sources.Select(s => (Id: "source " + s.Id, Due: s.ReviewDue)))
            .Select(i => (i.Id, Due: DateOnly.TryParseExact(i.Due, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : (DateOnly?)null))
            .Where(i => i.Due is not null)
            .ToList();
        var pastDue = items.Where(i => i.Due < asOf).OrderBy(i => i.Due).ThenBy(i => i.Id, StringComparer.Ordinal).Select(i => i.Id).ToList();
        var next = items.Where(i => i.Due >= asOf).Select(i => i.Due).Min();
        return new ReviewState(
            asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ReviewedOn, ReviewIntervalMonths,
            next?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), pastDue.Count, pastDue);
    }
    public string ContentHash { get; }
    public FrozenDictionary<string, string> Metadata { get; }
    public FrozenDictionary<string, Localized> Texts { get; }
    public IReadOnlyList<Source> Sources { get; }
    public FrozenDictionary<string, Source> SourcesById { get; }
    public IReadOnlyList<VocabularyEntry> Treatments { get; }
    public IReadOnlyList<VocabularyEntry> Conditions { get; }
    public FrozenDictionary<string, VocabularyEntry> TreatmentsByCode { get; }
    public FrozenDictionary<string, VocabularyEntry> ConditionsByCode { get; }
    /// <summary>Code groups used to read FHIR data (e.g. <c>kneeOsteoarthritis</c>, <c>klGradeObservation</c>, <c>mscOrder</c>).</summary>
    public FrozenDictionary<string, IReadOnlyList<CodeMapping>> FhirCodeGroups { get; }
    public IReadOnlyList<Statement> Statements { get; }

    /// <summary>Every effect row as stored (the lint checks that each belongs to an evidence item).</summary>
    public IReadOnlyList<EffectRow> EffectRows { get; }
    /// <summary>All rules in evaluation order.</summary>
    public IReadOnlyList<Rule> Rules { get; }
    public FrozenDictionary<string, Rule> RulesById { get; }
    /// <summary>How prior treatments are recognised in FHIR charts (codes, classes, names, dose-form words), in store order.</summary>
    public IReadOnlyList<RecognitionEntry> Recognition { get; }
    /// <summary>The bounds of the numeric profile fields (age, KL grade, BMI).</summary>
    public ProfileBounds Bounds { get; }

    /// <summary>The bound rows as stored (the lint checks that there is one per numeric field and no other).</summary>
    public IReadOnlyList<ProfileBoundRow> BoundRows { get; }

    /// <summary>Jurisdictions that at least one rule names.</summary>
    public FrozenSet<string> KnownJurisdictions { get; }

    public Localized Text(string key) =>
        Texts.TryGetValue(key, out var text) ? text : throw new KeyNotFoundException($"The rule store has no text '{key}'.");

    /// <summary>Reads, verifies and lints the store at <paramref name="path"/>.</summary>
    /// <exception cref="RuleStoreException">The store is missing, corrupt, of another schema, altered or fails the lint.</exception>
    public static RuleStoreSnapshot Load(string path)
    {
        var content = StoreFile.Read(path);
        var fullPath = Path.GetFullPath(path);
        var stored = content.MetadataValue(Vocab.MetadataKeys.ContentHash);
        var computed = DecisionApi.RuleStore.Content.ContentHash.Compute(content);
        if (stored != computed)
        {
            throw new RuleStoreException(fullPath, $"content hash mismatch (recorded {stored ?? "none"}, computed {computed}); the file was changed after it was compiled");
        }

        return FromContent(content, fullPath);
    }

    /// <summary>Builds and lints a snapshot from rows already in memory (the compiler uses this before writing).</summary>
    public static RuleStoreSnapshot FromContent(StoreContent content, string origin)
    {
        RuleStoreSnapshot snapshot;
        try
        {
            snapshot = new RuleStoreSnapshot(content);
        }
        catch (Exception exception) when (exception is InvalidDataException or KeyNotFoundException or ArgumentException)
        {
            throw new RuleStoreException(origin, $"content is inconsistent ({exception.Message})", exception);
        }

        var problems = StoreLint.Check(snapshot);
        if (problems.Count > 0)
        {
            var more = problems.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $" (and {problems.Count - 1} more)") : "";
            throw new RuleStoreException(origin, $"content fails the lint: {problems[0]}{more}") { LintProblems = problems };
        }

        return snapshot;
    }

    private static string Required(StoreContent content, string key) =>
        content.MetadataValue(key) ?? throw new InvalidDataException($"metadata '{key}' is missing");

    private Source SourceOrThrow(string sourceId, string statementId) =>
        SourcesById.TryGetValue(sourceId, out var source)
            ? source
            : throw new InvalidDataException($"statement {statementId} cites unknown source {sourceId}");

    private static Condition ToCondition(RuleConditionRow row) => new(
        row.Field, row.Op, row.Value, row.Min, row.Max,
        string.IsNullOrEmpty(row.Codes) ? [] : row.Codes.Split(','));
}

/// <summary>Whether the store's evidence is current: what is past its review-due date on a given day.</summary>
/// <param name="AsOf">The day the state was computed for (UTC).</param>
/// <param name="ReviewedOn">When the store's content was last reviewed as a whole.</param>
/// <param name="IntervalMonths">Default months between reviews of an item (living reviews are due sooner).</param>
/// <param name="NextDue">The next review-due date on or after <paramref name="AsOf"/>; null when none.</param>
/// <param name="PastDueCount">How many statements and sources are past their review-due date.</param>
/// <param name="PastDue">Their ids, earliest due first (sources prefixed "source ").</param>
public sealed record ReviewState(string AsOf, string? ReviewedOn, int IntervalMonths, string? NextDue, int PastDueCount, IReadOnlyList<string> PastDue);
