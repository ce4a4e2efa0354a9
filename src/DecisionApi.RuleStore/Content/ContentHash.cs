using System.Security.Cryptography;
using System.Text.Json;

namespace DecisionApi.RuleStore.Content;

public static class ContentHash
{
    private static readonly JsonSerializerOptions CanonicalJson = new() { WriteIndented = false };

    /// <summary>SHA-256 over the canonical JSON of every row except the stored hash itself.</summary>
    public static string Compute(StoreContent content)
    {
        var canonical = content.Canonical();
        var hashed = new
        {
            Metadata = canonical.Metadata.Where(m => m.Key != Vocab.MetadataKeys.ContentHash),
            canonical.Texts,
            canonical.Sources,
            canonical.Vocabulary,
            canonical.CodeMappings,
            canonical.Statements,
            canonical.StatementSources,
            canonical.Rules,
            canonical.RuleConditions,
            canonical.Recognition,
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(hashed, CanonicalJson);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
