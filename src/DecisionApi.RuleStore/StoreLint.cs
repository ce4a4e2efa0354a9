using System.Globalization;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;

namespace DecisionApi.RuleStore;

/// <summary>
/// The content rules of spec §5: run by the compiler, at service start-up, and by the tests. Each problem is one line
/// naming the item, so a curator can fix it without reading C#.
/// </summary>
public static partial class StoreLint
{
    public static IReadOnlyList<string> Check(RuleStoreSnapshot store)
    {
        var problems = new List<string>();
        CheckSources(store, problems);
        CheckVocabularies(store, problems);
        CheckTexts(store, problems);
        CheckCategoryTexts(store, problems);
        CheckSuggestionTexts(store, problems);
        CheckStatements(store, problems);
        CheckProfileBounds(store, problems);
        CheckRules(store, problems);
        CheckCoreCaveats(store, problems);
        CheckSeedClaims(store, problems);
        CheckRecognition(store, problems);
        CheckEffects(store, problems);
        CheckCurrency(store, problems);
        if (problems.Count == 0)
        {
            CheckAssessmentCoverage(store, problems);
        }

        return problems;
    }

    private static void CheckSources(RuleStoreSnapshot store, List<string> problems)
    {
        foreach (var source in store.Sources)
        {
            if (source.Pmid is null && source.Doi is null && source.Url is null)
            {
                problems.Add($"source {source.Id} has no pmid, doi or url");
            }

            Require(Vocab.Verifications, source.Verification, $"source {source.Id} verification", problems);
            Require(Vocab.SourceKinds, source.Kind, $"source {source.Id} kind", problems);
            if (string.IsNullOrWhiteSpace(source.Citation))
            {
                problems.Add($"source {source.Id} has no citation");
            }

            if (string.IsNullOrWhiteSpace(source.ReviewedOn))
            {
                problems.Add($"source {source.Id} has no reviewedOn date");
            }

            if (source.Url is { } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
            {
                problems.Add($"source {source.Id} url is not an absolute URL");
            }
            else if (source.Url is { } listed)
            {
                CheckHost(store, source, listed, problems);
            }
        }
    }

    /// <summary>The source's URL host must be on the allowlist (source-hosts.yaml), used as the list allows.</summary>
    private static void CheckHost(RuleStoreSnapshot store, Source source, string url, List<string> problems)
    {
        var host = SourceHost.HostOf(url);
        var allowed = SourceHost.Match(store.SourceHosts, url);
        if (allowed is null)
        {
            problems.Add($"source {source.Id} url host '{host}' is not on the source-host allowlist (source-hosts.yaml): use the canonical place (doi.org, PubMed/PMC, the regulator's or society's page, ClinicalTrials.gov)");
            return;
        }

        Require(Vocab.HostUses, allowed.Use, $"source host {allowed.Host} use", problems);
        if (allowed.Use == "secondary" && source.Verification != "secondary")
        {
            problems.Add($"source {source.Id} is marked {source.Verification} but its host '{host}' may serve only secondary sources");
        }

        if (allowed.Kinds.Count > 0 && !allowed.Kinds.Contains(source.Kind, StringComparer.Ordinal))
        {
            problems.Add($"source {source.Id} is a {source.Kind} but host '{host}' may serve only {string.Join(", ", allowed.Kinds)} sources");
        }
    }

    private static void CheckVocabularies(RuleStoreSnapshot store, List<string> problems)
    {
        foreach (var entry in store.Treatments.Concat(store.Conditions))
        {
            RequireBothLanguages(entry.Label, $"vocabulary {entry.Code} label", problems);
            foreach (var mapping in entry.Codes)
            {
                Require(Vocab.Verifications, mapping.Verification, $"vocabulary {entry.Code} code {mapping.Code} verification", problems);
            }
        }

        foreach (var treatment in store.Treatments)
        {
            Require(Vocab.TreatmentCategories, treatment.Category, $"treatment {treatment.Code} category", problems);
        }

        foreach (var (group, mappings) in store.FhirCodeGroups)
        {
            foreach (var mapping in mappings)
            {
                Require(Vocab.Verifications, mapping.Verification, $"FHIR code group {group} code {mapping.Code} verification", problems);
            }
        }
    }

    private static void CheckTexts(RuleStoreSnapshot store, List<string> problems)
    {
        foreach (var (key, text) in store.Texts)
        {
            RequireBothLanguages(text, $"text {key}", problems);
            if ((key.EndsWith("ummary", StringComparison.Ordinal) || key.StartsWith("cds.summary.", StringComparison.Ordinal))
                && key.StartsWith("cds.", StringComparison.Ordinal)
                && (text.En.Length >= 140 || text.Zh.Length >= 140))
            {
                problems.Add($"text {key} must stay under 140 characters (CDS Hooks card summary)");
            }
        }
    }

    /// <summary>
    /// Card suggestions (<c>cds.suggestion.&lt;category&gt;.&lt;position&gt;.&lt;suggestion&gt;</c>, issue #24): a known category, an integer
    /// position, a suggestion the service can act on (remove-msc-order, or referral.&lt;treatment&gt; whose first-line
    /// treatment has a verified SNOMED CT code), and its action text <c>cds.suggestionAction.&lt;suggestion&gt;</c>.
    /// </summary>
    private static void CheckSuggestionTexts(RuleStoreSnapshot store, List<string> problems)
    {
        foreach (var key in CardSuggestion.Keys(store))
        {
            if (CardSuggestion.Parse(key) is not { } suggestion)
            {
                problems.Add($"text {key}: expected cds.suggestion.<category>.<position>.<suggestion>");
            }
            else if (suggestion.Id != Vocab.Suggestions.RemoveOrder
                && (suggestion.ReferralTarget is not { } target || CardSuggestion.ReferralCode(store, target) is null))
            {
                problems.Add($"text {key}: a suggestion is remove-msc-order or referral.<target> with a verified SNOMED CT code (a first-line treatment, or a referral.<target> FHIR code group)");
            }
            else if (suggestion.ReferralTarget is { } service && !CardSuggestion.IsTreatmentReferral(store, service)
                && !store.Texts.ContainsKey(Vocab.Suggestions.ReferralLabelPrefix + service))
            {
                problems.Add($"text {key}: {Vocab.Suggestions.ReferralLabelPrefix}{service} (what the draft referral is called) is missing");
            }
            else if (!store.Texts.ContainsKey("cds.suggestionAction." + suggestion.Id))
            {
                problems.Add($"text {key}: cds.suggestionAction.{suggestion.Id} (the action's description) is missing");
            }
        }
    }

    /// <summary>Each assessment category needs its card summary and its label.</summary>
    private static void CheckCategoryTexts(RuleStoreSnapshot store, List<string> problems)
    {
        foreach (var category in Vocab.Categories)
        {
            foreach (var key in new[] { "cds.summary." + category, "category." + category })
            {
                if (!store.Texts.ContainsKey(key))
                {
                    problems.Add($"text {key} is missing (every assessment category needs a card summary and a label)");
                }
            }
        }

        foreach (var core in store.Statements.Where(s => s.Row.Kind == Vocab.Kinds.Caveat && s.Row.Core == 1))
        {
            if (!store.Texts.ContainsKey("cds.caveatLine." + core.Id))
            {
                problems.Add($"text cds.caveatLine.{core.Id} is missing (each core caveat needs its one-line card form)");
            }
        }
    }

    private static void CheckStatements(RuleStoreSnapshot store, List<string> problems)
    {
        foreach (var statement in store.Statements)
        {
            var row = statement.Row;
            var name = $"{row.Kind} {row.Id}";
            Require(Vocab.Kinds.All, row.Kind, $"{name} kind", problems);
            RequireBothLanguages(statement.Text, $"{name} text", problems);
            if (statement.Sources.Count == 0)
            {
                problems.Add($"{name} has no source");
            }

            if (string.IsNullOrWhiteSpace(row.ReviewedOn))
            {
                problems.Add($"{name} has no reviewedOn date");
            }

            switch (row.Kind)
            {
                case Vocab.Kinds.Assessment:
                    Require(Vocab.Categories, row.Category, $"{name} category", problems);
                    RequireBothLanguages(statement.Headline, $"{name} headline", problems);
                    break;
                case Vocab.Kinds.Caveat:
                    Require(Vocab.Severities, row.Severity, $"{name} severity", problems);
                    RequireValue(row.Issuer, $"{name} issuer", problems);
                    break;
                case Vocab.Kinds.Evidence:
                    Require(Vocab.Topics, row.Topic, $"{name} topic", problems);
                    Require(Vocab.Certainties, row.Certainty, $"{name} certainty", problems);
                    Require(Vocab.Directions, row.Direction, $"{name} direction", problems);
                    Require(Vocab.Selections, row.Selection, $"{name} selection", problems);
                    break;
                case Vocab.Kinds.ClaimCheck:
                    RequireBothLanguages(statement.Claim, $"{name} claim", problems);
                    Require(Vocab.Verdicts, row.Verdict, $"{name} verdict", problems);
                    Require(Vocab.SeedClaims, row.SeedClaim, $"{name} seedClaim", problems);
                    break;
                case Vocab.Kinds.Option:
                    Require(Vocab.Strengths, row.Strength, $"{name} strength", problems);
                    RequireValue(row.Issuer, $"{name} issuer", problems);
                    if (row.Treatment is null || !store.TreatmentsByCode.TryGetValue(row.Treatment, out var treatment))
                    {
                        problems.Add($"{name} names unknown treatment '{row.Treatment}'");
                    }
                    else if (treatment.Category != "first-line")
                    {
                        problems.Add($"{name} treatment {row.Treatment} is not a first-line option");
                    }

                    break;
            }
        }

        var selected = store.Rules.Select(r => r.Statement.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var statement in store.Statements.Where(s => !selected.Contains(s.Id)))
        {
            problems.Add($"{statement.Kind} {statement.Id} is not selected by any rule");
        }
    }

    /// <summary>
    /// A summary-of-findings row is shown as a number a clinician acts on: it must name its outcome, comparator, follow-up,
    /// measure and scale, give the estimate with both ends of its 95% CI (lower &lt;= estimate &lt;= upper), carry a GRADE
    /// certainty and a plain-language reading in en and zh, and cite a source of its evidence item that is in the store,
    /// with how it was read (verified or secondary). Only evidence items carry effects.
    /// </summary>
    private static void CheckEffects(RuleStoreSnapshot store, List<string> problems)
    {
        var statements = store.Statements.ToDictionary(s => s.Id, StringComparer.Ordinal);
        foreach (var row in store.EffectRows)
        {
            var name = $"effect {row.Ordinal + 1} ({row.Outcome}) of {row.StatementId}";
            if (!statements.TryGetValue(row.StatementId, out var statement))
            {
                problems.Add($"{name} belongs to no statement");
                continue;
            }

            if (statement.Kind != Vocab.Kinds.Evidence)
            {
                problems.Add($"{name}: only evidence items carry effects");
            }

            Require(Vocab.EffectOutcomes, row.Outcome, $"{name} outcome", problems);
            Require(Vocab.EffectMeasures, row.Measure, $"{name} measure", problems);
            Require(Vocab.Verifications, row.Verification, $"{name} verification", problems);
            RequireBothLanguages(new Localized(row.ComparatorEn, row.ComparatorZh), $"{name} comparator", problems);
            RequireBothLanguages(new Localized(row.FollowUpEn, row.FollowUpZh), $"{name} followUp", problems);
            RequireBothLanguages(new Localized(row.ScaleEn, row.ScaleZh), $"{name} scale", problems);
            RequireBothLanguages(new Localized(row.ReadingEn, row.ReadingZh), $"{name} reading", problems);
            if (string.IsNullOrWhiteSpace(row.Certainty))
            {
                problems.Add($"{name} has no GRADE certainty");
            }
            else
            {
                Require(Vocab.EffectCertainties, row.Certainty, $"{name} certainty", problems);
            }

            if (row.Estimate is not { } estimate)
            {
                problems.Add($"{name} has no estimate");
            }
            else if (row.CiLower is not { } lower || row.CiUpper is not { } upper)
            {
                problems.Add($"{name} has no 95% confidence interval (ci: [lower, upper])");
            }
            else if (lower > estimate || estimate > upper)
            {
                problems.Add($"{name} estimate {estimate} is outside its confidence interval [{lower}, {upper}]");
            }

            if (row.Mid is <= 0)
            {
                problems.Add($"{name} has a minimal important difference that is not positive");
            }

            if (string.IsNullOrWhiteSpace(row.SourceId))
            {
                problems.Add($"{name} has no source");
            }
            else if (!store.SourcesById.ContainsKey(row.SourceId))
            {
                problems.Add($"{name} cites unknown source '{row.SourceId}'");
            }
            else if (!statement.Sources.Any(s => s.Id == row.SourceId))
            {
                problems.Add($"{name} cites source '{row.SourceId}', which its evidence item does not list");
            }
        }

        foreach (var group in store.EffectRows.GroupBy(e => (e.StatementId, e.Ordinal)).Where(g => g.Count() > 1))
        {
            problems.Add($"effect {group.Key.Ordinal + 1} of {group.Key.StatementId} is listed twice");
        }
    }

    /// <summary>
    /// Every statement and source has a review-due date on or after its reviewedOn. A release (the store's releasedOn)
    /// fails when a core caveat or an evidence item shown to every adult (selection: always), or a source either cites,
    /// is past its review-due date on the release date: those are what every answer shows.
    /// </summary>
    private static void CheckCurrency(RuleStoreSnapshot store, List<string> problems)
    {
        if (!TryDate(store.ReleasedOn, out var released))
        {
            problems.Add($"store releasedOn '{store.ReleasedOn}' is not a date (yyyy-MM-dd)");
            return;
        }

        foreach (var statement in store.Statements)
        {
            CheckDue($"{statement.Kind} {statement.Id}", statement.Row.ReviewedOn, statement.Row.ReviewDue, problems);
        }

        foreach (var source in store.Sources)
        {
            CheckDue($"source {source.Id}", source.ReviewedOn, source.ReviewDue, problems);
        }

        var shownToAll = store.Statements.Where(s => (s.Kind == Vocab.Kinds.Caveat && s.Row.Core == 1)
            || (s.Kind == Vocab.Kinds.Evidence && s.Row.Selection == "always"));
        foreach (var statement in shownToAll)
        {
            if (TryDate(statement.Row.ReviewDue, out var due) && due < released)
            {
                problems.Add($"{statement.Kind} {statement.Id} is shown in every answer but was due for review on {statement.Row.ReviewDue}, before this release ({store.ReleasedOn}): review it (reviewedOn) before releasing");
            }

            foreach (var source in statement.Sources.Where(s => TryDate(s.ReviewDue, out var d) && d < released))
            {
                problems.Add($"source {source.Id} (cited by {statement.Id}, shown in every answer) was due for review on {source.ReviewDue}, before this release ({store.ReleasedOn})");
            }
        }
    }

    private static void CheckDue(string name, string? reviewedOn, string? reviewDue, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(reviewDue))
        {
            problems.Add($"{name} has no review-due date (reviewDue, or reviewedOn plus the store's reviewIntervalMonths)");
        }
        else if (!TryDate(reviewDue, out var due))
        {
            problems.Add($"{name} reviewDue '{reviewDue}' is not a date (yyyy-MM-dd)");
        }
        else if (TryDate(reviewedOn, out var reviewed) && due < reviewed)
        {
            problems.Add($"{name} is due for review ({reviewDue}) before it was reviewed ({reviewedOn})");
        }
    }

    private static bool TryDate(string? value, out DateOnly date) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out date);

    /// <summary>
    /// Warnings, not failures: every statement and source past its review-due date on <paramref name="asOf"/> (the
    /// compiler and the service print them; the release rule above is what fails).
    /// </summary>
    public static IReadOnlyList<string> Overdue(RuleStoreSnapshot store, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(store);
        var state = store.Review(asOf);
        return [.. state.PastDue.Select(id => $"{id} is past its review-due date (as of {state.AsOf})")];
    }

    /// <summary>One bound per numeric profile field, min &lt;= max, a positive step, whole numbers for age and KL grade.</summary>
    private static void CheckProfileBounds(RuleStoreSnapshot store, List<string> problems)
    {
        foreach (var row in store.BoundRows.Where(r => !Vocab.Fields.Numeric.Contains(r.Field)))
        {
            problems.Add($"profileBounds names unknown field '{row.Field}' (expected {string.Join(", ", Vocab.Fields.Numeric)})");
        }

        foreach (var bound in store.Bounds.All)
        {
            var name = $"profileBounds.{bound.Field}";
            if (!double.IsFinite(bound.Min) || !double.IsFinite(bound.Max) || bound.Min > bound.Max)
            {
                problems.Add($"{name} needs min <= max (it is {bound.Min.ToString(CultureInfo.InvariantCulture)} to {bound.Max.ToString(CultureInfo.InvariantCulture)})");
            }

            if (!(bound.Step > 0))
            {
                problems.Add($"{name} needs a step above 0");
            }

            if (bound.Field is Vocab.Fields.Age or Vocab.Fields.KlGrade && !bound.IsWhole)
            {
                problems.Add($"{name} must be whole numbers with step 1");
            }
        }

        // The snapshot filled every {field.min|max|step} of a known field: what is left names no bound.
        foreach (var (key, text) in store.Texts)
        {
            foreach (var part in new[] { text.En, text.Zh }.SelectMany(t => BoundPlaceholder().Matches(t)).Select(m => m.Value).Distinct(StringComparer.Ordinal))
            {
                problems.Add($"text {key} names {part}, which is not a profile bound (profileBounds: {string.Join(", ", Vocab.Fields.Numeric)})");
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\{[A-Za-z]+\.(min|max|step)\}")]
    private static partial System.Text.RegularExpressions.Regex BoundPlaceholder();

    /// <summary>A threshold outside the field's bounds can never be reached (or always is) by a valid profile.</summary>
    private static void CheckThresholdWithinBounds(RuleStoreSnapshot store, Condition condition, string name, List<string> problems)
    {
        if (store.Bounds.Of(condition.Field) is not { } bound)
        {
            return;
        }

        foreach (var threshold in new[] { condition.Value, condition.Min, condition.Max }.OfType<double>().Where(t => !bound.Contains(t)))
        {
            problems.Add($"{name} has threshold {threshold.ToString(CultureInfo.InvariantCulture)} outside profileBounds.{bound.Field} ({bound.Min.ToString(CultureInfo.InvariantCulture)} to {bound.Max.ToString(CultureInfo.InvariantCulture)})");
        }
    }

    private static void CheckRules(RuleStoreSnapshot store, List<string> problems)
    {
        foreach (var rule in store.Rules)
        {
            if (rule.Kind != rule.Statement.Kind)
            {
                problems.Add($"rule {rule.Id} is a {rule.Kind} rule but selects a {rule.Statement.Kind}");
            }

            foreach (var condition in rule.Clauses.SelectMany(c => c))
            {
                var name = $"rule {rule.Id} condition on {condition.Field}";
                if (!Vocab.OpsByField.TryGetValue(condition.Field, out var ops))
                {
                    problems.Add($"rule {rule.Id} has a condition on unknown field '{condition.Field}'");
                    continue;
                }

                if (!ops.Contains(condition.Op))
                {
                    problems.Add($"{name} uses op '{condition.Op}', which that field does not support");
                    continue;
                }

                CheckConditionValues(store, rule, condition, name, problems);
                CheckThresholdWithinBounds(store, condition, name, problems);
            }
        }

        if (!store.Rules.Any(r => r.Kind == Vocab.Kinds.Assessment))
        {
            problems.Add("the store has no assessment rules");
        }
    }

    private static void CheckConditionValues(RuleStoreSnapshot store, Rule rule, Condition condition, string name, List<string> problems)
    {
        switch (condition.Op)
        {
            case Vocab.Ops.Between when condition.Min is null || condition.Max is null || condition.Min > condition.Max:
                problems.Add($"{name} needs min <= max");
                break;
            case Vocab.Ops.AtLeast or Vocab.Ops.Below when condition.Value is null:
                problems.Add($"{name} needs a value");
                break;
            case Vocab.Ops.IncludesAny or Vocab.Ops.IncludesNone or Vocab.Ops.In or Vocab.Ops.NotIn when condition.Codes.Count == 0:
                problems.Add($"{name} needs values");
                break;
        }

        var known = condition.Field switch
        {
            Vocab.Fields.PriorTreatments => store.TreatmentsByCode.ContainsKey,
            Vocab.Fields.Conditions => store.ConditionsByCode.ContainsKey,
            Vocab.Fields.Category => Vocab.Categories.Contains,
            Vocab.Fields.Jurisdiction => code => code.Length == 2 && code.All(char.IsAsciiLetterUpper),
            _ => (Func<string, bool>?)null,
        };
        foreach (var code in condition.Codes.Where(code => known is not null && !known(code)))
        {
            problems.Add($"{name} names unknown code '{code}'");
        }

        if (condition.Field == Vocab.Fields.Category && rule.Kind == Vocab.Kinds.Assessment)
        {
            problems.Add($"{name}: an assessment rule cannot depend on the category");
        }
    }

    private static void CheckCoreCaveats(RuleStoreSnapshot store, List<string> problems)
    {
        var coreRules = store.Rules.Where(r => r.Kind == Vocab.Kinds.Caveat && r.Statement.Row.Core == 1).ToList();
        foreach (var issuer in Vocab.CoreCaveatIssuers.Where(issuer => !coreRules.Any(r => r.Statement.Row.Issuer == issuer)))
        {
            problems.Add($"the core caveat of {issuer} is missing");
        }

        foreach (var rule in coreRules.Where(r => !r.IsUnconditional))
        {
            problems.Add($"core caveat {rule.Statement.Id} must be unconditional");
        }

        foreach (var rule in coreRules.Where(r => r.Statement.Row.Severity != "critical"))
        {
            problems.Add($"core caveat {rule.Statement.Id} must have severity critical");
        }
    }

    private static void CheckSeedClaims(RuleStoreSnapshot store, List<string> problems)
    {
        var answered = store.Statements.Where(s => s.Kind == Vocab.Kinds.ClaimCheck).Select(s => s.Row.SeedClaim).ToHashSet(StringComparer.Ordinal);
        foreach (var seedClaim in Vocab.SeedClaims.Where(key => !answered.Contains(key)))
        {
            problems.Add($"seed claim '{seedClaim}' has no claim check");
        }
    }

    /// <summary>Every recognition entry names a known treatment, has what its kind needs, and says how it was verified.</summary>
    private static void CheckRecognition(RuleStoreSnapshot store, List<string> problems)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in store.Recognition)
        {
            var name = $"recognition {entry.Kind} '{entry.Code ?? entry.Term}'";
            Require(Vocab.RecognitionKinds.All, entry.Kind, $"{name} kind", problems);
            Require(Vocab.Verifications, entry.Verification, $"{name} verification", problems);
            var isTerm = entry.Kind is Vocab.RecognitionKinds.MedicationName or Vocab.RecognitionKinds.ActivityTerm or Vocab.RecognitionKinds.TopicalForm
                or Vocab.RecognitionKinds.HistoryTerm or Vocab.RecognitionKinds.HistoryNotDoneCue or Vocab.RecognitionKinds.ConditionMedicationName;
            if (isTerm ? string.IsNullOrWhiteSpace(entry.Term) : string.IsNullOrWhiteSpace(entry.System) || string.IsNullOrWhiteSpace(entry.Code))
            {
                problems.Add($"{name} needs {(isTerm ? "a term" : "a system and a code")}");
            }

            if (isTerm && entry.Term is { } term && (term.Trim() != term || !char.IsLetterOrDigit(term[0]) || !char.IsLetterOrDigit(term[^1])))
            {
                problems.Add($"{name} must start and end with a letter or digit (it is matched on word boundaries)");
            }

            if (!seen.Add($"{entry.Kind}|{entry.System}|{entry.Code}|{entry.Term}"))
            {
                problems.Add($"{name} is listed twice");
            }

            if (entry.Kind is Vocab.RecognitionKinds.TopicalForm or Vocab.RecognitionKinds.HistoryNotDoneCue)
            {
                continue;
            }

            if (entry.Kind == Vocab.RecognitionKinds.ConditionMedicationName)
            {
                if (entry.Treatment is null || !store.ConditionsByCode.ContainsKey(entry.Treatment))
                {
                    problems.Add($"{name} names unknown condition '{entry.Treatment}'");
                }

                continue;
            }

            foreach (var treatment in new[] { entry.Treatment, entry.TopicalTreatment }.Where((t, i) => i == 0 || t is not null))
            {
                if (treatment is null || !store.TreatmentsByCode.ContainsKey(treatment))
                {
                    problems.Add($"{name} names unknown treatment '{treatment}'");
                }
            }
        }
    }

    /// <summary>BMIs tried by the coverage check (below and above the weight thresholds), clamped to the store's bounds.</summary>
    private static readonly double[] CoverageBmis = [22, 35];

    /// <summary>Every valid profile must land in exactly one category: try the whole grid of ages, grades and care states.</summary>
    private static void CheckAssessmentCoverage(RuleStoreSnapshot store, List<string> problems)
    {
        var evaluator = new Evaluator(store, "US");
        string[] firstLine = ["exercise-therapy", "topical-nsaid", "oral-nsaid", "weight-management"];
        IReadOnlyList<string>[] treatmentStates = [[], firstLine.Where(store.TreatmentsByCode.ContainsKey).ToArray()];
        var bounds = store.Bounds;
        int?[] grades = [null, .. Enumerable.Range(bounds.KlGrade.IntMin, bounds.KlGrade.IntMax - bounds.KlGrade.IntMin + 1).Select(g => (int?)g)];
        double?[] bmis = [null, .. CoverageBmis.Select(b => (double?)Math.Clamp(b, bounds.Bmi.Min, bounds.Bmi.Max)).Distinct()];
        for (var age = bounds.Age.IntMin; age <= bounds.Age.IntMax; age++)
        {
            foreach (var grade in grades)
            {
                foreach (var bmi in bmis)
                {
                    foreach (var treatments in treatmentStates)
                    {
                        if (!evaluator.HasAssessment(new PatientProfile(age, grade, treatments, bmi, [])))
                        {
                            problems.Add($"no assessment rule matches age {age}, KL {grade?.ToString() ?? "unknown"}, BMI {bmi?.ToString() ?? "unknown"}, treatments [{string.Join(", ", treatments)}]");
                            return;
                        }
                    }
                }
            }
        }
    }

    private static void Require(IEnumerable<string> allowed, string? value, string name, List<string> problems)
    {
        if (value is null || !allowed.Contains(value))
        {
            problems.Add($"{name} is '{value}', expected one of: {string.Join(", ", allowed)}");
        }
    }

    private static void RequireValue(string? value, string name, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{name} is missing");
        }
    }

    private static void RequireBothLanguages(Localized text, string name, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(text.En))
        {
            problems.Add($"{name} has no English (en) text");
        }

        if (string.IsNullOrWhiteSpace(text.Zh))
        {
            problems.Add($"{name} has no Chinese (zh) text");
        }
    }
}
