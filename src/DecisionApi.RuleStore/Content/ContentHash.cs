using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DecisionApi.RuleStore.Content;

public static class ContentHash
{
    /// <summary>SHA-256 over the canonical JSON of every row except the stored hash itself.</summary>
    public static string Compute(StoreContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var canonical = content.Canonical();
        var hashed = new HashedContent(
            canonical.Metadata.Where(m => m.Key != Vocab.MetadataKeys.ContentHash),
            canonical.Texts,
            canonical.Sources,
            canonical.Vocabulary,
            canonical.CodeMappings,
            canonical.Statements,
            canonical.StatementSources,
            canonical.Rules,
            canonical.RuleConditions,
            canonical.Recognition,
            canonical.Effects,
            canonical.ProfileBounds);
        // Source-generated (no reflection at start-up); the bytes are those of the reflection serializer with default
        // options, which earlier stores were hashed with.
        var bytes = JsonSerializer.SerializeToUtf8Bytes(hashed, HashJsonContext.Default.HashedContent);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}

/// <summary>What the content hash covers, in this order.</summary>
internal sealed record HashedContent(
    IEnumerable<MetadataRow> Metadata,
    IReadOnlyList<TextRow> Texts,
    IReadOnlyList<SourceRow> Sources,
    IReadOnlyList<VocabularyRow> Vocabulary,
    IReadOnlyList<CodeMappingRow> CodeMappings,
    IReadOnlyList<StatementRow> Statements,
    IReadOnlyList<StatementSourceRow> StatementSources,
    IReadOnlyList<RuleRow> Rules,
    IReadOnlyList<RuleConditionRow> RuleConditions,
    IReadOnlyList<RecognitionRow> Recognition,
    IReadOnlyList<EffectRow> Effects,
    IReadOnlyList<ProfileBoundRow> ProfileBounds);

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(HashedContent))]
internal sealed partial class HashJsonContext : JsonSerializerContext;
