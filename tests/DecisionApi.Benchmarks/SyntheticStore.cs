using DecisionApi.RuleStore.Content;

namespace DecisionApi.Benchmarks;

/// <summary>
/// Multiplies every non-assessment statement and its rule (with the same conditions and sources) <c>scale</c> times, so
/// the evaluator walks scale× as many rules. Assessments keep their precedence and count.
/// </summary>
internal static class SyntheticStore
{
    public static StoreContent Scaled(StoreContent content, int scale)
    {
        if (scale <= 1)
        {
            return content;
        }

        var statements = content.Statements.ToList();
        var statementSources = content.StatementSources.ToList();
        var rules = content.Rules.ToList();
        var conditions = content.RuleConditions.ToList();
        var texts = content.Texts.ToList();
        var textByKey = content.Texts.ToDictionary(t => t.Key, StringComparer.Ordinal);
        var copied = content.Rules.Where(r => r.Kind != "assessment").ToList();
        var statementById = content.Statements.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var ordinal = content.Rules.Max(r => r.Ordinal);
        var effects = content.Effects.ToList();
        for (var copy = 1; copy < scale; copy++)
        {
            foreach (var rule in copied)
            {
                var suffix = $"-x{copy}";
                var statement = statementById[rule.StatementId];
                statements.Add(Clone(statement, statement.Id + suffix, statement.Ordinal + (copy * 100_000)));
                // A statement's own texts keyed by its id (a core caveat's one-line card form) are copied with it.
                foreach (var prefix in (string[])["cds.caveatLine."])
                {
                    if (textByKey.TryGetValue(prefix + statement.Id, out var text))
                    {
                        texts.Add(new TextRow { Key = prefix + statement.Id + suffix, En = text.En, Zh = text.Zh });
                    }
                }

                effects.AddRange(content.Effects.Where(e => e.StatementId == statement.Id).Select(e => new EffectRow
                {
                    StatementId = e.StatementId + suffix, Ordinal = e.Ordinal, Outcome = e.Outcome, ComparatorEn = e.ComparatorEn,
                    ComparatorZh = e.ComparatorZh, FollowUpEn = e.FollowUpEn, FollowUpZh = e.FollowUpZh, Measure = e.Measure,
                    Estimate = e.Estimate, CiLower = e.CiLower, CiUpper = e.CiUpper, ScaleEn = e.ScaleEn, ScaleZh = e.ScaleZh, Mid = e.Mid,
                    Certainty = e.Certainty, ReadingEn = e.ReadingEn, ReadingZh = e.ReadingZh, SourceId = e.SourceId, Verification = e.Verification,
                }));
                statementSources.AddRange(content.StatementSources.Where(s => s.StatementId == statement.Id)
                    .Select(s => new StatementSourceRow { StatementId = s.StatementId + suffix, SourceId = s.SourceId, Ordinal = s.Ordinal }));
                rules.Add(new RuleRow { Id = rule.Id + suffix, Kind = rule.Kind, Ordinal = ++ordinal, StatementId = statement.Id + suffix });
                conditions.AddRange(content.RuleConditions.Where(c => c.RuleId == rule.Id).Select(c => new RuleConditionRow
                {
                    RuleId = c.RuleId + suffix, Clause = c.Clause, Ordinal = c.Ordinal, Field = c.Field, Op = c.Op,
                    Value = c.Value, Min = c.Min, Max = c.Max, Codes = c.Codes,
                }));
            }
        }

        return new StoreContent
        {
            Metadata = content.Metadata, Texts = texts, Sources = content.Sources, Vocabulary = content.Vocabulary,
            CodeMappings = content.CodeMappings, Statements = statements, StatementSources = statementSources, Rules = rules,
            RuleConditions = conditions, Recognition = content.Recognition, Effects = effects, ProfileBounds = content.ProfileBounds,
        };
    }

    private static StatementRow Clone(StatementRow s, string id, long ordinal) => new()
    {
        Id = id, Kind = s.Kind, Ordinal = ordinal, TextEn = s.TextEn, TextZh = s.TextZh, ReviewedOn = s.ReviewedOn, ReviewDue = s.ReviewDue,
        Severity = s.Severity, Issuer = s.Issuer, Core = s.Core, Topic = s.Topic, Certainty = s.Certainty,
        Direction = s.Direction, Selection = s.Selection, KlMin = s.KlMin, KlMax = s.KlMax, AgeMin = s.AgeMin,
        AgeMax = s.AgeMax, ClaimEn = s.ClaimEn, ClaimZh = s.ClaimZh, Verdict = s.Verdict, SeedClaim = s.SeedClaim,
        Treatment = s.Treatment, Strength = s.Strength, IssuerGrade = s.IssuerGrade, Category = s.Category,
        HeadlineEn = s.HeadlineEn, HeadlineZh = s.HeadlineZh,
    };
}
