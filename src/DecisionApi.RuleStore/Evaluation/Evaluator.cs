using System.Globalization;
using System.Runtime.CompilerServices;
using DecisionApi.RuleStore.Content;

namespace DecisionApi.RuleStore.Evaluation;

/// <summary>Evaluates a profile against the in-memory snapshot. Pure: no I/O, no clock, thread-safe.</summary>
public sealed class Evaluator(RuleStoreSnapshot store, string defaultJurisdiction)
{
    private readonly RuleStoreInfo storeInfo = new(store.Version, store.ReleasedOn, store.ContentHash);

    // Items that depend only on the rule and the language (and, for an option, whether it was tried) are built once and
    // shared by every answer: no per-request allocation, and a serializer can encode each of them once.
    // Every rule's conditions with field and operator resolved and their words for the trace, built once (parallel to
    // store.Rules).
    private readonly CompiledRule[] compiled = [.. store.Rules.Select(rule => new CompiledRule(rule))];

    // Indexed by Slot(rule index, language, tried).
    private readonly object?[] shared = Share(store);

    private static int Slot(int ruleIndex, Language language, bool tried) => (ruleIndex * 4) + ((int)language * 2) + (tried ? 1 : 0);

    private static object?[] Share(RuleStoreSnapshot store)
    {
        var items = new object?[store.Rules.Count * 4];
        for (var index = 0; index < store.Rules.Count; index++)
        {
            var rule = store.Rules[index];
            foreach (var language in (Language[])[Language.En, Language.Zh])
            {
                var statement = rule.Statement;
                var row = statement.Row;
                var text = statement.Text.In(language);
                switch (rule.Kind)
                {
                    case Vocab.Kinds.AssessmentNote:
                        items[Slot(index, language, false)] = new AssessmentNote(row.Id, text, rule.Id, statement.Sources);
                        break;
                    case Vocab.Kinds.Caveat:
                        items[Slot(index, language, false)] = new CaveatItem(row.Id, row.Severity!, row.Issuer!, text, rule.Id, statement.Sources);
                        break;
                    case Vocab.Kinds.Safety:
                        items[Slot(index, language, false)] = new SafetyItem(row.Id, text, rule.Id, statement.Sources);
                        break;
                    case Vocab.Kinds.ClaimCheck:
                        items[Slot(index, language, false)] = new ClaimCheckItem(row.Id, statement.Claim.In(language), text, row.Verdict!, rule.Id, statement.Sources);
                        break;
                    case Vocab.Kinds.Option:
                        var treatment = store.TreatmentsByCode[row.Treatment!];
                        foreach (var tried in (bool[])[false, true])
                        {
                            items[Slot(index, language, tried)] = new ConventionalOption(
                                row.Id, treatment.Code, treatment.Label.In(language), text, row.Strength!, row.IssuerGrade, row.Issuer!,
                                tried, rule.Id, statement.Sources);
                        }

                        break;
                }
            }
        }

        return items;
    }

    /// <summary>Whether an assessment rule matches the profile (the store's lint asks this of every profile class).</summary>
    public bool HasAssessment(PatientProfile profile) => Assess(new ProfileFacts(profile, profile.Jurisdiction ?? defaultJurisdiction), null) is not null;

    /// <param name="profile">The patient profile.</param>
    /// <param name="language">Text language.</param>
    /// <param name="withTrace">Build the trace of every rule; a caller that shows no trace (the CDS card) skips its cost
    /// and gets an empty one.</param>
    public EvaluationResult Evaluate(PatientProfile profile, Language language, bool withTrace = true)
    {
        var facts = new ProfileFacts(profile, profile.Jurisdiction ?? defaultJurisdiction);
        var trace = withTrace ? new List<TraceEntry>(store.Rules.Count) : null;

        var (assessmentRule, matchedClause) = Assess(facts, trace)
            ?? throw new InvalidOperationException("No assessment rule matched; the store's lint guarantees one always does.");
        facts.Category = assessmentRule.Statement.Row.Category;

        var notes = new List<AssessmentNote>();
        var caveats = new List<CaveatItem>();
        var evidence = new List<EvidenceItem>();
        var safety = new List<SafetyItem>();
        var claimChecks = new List<ClaimCheckItem>();
        var options = new List<ConventionalOption>();
        var auditRules = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[1024]);
        auditRules.AppendFormatted(assessmentRule.Id);

        for (var index = 0; index < store.Rules.Count; index++)
        {
            var rule = store.Rules[index];
            if (rule.Kind == Vocab.Kinds.Assessment || !Matches(index, facts, trace))
            {
                continue;
            }

            if (!rule.IsUnconditional)
            {
                auditRules.AppendLiteral(",");
                auditRules.AppendFormatted(rule.Id);
            }

            switch (rule.Kind)
            {
                case Vocab.Kinds.AssessmentNote:
                    notes.Add((AssessmentNote)shared[Slot(index, language, false)]!);
                    break;
                case Vocab.Kinds.Caveat:
                    caveats.Add((CaveatItem)shared[Slot(index, language, false)]!);
                    break;
                case Vocab.Kinds.Evidence:
                    var row = rule.Statement.Row;
                    evidence.Add(new EvidenceItem(
                        row.Id, row.Topic!, rule.Statement.Text.In(language), row.Certainty!, row.Direction!, Applicability(row, facts, language), rule.Id, rule.Statement.Sources));
                    break;
                case Vocab.Kinds.Safety:
                    safety.Add((SafetyItem)shared[Slot(index, language, false)]!);
                    break;
                case Vocab.Kinds.ClaimCheck:
                    claimChecks.Add((ClaimCheckItem)shared[Slot(index, language, false)]!);
                    break;
                case Vocab.Kinds.Option:
                    options.Add((ConventionalOption)shared[Slot(index, language, facts.PriorTreatments.Contains(rule.Statement.Row.Treatment!))]!);
                    break;
            }
        }

        var assessmentRow = assessmentRule.Statement.Row;
        var assessment = new AssessmentResult(
            assessmentRow.Category!,
            assessmentRule.Statement.Headline.In(language),
            FillConditions(assessmentRule.Statement.Text.In(language), matchedClause, facts, language),
            assessmentRule.Id,
            notes,
            assessmentRule.Statement.Sources);

        return new EvaluationResult(assessment, caveats, evidence, safety, claimChecks, options, Inputs(profile, facts, language), trace ?? [], storeInfo)
        {
            AuditRules = auditRules.ToStringAndClear(),
        };
    }

    private (Rule Rule, IReadOnlyList<Condition> Clause)? Assess(ProfileFacts facts, List<TraceEntry>? trace)
    {
        for (var index = 0; index < store.Rules.Count; index++)
        {
            var rule = store.Rules[index];
            if (rule.Kind != Vocab.Kinds.Assessment)
            {
                continue;
            }

            if (Matches(index, facts, trace))
            {
                var clause = compiled[index].FirstHoldingClause(facts);
                return (rule, clause < 0 ? [] : rule.Clauses[clause]);
            }
        }

        return null;
    }

    private bool Matches(int index, ProfileFacts facts, List<TraceEntry>? trace)
    {
        var rule = store.Rules[index];
        var clauses = compiled[index].Clauses;
        if (trace is null)
        {
            return rule.IsUnconditional || compiled[index].FirstHoldingClause(facts) >= 0;
        }

        var conditions = new List<TraceCondition>(compiled[index].ConditionCount);
        var matched = rule.IsUnconditional;
        for (var clauseIndex = 0; clauseIndex < clauses.Length; clauseIndex++)
        {
            var clauseHolds = true;
            foreach (var condition in clauses[clauseIndex])
            {
                var holds = condition.Holds(facts);
                clauseHolds &= holds;
                conditions.Add(new TraceCondition(clauseIndex + 1, condition.FieldName, condition.Expected, facts.Actual(condition.Field), holds));
            }

            matched |= clauseHolds;
        }

        trace.Add(new TraceEntry(rule.Id, rule.Kind, matched, conditions) { Shape = compiled[index].Shape });
        return matched;
    }

    /// <summary>Fills <c>{conditions}</c> with the labels of the profile's conditions that made the clause hold.</summary>
    private string FillConditions(string template, IReadOnlyList<Condition> clause, ProfileFacts facts, Language language)
    {
        if (!template.Contains("{conditions}", StringComparison.Ordinal))
        {
            return template;
        }

        var labels = clause
            .Where(c => c.Field == Vocab.Fields.Conditions && c.Op == Vocab.Ops.IncludesAny)
            .SelectMany(c => c.Codes.Where(facts.Conditions.Contains))
            .Distinct(StringComparer.Ordinal)
            .Select(code => store.ConditionsByCode[code].Label.In(language));
        return template.Replace("{conditions}", string.Join(store.Text("list.separator").In(language), labels), StringComparison.Ordinal);
    }

    private string Applicability(StatementRow row, ProfileFacts facts, Language language)
    {
        var ranges = new List<string>();
        var inside = true;
        if (row.KlMin is { } klMin && row.KlMax is { } klMax)
        {
            ranges.Add(Format("population.klGrade", language, ("min", klMin), ("max", klMax)));
            inside &= facts.KlGrade >= klMin && facts.KlGrade <= klMax;
        }

        if (row.AgeMin is { } ageMin && row.AgeMax is { } ageMax)
        {
            ranges.Add(Format("population.age", language, ("min", ageMin), ("max", ageMax)));
            inside &= facts.Age >= ageMin && facts.Age <= ageMax;
        }

        if (ranges.Count == 0)
        {
            return store.Text("applicability.unreported").In(language);
        }

        var profileSummary = Format("profile.summary", language, ("klGrade", (object?)facts.KlGrade ?? "?"), ("age", (object?)facts.Age ?? "?"));
        return Format(inside ? "applicability.inside" : "applicability.outside", language,
            ("population", string.Join(store.Text("list.separator").In(language), ranges)), ("profile", profileSummary));
    }

    private EvaluationInputs Inputs(PatientProfile profile, ProfileFacts facts, Language language)
    {
        var defaulted = new Dictionary<string, string>();
        var unknown = new List<string>();
        var notes = new List<string>();

        if (profile.Jurisdiction is null)
        {
            defaulted["jurisdiction"] = facts.Jurisdiction;
            notes.Add(Format("inputs.jurisdictionDefaulted", language, ("jurisdiction", facts.Jurisdiction)));
        }

        if (!store.KnownJurisdictions.Contains(facts.Jurisdiction))
        {
            notes.Add(Format("inputs.jurisdictionUncurated", language, ("jurisdiction", facts.Jurisdiction)));
        }

        if (profile.Age is null)
        {
            unknown.Add("age");
        }

        if (profile.KlGrade is null)
        {
            unknown.Add("klGrade");
        }

        if (profile.Bmi is null)
        {
            unknown.Add("bmi");
            notes.Add(store.Text("inputs.bmiMissing").In(language));
        }

        if (profile.Conditions is null)
        {
            unknown.Add("conditions");
            notes.Add(store.Text("inputs.conditionsMissing").In(language));
        }

        var duplicates = profile.PriorTreatments.Concat(profile.Conditions ?? [])
            .GroupBy(code => code, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            notes.Add(Format("inputs.duplicatesFolded", language, ("codes", string.Join(", ", duplicates))));
        }

        var used = new UsedInputs(facts.Age, facts.KlGrade, facts.PriorTreatments, facts.Bmi, facts.Conditions, facts.Jurisdiction);
        return new EvaluationInputs(used, defaulted, unknown, notes);
    }

    private string Format(string key, Language language, params (string Name, object Value)[] values)
    {
        var text = store.Text(key).In(language);
        foreach (var (name, value) in values)
        {
            text = text.Replace("{" + name + "}", Convert.ToString(value, CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        return text;
    }
}
