using System.Collections.Concurrent;

namespace DecisionApi.Features.CdsHooks.Security;

/// <summary>
/// Remembers each (issuer, jti) until its token's <c>exp</c> plus the clock skew, so a replayed JWT is refused.
/// Thread-safe and bounded: at <see cref="MaxEntries"/> live entries a new one is refused (fail closed).
/// </summary>
public sealed class CdsJtiReplayCache(TimeProvider time)
{
    /// <summary>Most entries kept at once.</summary>
    public const int MaxEntries = 100_000;

    /// <summary>Expired entries are swept after this many registrations.</summary>
    private const int SweepEvery = 1024;

    private readonly ConcurrentDictionary<(string Issuer, string Jti), DateTimeOffset> seen = new();
    private int count;
    private int registrationsSinceSweep;
    private int sweeping;

    /// <summary>Live entries, approximately.</summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>
    /// Records the jti. False when the same issuer's jti is already recorded and has not expired, or when the cache is full.
    /// </summary>
    public bool TryRegister(string issuer, string jti, DateTimeOffset keepUntil)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(jti);

        var now = time.GetUtcNow();
        if (Interlocked.Increment(ref registrationsSinceSweep) >= SweepEvery || Volatile.Read(ref count) >= MaxEntries)
        {
            Sweep(now);
        }

        var key = (issuer, jti);
        while (true)
        {
            if (seen.TryGetValue(key, out var existing))
            {
                if (existing > now)
                {
                    return false;
                }

                // The earlier token with this jti has expired: its entry may be reused.
                if (seen.TryUpdate(key, keepUntil, existing))
                {
                    return true;
                }

                continue;
            }

            if (Volatile.Read(ref count) >= MaxEntries)
            {
                return false;
            }

            if (seen.TryAdd(key, keepUntil))
            {
                Interlocked.Increment(ref count);
                return true;
            }
        }
    }

    /// <summary>Removes the expired entries (one sweeper at a time).</summary>
    private void Sweep(DateTimeOffset now)
    {
        if (Interlocked.CompareExchange(ref sweeping, 1, 0) != 0)
        {
            return;
        }

        try
        {
            Volatile.Write(ref registrationsSinceSweep, 0);
            foreach (var entry in seen)
            {
                if (entry.Value <= now && seen.TryRemove(entry))
                {
                    Interlocked.Decrement(ref count);
                }
            }
        }
        finally
        {
            Volatile.Write(ref sweeping, 0);
        }
    }
}
