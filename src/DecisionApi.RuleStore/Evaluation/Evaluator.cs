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
    private readonly CompiledRule[] compiled = Compile(store);

    // The rules a trace lists, by store index, for each assessment rule that can match (null for other rules): the
    // assessment rules evaluated — in store order up to the one that matched — then every other rule in store order.
    private readonly int[]?[] traceOrders = TraceOrders(store);

    private static int[]?[] TraceOrders(RuleStoreSnapshot store)
    {
        var rules = store.Rules;
        var others = Enumerable.Range(0, rules.Count).Where(index => rules[index].Kind != Vocab.Kinds.Assessment).ToArray();
        var orders = new int[]?[rules.Count];
        var assessed = new List<int>();
        for (var index = 0; index < rules.Count; index++)
        {
            if (rules[index].Kind == Vocab.Kinds.Assessment)
            {
                assessed.Add(index);
                orders[index] = [.. assessed, .. others];
            }
        }

        return orders;
    }

    // The profile fields some condition reads: the trace carries their values.
    private readonly FieldKind[] tracedFields =
        [.. store.Rules.SelectMany(rule => rule.Clauses).SelectMany(clause => clause).Select(c => CompiledCondition.KindOf(c.Field)).Distinct()];

    private static CompiledRule[] Compile(RuleStoreSnapshot store)
    {
        var rules = new CompiledRule[store.Rules.Count];
        var bit = 0;
        for (var index = 0; index < rules.Length; index++)
        {
            rules[index] = new CompiledRule(store.Rules[index], bit);
            bit += 1 + rules[index].ConditionCount;
        }

        return rules;
    }

    // Indexed by Slot(rule index, language, tried).
    private readonly object?[] shared = Share(store);

    // An evidence rule's enrolled population in words (KL grades, ages), or null when the sources do not report it;
    // indexed by Slot(rule index, language, false).
    private readonly string?[] populations = Populations(store);

    private static string?[] Populations(RuleStoreSnapshot store)
    {
        var items = new string?[store.Rules.Count * 4];
        for (var index = 0; index < store.Rules.Count; index++)
        {
            var row = store.Rules[index].Statement.Row;
            foreach (var language in (Language[])[Language.En, Language.Zh])
            {
                var ranges = new List<string>();
                if (row.KlMin is { } klMin && row.KlMax is { } klMax)
                {
                    ranges.Add(Format(store, "population.klGrade", language, ("min", klMin), ("max", klMax)));
                }

                if (row.AgeMin is { } ageMin && row.AgeMax is { } ageMax)
                {
                    ranges.Add(Format(store, "population.age", language, ("min", ageMin), ("max", ageMax)));
                }

                items[Slot(index, language, false)] = ranges.Count == 0 ? null : string.Join(store.Text("list.separator").In(language), ranges);
            }
        }

        return items;
    }

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
                    case Vocab.Kinds.Evidence:
                        // Everything but the applicability, which depends on the profile: each answer's item is a copy.
                        items[Slot(index, language, false)] = new EvidenceItem(row.Id, row.Topic!, text, row.Certainty!, row.Direction!, "", rule.Id, statement.Sources)
                        {
                            Effects = [.. statement.Effects.Select(e => Effect(e, language))],
                        };
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

    // A linted store has every field of an effect (estimate, CI, certainty, source).
    private static EffectEstimate Effect(StoreEffect effect, Language language) => new(
        effect.Row.Outcome, effect.Comparator.In(language), effect.FollowUp.In(language), effect.Row.Measure, effect.Row.Estimate!.Value,
        effect.Row.CiLower!.Value, effect.Row.CiUpper!.Value, effect.Scale.In(language), effect.Row.Mid, effect.Row.Certainty!,
        effect.Reading.In(language), effect.Source!.Id, effect.Row.Verification);

    /// <summary>Whether an assessment rule matches the profile (the store's lint asks this of every profile class).</summary>
    public bool HasAssessment(PatientProfile profile) => Assess(new ProfileFacts(profile, profile.Jurisdiction ?? defaultJurisdiction), null) is not null;

    /// <param name="profile">The patient profile.</param>
    /// <param name="language">Text language.</param>
    /// <param name="withTrace">Build the trace of every rule; a caller that shows no trace (the CDS card) skips its cost
    /// and gets an empty one.</param>
    public EvaluationResult Evaluate(PatientProfile profile, Language language, bool withTrace = true)
    {
        var facts = new ProfileFacts(profile, profile.Jurisdiction ?? defaultJurisdiction);
        var trace = withTrace ? new ulong[(EvaluationTrace.BitCount(compiled) + 63) / 64] : null;

        var (assessmentIndex, matchedClause) = Assess(facts, trace)
            ?? throw new InvalidOperationException("No assessment rule matched; the store's lint guarantees one always does.");
        var assessmentRule = store.Rules[assessmentIndex];
        facts.Category = assessmentRule.Statement.Row.Category;

        var notes = new List<AssessmentNote>();
        var caveats = new List<CaveatItem>();
        var evidence = new List<EvidenceItem>();
        var safety = new List<SafetyItem>();
        var claimChecks = new List<ClaimCheckItem>();
        var options = new List<ConventionalOption>();
        string? profileSummary = null; // the profile's KL grade and age in words, for the evidence's applicability
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
                    var template = (EvidenceItem)shared[Slot(index, language, false)]!;
                    evidence.Add(template with { Applicability = Applicability(index, rule.Statement.Row, facts, language, ref profileSummary), Template = template });
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
        var (reason, branches) = Reasons(assessmentIndex, assessmentRow.Category!, facts, language);
        var headline = assessmentRule.Statement.Headline.In(language);
        var assessment = new AssessmentResult(
            assessmentRow.Category!,
            reason is null ? headline : TextTemplate.Fill(headline, ("reason", reason)),
            reason,
            FillConditions(assessmentRule.Statement.Text.In(language), matchedClause, facts, language),
            assessmentRule.Id,
            notes,
            assessmentRule.Statement.Sources)
        {
            Branches = branches,
        };

        return new EvaluationResult(assessment, caveats, evidence, safety, claimChecks, options, Inputs(profile, facts, language), trace is null ? [] : Trace(trace, assessmentIndex, facts), storeInfo)
        {
            AuditRules = auditRules.ToStringAndClear(),
        };
    }

    /// <summary>The first assessment rule that matches, by store index, and its first clause that holds; the rules after
    /// it are not evaluated.</summary>
    private (int Index, IReadOnlyList<Condition> Clause)? Assess(ProfileFacts facts, ulong[]? trace)
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
                return (index, clause < 0 ? [] : rule.Clauses[clause]);
            }
        }

        return null;
    }

    /// <summary>Whether rule <paramref name="index"/> matches; with a trace, every condition is checked and its result
    /// kept as a bit (the rule's own bit, then one per condition, from <see cref="CompiledRule.TraceBit"/>).</summary>
    private bool Matches(int index, ProfileFacts facts, ulong[]? trace)
    {
        var rule = compiled[index];
        var unconditional = store.Rules[index].IsUnconditional;
        if (trace is null)
        {
            return unconditional || rule.FirstHoldingClause(facts) >= 0;
        }

        var matched = unconditional;
        var bit = rule.TraceBit + 1;
        foreach (var clause in rule.Clauses)
        {
            var clauseHolds = true;
            foreach (var condition in clause)
            {
                if (condition.Holds(facts))
                {
                    EvaluationTrace.Set(trace, bit);
                }
                else
                {
                    clauseHolds = false;
                }

                bit++;
            }

            matched |= clauseHolds;
        }

        if (matched)
        {
            EvaluationTrace.Set(trace, rule.TraceBit);
        }

        return matched;
    }

    /// <summary>The trace of the bits set while matching, with the profile's value of each field a condition reads
    /// (taken once the category is known: an assessment rule cannot depend on it, the store's lint makes sure).</summary>
    private EvaluationTrace Trace(ulong[] bits, int assessmentIndex, ProfileFacts facts)
    {
        var actuals = new string?[FieldKinds];
        foreach (var field in tracedFields)
        {
            actuals[(int)field] = facts.Actual(field);
        }

        return new EvaluationTrace(compiled, traceOrders[assessmentIndex]!, bits, actuals);
    }

    private static readonly int FieldKinds = Enum.GetValues<FieldKind>().Length;

    /// <summary>
    /// The reason the assessment holds: for every clause of its rule that holds, in store order, the store's text
    /// <c>reason.{category}.{clause}</c> (or <c>….unchecked</c> when the clause rests on something that could not be
    /// checked), filled with the profile's age, KL grade and BMI and joined by <c>reason.join</c>; null when the store
    /// words no reason for this category. Also the branches that hold (see <see cref="AssessmentResult.Branches"/>).
    /// </summary>
    private (string? Reason, string[] Branches) Reasons(int assessmentIndex, string category, ProfileFacts facts, Language language)
    {
        var rule = compiled[assessmentIndex];
        var branches = new List<string>(rule.Clauses.Length);
        List<string>? reasons = null;
        for (var clause = 0; clause < rule.Clauses.Length; clause++)
        {
            if (!rule.ClauseHolds(clause, facts))
            {
                continue;
            }

            var number = (clause + 1).ToString(CultureInfo.InvariantCulture);
            var restsOnUnchecked = rule.ClauseRestsOnUnchecked(clause, facts);
            branches.Add(restsOnUnchecked ? number + "u" : number);
            var key = $"reason.{category}.{number}";
            if ((restsOnUnchecked && store.Texts.TryGetValue(key + ".unchecked", out var text)) || store.Texts.TryGetValue(key, out text))
            {
                (reasons ??= []).Add(FillProfile(text.In(language), facts));
            }
        }

        return (reasons is null ? null : string.Join(store.Text("reason.join").In(language), reasons), [.. branches]);
    }

    /// <summary>A store text with the profile's <c>{age}</c>, <c>{klGrade}</c> and <c>{bmi}</c> (one decimal) filled in.</summary>
    public static string FillProfile(string template, int? age, int? klGrade, double? bmi) =>
        TextTemplate.Fill(template,
            ("age", (object?)age ?? "?"),
            ("klGrade", (object?)klGrade ?? "?"),
            ("bmi", bmi is { } value ? value.ToString("0.#", CultureInfo.InvariantCulture) : "?"));

    private static string FillProfile(string template, ProfileFacts facts) => FillProfile(template, facts.Age, facts.KlGrade, facts.Bmi);

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

    private string Applicability(int index, StatementRow row, ProfileFacts facts, Language language, ref string? profileSummary)
    {
        if (populations[Slot(index, language, false)] is not { } population)
        {
            return store.Text("applicability.unreported").In(language);
        }

        var inside = true;
        if (row.KlMin is { } klMin && row.KlMax is { } klMax)
        {
            inside &= facts.KlGrade >= klMin && facts.KlGrade <= klMax;
        }

        if (row.AgeMin is { } ageMin && row.AgeMax is { } ageMax)
        {
            inside &= facts.Age >= ageMin && facts.Age <= ageMax;
        }

        profileSummary ??= Format("profile.summary", language, ("klGrade", (object?)facts.KlGrade ?? "?"), ("age", (object?)facts.Age ?? "?"));
        return Format(inside ? "applicability.inside" : "applicability.outside", language, ("population", population), ("profile", profileSummary));
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

        if (Duplicates(profile.PriorTreatments, profile.Conditions ?? []) is { } duplicates)
        {
            notes.Add(Format("inputs.duplicatesFolded", language, ("codes", string.Join(", ", duplicates))));
        }

        var used = new UsedInputs(facts.Age, facts.KlGrade, facts.PriorTreatments, facts.Bmi, facts.Conditions, facts.Jurisdiction)
        {
            Unchecked = facts.Unchecked,
        };
        return new EvaluationInputs(used, defaulted, unknown, notes);
    }

    /// <summary>The codes given more than once across both lists, in the order they first appear; null when none (the
    /// usual case, checked without allocating: the lists are short).</summary>
    private static List<string>? Duplicates(IReadOnlyList<string> first, IReadOnlyList<string> second)
    {
        List<string>? duplicates = null;
        var count = first.Count + second.Count;
        for (var i = 0; i < count; i++)
        {
            var code = i < first.Count ? first[i] : second[i - first.Count];
            var seenBefore = false;
            var elsewhere = false;
            for (var j = 0; j < count && !seenBefore; j++)
            {
                if (j != i && string.Equals(code, j < first.Count ? first[j] : second[j - first.Count], StringComparison.Ordinal))
                {
                    seenBefore = j < i;
                    elsewhere = true;
                }
            }

            if (elsewhere && !seenBefore)
            {
                (duplicates ??= []).Add(code);
            }
        }

        return duplicates;
    }

    private string Format(string key, Language language, params ReadOnlySpan<(string Name, object Value)> values) => Format(store, key, language, values);

    private static string Format(RuleStoreSnapshot store, string key, Language language, params ReadOnlySpan<(string Name, object Value)> values) =>
        TextTemplate.Fill(store.Text(key).In(language), values);
}
