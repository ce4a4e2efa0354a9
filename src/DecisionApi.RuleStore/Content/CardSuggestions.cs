namespace DecisionApi.RuleStore.Content;

/// <summary>
/// One card suggestion the store words: a text key <c>cds.suggestion.&lt;category&gt;.&lt;position&gt;.&lt;suggestion&gt;</c>
/// (issue #24). Read once here for the lint and the card composer alike.
/// </summary>
/// <param name="Key">The text key.</param>
/// <param name="Category">The assessment category whose cards offer it.</param>
/// <param name="Position">Its place among the category's suggestions.</param>
/// <param name="Id"><see cref="Vocab.Suggestions.RemoveOrder"/> or <c>referral.&lt;treatment&gt;</c>.</param>
public sealed record CardSuggestion(string Key, string Category, int Position, string Id)
{
    /// <summary>What a referral suggestion refers to (a first-line treatment, or a <c>referral.&lt;target&gt;</c> FHIR code
    /// group such as orthopaedic-surgery); null for any other suggestion.</summary>
    public string? ReferralTarget =>
        Id.StartsWith(Vocab.Suggestions.ReferralPrefix, StringComparison.Ordinal) ? Id[Vocab.Suggestions.ReferralPrefix.Length..] : null;

    /// <summary>The key read as a suggestion, or null when it does not have the expected shape (a known category, an
    /// integer position, a non-empty suggestion).</summary>
    public static CardSuggestion? Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        const string prefix = Vocab.Suggestions.TextPrefix;
        var category = Vocab.Categories.FirstOrDefault(c => key.StartsWith(prefix + c + ".", StringComparison.Ordinal));
        if (category is null)
        {
            return null;
        }

        var tail = key[(prefix.Length + category.Length + 1)..];
        var dot = tail.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && dot < tail.Length - 1 && int.TryParse(tail[..dot], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var position)
            ? new CardSuggestion(key, category, position, tail[(dot + 1)..])
            : null;
    }

    /// <summary>Every suggestion text key of the store (shaped or not: <see cref="Parse"/> tells).</summary>
    public static IEnumerable<string> Keys(RuleStoreSnapshot store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.Texts.Keys.Where(k => k.StartsWith(Vocab.Suggestions.TextPrefix, StringComparison.Ordinal));
    }

    /// <summary>
    /// The verified SNOMED CT code a referral to <paramref name="target"/> is coded with, or null (then it is never offered,
    /// and the lint refuses the text): a first-line treatment's code (<c>treatments.yaml</c>), or the code of the FHIR
    /// code group <c>referral.&lt;target&gt;</c> (<c>fhir-codes.yaml</c>: a service such as orthopaedic surgery). Never a
    /// replacement's or other surgery's procedure code: a one-click draft for surgery is never offered.
    /// </summary>
    public static CodeMapping? ReferralCode(RuleStoreSnapshot store, string target)
    {
        ArgumentNullException.ThrowIfNull(store);
        IReadOnlyList<CodeMapping> codes = IsTreatmentReferral(store, target)
            ? store.TreatmentsByCode[target].Codes
            : store.FhirCodeGroups.GetValueOrDefault(Vocab.Suggestions.ReferralPrefix + target, []);
        return codes.FirstOrDefault(c => c.System == Vocab.Suggestions.ReferralCodeSystem && c.Verification == "verified");
    }

    /// <summary>Whether <paramref name="target"/> is a first-line treatment (offered only while it is not documented).</summary>
    public static bool IsTreatmentReferral(RuleStoreSnapshot store, string target)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.TreatmentsByCode.TryGetValue(target, out var entry) && entry.Category == Vocab.Suggestions.ReferralTreatmentCategory;
    }
}
