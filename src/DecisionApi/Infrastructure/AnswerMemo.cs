using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;

namespace DecisionApi.Infrastructure;

/// <summary><c>AnswerMemo:*</c> settings: how many megabytes of encoded answers each memo may hold (0 turns it off).</summary>
public sealed class AnswerMemoOptions
{
    public const string SectionName = "AnswerMemo";

    /// <summary>Evidence summaries (POST /v1/evaluations), about 115 KB each.</summary>
    public double EvaluationMegabytes { get; set; } = 16;

    /// <summary>CDS Hooks cards, about 3 KB each.</summary>
    public double CardMegabytes { get; set; } = 4;

    internal static long Bytes(double megabytes) => megabytes <= 0 ? 0 : (long)(megabytes * 1024 * 1024);
}

/// <summary>An answer as the bytes sent, with the audit facts of the evaluation behind it.</summary>
/// <param name="Body">The UTF-8 JSON body.</param>
/// <param name="Category">The assessment category (for the audit line and the metrics).</param>
/// <param name="AuditRules">The rules behind the answer, for the audit line (<see cref="EvaluationResult.AuditRules"/>).</param>
/// <param name="UuidOffset">Where a card's uuid starts in <paramref name="Body"/> (a fresh one is written on every answer); -1 for none.</param>
/// <param name="Plan">For a CDS card, the suggestions its category offers (added per request: they name the order and the patient).</param>
public sealed record EncodedAnswer(byte[] Body, string Category, string AuditRules, int UuidOffset = -1, IReadOnlyList<string>? Plan = null);

/// <summary>
/// Answers are pure: the same profile (or chart reading), language and store give the same bytes. A memo keeps the
/// encoded answers of one rule store engine (a replaced store starts with an empty one), keyed by everything the answer
/// depends on, within a byte budget. An answer is kept from its second request on (<see cref="AskedBefore"/>), so a
/// stream of one-off profiles is written straight to the response as without a memo. When the budget is reached the memo
/// takes no more answers; it is emptied to follow what is asked now at most once per <see cref="RefillInterval"/>, so a
/// workload wider than the budget cannot make it churn (every refill allocates large arrays). Lookups and adds are
/// lock-free; two requests racing on the same key both compute it and one is kept.
/// </summary>
public sealed class AnswerMemo(long budgetBytes, TimeProvider? clock = null)
{
    /// <summary>The shortest time between two emptyings of a full memo.</summary>
    public static readonly TimeSpan RefillInterval = TimeSpan.FromMinutes(1);

    private readonly TimeProvider time = clock ?? TimeProvider.System;
    private long lastEmptied = (clock ?? TimeProvider.System).GetTimestamp();

    /// <summary>How many keys asked once are remembered (their keys only) before that list starts again.</summary>
    public const int SeenOnceLimit = 8192;

    /// <summary>How many bytes of keys asked once are remembered before that list starts again (long keys count in full).</summary>
    public const long SeenOnceByteLimit = 1024 * 1024;

    private readonly ConcurrentDictionary<string, EncodedAnswer> entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> seenOnce = new(StringComparer.Ordinal);
    private long bytes;
    private volatile bool full;
    private int seenCount;
    private long seenBytes;

    public bool Enabled => budgetBytes > 0;

    /// <summary>Answers held now.</summary>
    public int Count => entries.Count;

    /// <summary>Bytes held now (bodies and keys), never more than the budget plus the answers being added at this moment.</summary>
    public long Bytes => Volatile.Read(ref bytes);

    /// <summary>Bytes of the keys remembered as asked once (bounded by <see cref="SeenOnceByteLimit"/> plus one key).</summary>
    public long SeenOnceBytes => Interlocked.Read(ref seenBytes);

    public bool TryGet(string key, out EncodedAnswer answer) => entries.TryGetValue(key, out answer!);

    /// <summary>Whether the answer for <paramref name="key"/> should be encoded and kept now: it was asked before, and the
    /// memo has room (or may be emptied). Remembers a key asked for the first time.</summary>
    public bool ShouldKeep(string key) => AskedBefore(key) && (!full || time.GetElapsedTime(Interlocked.Read(ref lastEmptied)) >= RefillInterval);

    /// <summary>Whether <paramref name="key"/> was asked before (so its answer is worth keeping); remembers it otherwise.</summary>
    public bool AskedBefore(string key)
    {
        if (seenOnce.TryRemove(key, out _))
        {
            Interlocked.Decrement(ref seenCount);
            Interlocked.Add(ref seenBytes, -KeyBytes(key));
            return true;
        }

        // A counter of its own: ConcurrentDictionary.Count takes every lock of the dictionary.
        if (Volatile.Read(ref seenCount) >= SeenOnceLimit || Interlocked.Read(ref seenBytes) >= SeenOnceByteLimit)
        {
            seenOnce.Clear();
            Interlocked.Exchange(ref seenCount, 0);
            Interlocked.Exchange(ref seenBytes, 0);
        }

        if (KeyBytes(key) <= SeenOnceByteLimit && seenOnce.TryAdd(key, 0))
        {
            Interlocked.Increment(ref seenCount);
            Interlocked.Add(ref seenBytes, KeyBytes(key));
        }

        return false;
    }

    private static long KeyBytes(string key) => (2L * key.Length) + 64;

    public void Add(string key, EncodedAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(answer);
        var size = answer.Body.Length + (2L * key.Length) + (2L * answer.AuditRules.Length);
        if (size > budgetBytes)
        {
            return;
        }

        if (Interlocked.Add(ref bytes, size) > budgetBytes)
        {
            var last = Interlocked.Read(ref lastEmptied);
            if (time.GetElapsedTime(last) < RefillInterval || Interlocked.CompareExchange(ref lastEmptied, time.GetTimestamp(), last) != last)
            {
                Interlocked.Add(ref bytes, -size);
                full = true;
                return;
            }

            entries.Clear();
            Interlocked.Exchange(ref bytes, size);
            full = false;
        }

        if (!entries.TryAdd(key, answer))
        {
            Interlocked.Add(ref bytes, -size);
        }
    }
}

/// <summary>Memo keys: every input an answer depends on, each value in a form that cannot run into the next.</summary>
public static class AnswerKey
{
    /// <summary>The evaluated profile and the language: the whole input of an evidence summary.</summary>
    public static string ForEvaluation(PatientProfile profile, Language language) =>
        Append(new StringBuilder(96), profile).Append('|').Append(language == Language.Zh ? "zh" : "en").ToString();

    /// <summary>Appends the profile's fields, each in a form that cannot run into the next.</summary>
    public static StringBuilder Append(StringBuilder key, PatientProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        Number(key, profile.Age).Append('|');
        Number(key, profile.KlGrade).Append('|');
        List(key, profile.PriorTreatments).Append('|');
        if (profile.Bmi is { } bmi)
        {
            key.Append(bmi.ToString("R", CultureInfo.InvariantCulture));
        }
        else
        {
            key.Append('~');
        }

        key.Append('|');
        List(key, profile.Conditions).Append('|');
        List(key, profile.Unchecked).Append('|');
        return Text(key, profile.Jurisdiction);
    }

    private static StringBuilder Number(StringBuilder key, int? value) =>
        value is { } number ? key.Append(number.ToString(CultureInfo.InvariantCulture)) : key.Append('~');

    private static StringBuilder List(StringBuilder key, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return key.Append('~');
        }

        key.Append('[');
        foreach (var value in values)
        {
            Text(key, value).Append(',');
        }

        return key.Append(']');
    }

    /// <summary>Appends a value length-prefixed, so no value (a host name, a chart term) can imitate a separator; null is "~".</summary>
    public static StringBuilder Text(StringBuilder key, string? value) =>
        value is null ? key.Append('~') : key.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append('"').Append(value);
}
