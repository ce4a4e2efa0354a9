using System.Security.Cryptography;
using System.Text;

namespace DecisionApi.Features.CdsHooks;

/// <summary>
/// The uuids of a card's suggestions, derived without state (issue #24): the first 16 bytes of
/// HMAC-SHA256(key, card uuid | suggestion id | store version), as a version-4-shaped UUID. Feedback's
/// <c>acceptedSuggestions</c> are checked by deriving again, so nothing is remembered. The key is
/// <c>CdsHooks:SuggestionKey</c> (at least 32 characters); unset, a random key generated when the process starts, so
/// feedback for a card issued by another instance or before a restart is refused: set one shared key on every instance.
/// </summary>
public sealed class SuggestionKeys
{
    private readonly byte[] key;

    public SuggestionKeys(Microsoft.Extensions.Options.IOptions<CdsHooksOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        key = options.Value.SuggestionKey is { Length: >= 32 } configured ? Encoding.UTF8.GetBytes(configured) : RandomNumberGenerator.GetBytes(32);
    }

    /// <summary>The uuid of suggestion <paramref name="suggestionId"/> on card <paramref name="cardUuid"/>.</summary>
    public string Uuid(string cardUuid, string suggestionId, string storeVersion)
    {
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{cardUuid.ToLowerInvariant()}|{suggestionId}|{storeVersion}"), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x40);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true).ToString("D");
    }

    /// <summary>The suggestion id whose uuid on this card is <paramref name="uuid"/>, or null (a uuid this service did not issue).</summary>
    public string? Issued(string cardUuid, string uuid, string storeVersion, IEnumerable<string> suggestionIds)
    {
        ArgumentNullException.ThrowIfNull(suggestionIds);
        var wanted = Encoding.ASCII.GetBytes(uuid.ToLowerInvariant());
        return suggestionIds.FirstOrDefault(id => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Uuid(cardUuid, id, storeVersion)), wanted));
    }
}
