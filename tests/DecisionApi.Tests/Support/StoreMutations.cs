using DecisionApi.RuleStore.Content;

namespace DecisionApi.Tests.Support;

/// <summary>Builds altered copies of a store's content, with a freshly computed hash, to test what the lint catches.</summary>
public static class StoreMutations
{
    public static StoreContent With(
        StoreContent content,
        IReadOnlyList<StatementRow>? statements = null,
        IReadOnlyList<SourceRow>? sources = null,
        IReadOnlyList<StatementSourceRow>? statementSources = null,
        IReadOnlyList<RuleRow>? rules = null,
        IReadOnlyList<RuleConditionRow>? conditions = null,
        IReadOnlyList<TextRow>? texts = null,
        IReadOnlyList<RecognitionRow>? recognition = null,
        IReadOnlyList<EffectRow>? effects = null,
        IReadOnlyList<VocabularyRow>? vocabulary = null,
        IReadOnlyList<ProfileBoundRow>? bounds = null)
    {
        var altered = new StoreContent
        {
            Metadata = [.. content.Metadata.Where(m => m.Key != Vocab.MetadataKeys.ContentHash)],
            Texts = texts ?? content.Texts,
            Sources = sources ?? content.Sources,
            Vocabulary = vocabulary ?? content.Vocabulary,
            CodeMappings = content.CodeMappings,
            Statements = statements ?? content.Statements,
            StatementSources = statementSources ?? content.StatementSources,
            Rules = rules ?? content.Rules,
            RuleConditions = conditions ?? content.RuleConditions,
            Recognition = recognition ?? content.Recognition,
            Effects = effects ?? content.Effects,
            ProfileBounds = bounds ?? content.ProfileBounds,
        };
        return new StoreContent
        {
            Metadata = [.. altered.Metadata, new MetadataRow { Key = Vocab.MetadataKeys.ContentHash, Value = ContentHash.Compute(altered) }],
            Texts = altered.Texts,
            Sources = altered.Sources,
            Vocabulary = altered.Vocabulary,
            CodeMappings = altered.CodeMappings,
            Statements = altered.Statements,
            StatementSources = altered.StatementSources,
            Rules = altered.Rules,
            RuleConditions = altered.RuleConditions,
            Recognition = altered.Recognition,
            Effects = altered.Effects,
            ProfileBounds = altered.ProfileBounds,
        };
    }

    public static StatementRow Copy(StatementRow row, string? textZh = null, long? core = null, string? reviewDue = null) => new()
    {
        Id = row.Id, Kind = row.Kind, Ordinal = row.Ordinal, TextEn = row.TextEn, TextZh = textZh ?? row.TextZh,
        ReviewedOn = row.ReviewedOn, ReviewDue = reviewDue ?? row.ReviewDue, Severity = row.Severity, Issuer = row.Issuer, Core = core ?? row.Core, Topic = row.Topic,
        Certainty = row.Certainty, Direction = row.Direction, Selection = row.Selection, KlMin = row.KlMin, KlMax = row.KlMax,
        AgeMin = row.AgeMin, AgeMax = row.AgeMax, ClaimEn = row.ClaimEn, ClaimZh = row.ClaimZh, Verdict = row.Verdict,
        SeedClaim = row.SeedClaim, Treatment = row.Treatment, Strength = row.Strength, IssuerGrade = row.IssuerGrade,
        Category = row.Category, HeadlineEn = row.HeadlineEn, HeadlineZh = row.HeadlineZh,
    };
}
