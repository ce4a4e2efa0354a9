using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;

namespace DecisionApi.StoreCompiler;

/// <summary>A change in outcome shared by a number of profile classes, with one example profile.</summary>
public sealed record OutcomeChange(string What, int Profiles, string Example);

/// <summary>What changed between two stores: content, and the profiles whose outcome changes.</summary>
public sealed record StoreDiffReport(
    IReadOnlyList<string> Statements, IReadOnlyList<string> Sources, IReadOnlyList<string> Rules, int ProfilesCompared, string ProfileSpace,
    IReadOnlyList<OutcomeChange> CategoryChanges, IReadOnlyList<OutcomeChange> ItemChanges)
{
    /// <summary>Profile bounds changed (store.yaml profileBounds): what the validator, the OpenAPI document, the page form
    /// and the chart reader accept.</summary>
    public IReadOnlyList<string> Bounds { get; init; } = [];

    public string Render()
    {
        var text = new StringBuilder();
        void Section(string title, IReadOnlyList<string> lines)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{title}: {(lines.Count == 0 ? "no change" : lines.Count + " change(s)")}");
            foreach (var line in lines)
            {
                text.Append("  ").AppendLine(line);
            }
        }

        Section("statements", Statements);
        Section("sources", Sources);
        Section("rules", Rules);
        Section("profile bounds", Bounds);
        text.AppendLine(CultureInfo.InvariantCulture, $"profiles: {ProfilesCompared:N0} profile classes compared ({ProfileSpace})");
        text.AppendLine(CultureInfo.InvariantCulture, $"  category changes: {(CategoryChanges.Count == 0 ? "none" : CategoryChanges.Sum(c => c.Profiles).ToString("N0", CultureInfo.InvariantCulture) + " profile classes")}");
        foreach (var change in CategoryChanges)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {change.What}: {change.Profiles:N0} (e.g. {change.Example})");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  items gained or lost: {(ItemChanges.Count == 0 ? "none" : ItemChanges.Count + " item(s)")}");
        foreach (var change in ItemChanges)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {change.What}: {change.Profiles:N0} (e.g. {change.Example})");
        }

        return text.ToString();
    }
}

/// <summary>
/// Compares two stores (each a compiled file or a content folder): statements, sources and rules added, removed and
/// changed, and — over every profile class the rules of either store can tell apart — which profiles move from one
/// assessment category to another and which gain or lose an item. The classes come from the rules themselves: for
/// each numeric field the values on both sides of every threshold (and "not given"), for each code field every
/// combination of the groups of codes the rules treat alike, and every jurisdiction a rule names plus one none names.
/// </summary>
public static class StoreDiff
{
    private const int MaxCodeGroups = 8;

    public static StoreDiffReport Compare(RuleStoreSnapshot before, RuleStoreSnapshot after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var statements = Changes(
            before.Statements.ToDictionary(s => s.Id), after.Statements.ToDictionary(s => s.Id), StatementFields);
        var sources = Changes(
            before.Sources.ToDictionary(s => s.Id), after.Sources.ToDictionary(s => s.Id), SourceFields);
        var rules = Changes(before.Rules.ToDictionary(r => r.Id), after.Rules.ToDictionary(r => r.Id), RuleFields);

        var conditions = before.Rules.Concat(after.Rules).SelectMany(r => r.Clauses).SelectMany(c => c).ToList();
        // The profile space spans both stores' bounds, so profiles a changed bound admits or refuses are compared too.
        ProfileBound Span(Func<ProfileBounds, ProfileBound> field) => new(
            field(before.Bounds).Field, Math.Min(field(before.Bounds).Min, field(after.Bounds).Min),
            Math.Max(field(before.Bounds).Max, field(after.Bounds).Max), Math.Min(field(before.Bounds).Step, field(after.Bounds).Step));
        var ageSpan = Span(b => b.Age);
        var klSpan = Span(b => b.KlGrade);
        var ages = Numbers(conditions, ageSpan).Select(v => (int?)(int)v).Prepend(null).Distinct().ToList();
        var kls = Enumerable.Range(klSpan.IntMin, Math.Max(0, klSpan.IntMax - klSpan.IntMin + 1)).Select(k => (int?)k).Prepend(null).ToArray();
        var bmis = Numbers(conditions, Span(b => b.Bmi)).Select(v => (double?)v).Prepend(null).Distinct().ToList();
        var treatments = CodeSubsets(conditions, Vocab.Fields.PriorTreatments, before.Treatments.Concat(after.Treatments).Select(t => t.Code));
        var conditionSets = CodeSubsets(conditions, Vocab.Fields.Conditions, before.Conditions.Concat(after.Conditions).Select(c => c.Code))
            .Select(s => (IReadOnlyList<string>?)s).Prepend(null).ToList();
        // Jurisdictions named by exactly the same conditions are alike: one of each group, and one that no rule names.
        var jurisdictionConditions = conditions.Select((c, i) => (Condition: c, Index: i)).Where(c => c.Condition.Field == Vocab.Fields.Jurisdiction).ToList();
        var jurisdictions = jurisdictionConditions.SelectMany(c => c.Condition.Codes).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .GroupBy(code => string.Join(',', jurisdictionConditions.Where(c => c.Condition.Codes.Contains(code)).Select(c => c.Index)))
            .Select(g => g.First())
            .Append("XX")
            .ToList();

        var profiles = (
            from age in ages
            from kl in kls
            from bmi in bmis
            from treated in treatments
            from present in conditionSets
            from jurisdiction in jurisdictions
            select new PatientProfile(age, kl, treated, bmi, present, jurisdiction)).ToList();

        var oldEvaluator = new Evaluator(before, "US");
        var newEvaluator = new Evaluator(after, "US");
        var categories = new ConcurrentDictionary<string, (int Count, string Example)>();
        var items = new ConcurrentDictionary<string, (int Count, string Example)>();
        Parallel.ForEach(profiles, profile =>
        {
            var was = oldEvaluator.Evaluate(profile, Language.En, withTrace: false);
            var now = newEvaluator.Evaluate(profile, Language.En, withTrace: false);
            if (was.Assessment.Category != now.Assessment.Category)
            {
                Count(categories, $"{was.Assessment.Category} -> {now.Assessment.Category}", profile);
            }

            if (SameItems(was, now))
            {
                return;
            }

            var wasItems = Items(was);
            var nowItems = Items(now);
            foreach (var gained in nowItems.Except(wasItems))
            {
                Count(items, "+ " + gained, profile);
            }

            foreach (var lost in wasItems.Except(nowItems))
            {
                Count(items, "- " + lost, profile);
            }
        });

        var space = string.Create(CultureInfo.InvariantCulture,
            $"age {ages.Count} x KL {kls.Length} x BMI {bmis.Count} x prior treatments {treatments.Count} x conditions {conditionSets.Count} x jurisdictions {jurisdictions.Count}");
        return new StoreDiffReport(statements, sources, rules, profiles.Count, space, Sorted(categories), Sorted(items))
        {
            Bounds = BoundChanges(before.Bounds, after.Bounds),
        };
    }

    private static void Count(ConcurrentDictionary<string, (int Count, string Example)> counts, string key, PatientProfile profile) =>
        counts.AddOrUpdate(key, _ => (1, Describe(profile)), (_, existing) => (existing.Count + 1, existing.Example));

    private static List<OutcomeChange> Sorted(ConcurrentDictionary<string, (int Count, string Example)> counts) =>
        [.. counts.OrderByDescending(c => c.Value.Count).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => new OutcomeChange(c.Key, c.Value.Count, c.Value.Example))];

    private static string Describe(PatientProfile p) => string.Create(CultureInfo.InvariantCulture,
        $"age {p.Age?.ToString(CultureInfo.InvariantCulture) ?? "not given"}, KL {p.KlGrade?.ToString(CultureInfo.InvariantCulture) ?? "not given"}, BMI {p.Bmi?.ToString(CultureInfo.InvariantCulture) ?? "not given"}, treatments [{string.Join(", ", p.PriorTreatments)}], conditions {(p.Conditions is null ? "not given" : "[" + string.Join(", ", p.Conditions) + "]")}, jurisdiction {p.Jurisdiction}");

    /// <summary>The cheap check first: the same items in the same order (most profiles, for most changes).</summary>
    private static bool SameItems(EvaluationResult a, EvaluationResult b) =>
        a.Caveats.Select(c => c.Id).SequenceEqual(b.Caveats.Select(c => c.Id), StringComparer.Ordinal)
        && a.Evidence.Select(e => e.Id).SequenceEqual(b.Evidence.Select(e => e.Id), StringComparer.Ordinal)
        && a.Safety.Select(e => e.Id).SequenceEqual(b.Safety.Select(e => e.Id), StringComparer.Ordinal)
        && a.ClaimChecks.Select(e => e.Id).SequenceEqual(b.ClaimChecks.Select(e => e.Id), StringComparer.Ordinal)
        && a.ConventionalOptions.Select(e => (e.Id, e.Tried)).SequenceEqual(b.ConventionalOptions.Select(e => (e.Id, e.Tried)))
        && a.Assessment.Notes.Select(e => e.Id).SequenceEqual(b.Assessment.Notes.Select(e => e.Id), StringComparer.Ordinal);

    private static HashSet<string> Items(EvaluationResult result) =>
    [
        .. result.Caveats.Select(c => "caveat " + c.Id),
        .. result.Evidence.Select(e => "evidence " + e.Id),
        .. result.Safety.Select(s => "safety " + s.Id),
        .. result.ClaimChecks.Select(c => "claim check " + c.Id),
        .. result.ConventionalOptions.Select(o => "option " + o.Id + (o.Tried ? " (tried)" : "")),
        .. result.Assessment.Notes.Select(n => "note " + n.Id),
    ];

    /// <summary>Each bound that differs, as "~ age: 18 to 120 (step 1) -> 16 to 120 (step 1)".</summary>
    private static List<string> BoundChanges(ProfileBounds before, ProfileBounds after) =>
    [
        .. before.All.Zip(after.All).Where(pair => pair.First != pair.Second)
            .Select(pair => $"~ {pair.First.Field}: {Describe(pair.First)} -> {Describe(pair.Second)}"),
    ];

    private static string Describe(ProfileBound bound) =>
        string.Create(CultureInfo.InvariantCulture, $"{bound.Min} to {bound.Max} (step {bound.Step})");

    /// <summary>The values on both sides of every threshold the rules set on a numeric field, within its bounds.</summary>
    private static List<double> Numbers(List<Condition> conditions, ProfileBound bound)
    {
        var (field, step, min, max) = (bound.Field, bound.Step, bound.Min, bound.Max);
        var values = new SortedSet<double> { min, max };
        foreach (var condition in conditions.Where(c => c.Field == field))
        {
            switch (condition.Op)
            {
                case Vocab.Ops.Between:
                    values.UnionWith([condition.Min!.Value - step, condition.Min.Value, condition.Max!.Value, condition.Max.Value + step]);
                    break;
                case Vocab.Ops.AtLeast or Vocab.Ops.Below:
                    values.UnionWith([condition.Value!.Value - step, condition.Value.Value]);
                    break;
            }
        }

        return [.. values.Where(v => v >= min && v <= max).Select(v => Math.Round(v, 1))];
    }

    /// <summary>Every combination of the groups of codes that the rules treat alike (codes no rule names are left out).</summary>
    private static List<IReadOnlyList<string>> CodeSubsets(List<Condition> conditions, string field, IEnumerable<string> vocabulary)
    {
        var relevant = conditions.Select((c, i) => (Condition: c, Index: i)).Where(c => c.Condition.Field == field).ToList();
        var groups = vocabulary.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(code => (Code: code, Signature: string.Join(',', relevant.Where(c => c.Condition.Codes.Contains(code)).Select(c => c.Index))))
            .Where(c => c.Signature.Length > 0)
            .GroupBy(c => c.Signature)
            .Select(g => g.First().Code)
            .Take(MaxCodeGroups)
            .ToList();
        var subsets = new List<IReadOnlyList<string>>();
        for (var mask = 0; mask < 1 << groups.Count; mask++)
        {
            subsets.Add([.. groups.Where((_, i) => (mask & (1 << i)) != 0)]);
        }

        return subsets;
    }

    private static List<string> Changes<T>(Dictionary<string, T> before, Dictionary<string, T> after, Func<T, Dictionary<string, string>> fields)
    {
        var lines = new List<string>();
        lines.AddRange(after.Keys.Except(before.Keys).Order(StringComparer.Ordinal).Select(id => "+ " + id));
        lines.AddRange(before.Keys.Except(after.Keys).Order(StringComparer.Ordinal).Select(id => "- " + id));
        foreach (var id in before.Keys.Intersect(after.Keys).Order(StringComparer.Ordinal))
        {
            var was = fields(before[id]);
            var now = fields(after[id]);
            var changed = was.Keys.Union(now.Keys).Where(k => was.GetValueOrDefault(k) != now.GetValueOrDefault(k)).Order(StringComparer.Ordinal).ToList();
            if (changed.Count > 0)
            {
                lines.Add($"~ {id} ({string.Join(", ", changed)})");
            }
        }

        return lines;
    }

    private static Dictionary<string, string> StatementFields(Statement statement)
    {
        var fields = JsonSerializer.SerializeToElement(statement.Row).EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal);
        fields["Sources"] = string.Join(",", statement.Sources.Select(s => s.Id));
        if (statement.Effects.Count > 0)
        {
            // A changed estimate, interval, certainty or reading shows as a change of "Effects".
            fields["Effects"] = string.Join(" | ", statement.Effects.Select(e => JsonSerializer.Serialize(e.Row)));
        }

        return fields;
    }

    private static Dictionary<string, string> SourceFields(Source source) =>
        JsonSerializer.SerializeToElement(source).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal);

    private static Dictionary<string, string> RuleFields(Rule rule) => new(StringComparer.Ordinal)
    {
        ["kind"] = rule.Kind,
        ["statement"] = rule.Statement.Id,
        ["conditions"] = string.Join(" OR ", rule.Clauses.Select(clause =>
            string.Join(" AND ", clause.Select(c => $"{c.Field} {ConditionText.Expected(c)}")))),
    };
}
