using System.Collections.Concurrent;

namespace DecisionApi.Features.CdsHooks.Security;

/// <summary>
/// Remembers each (issuer, jti) until its token's <c>exp</c> plus the clock skew, so a replayed JWT is refused.
/// Partitioned per client: each issuer (only configured issuers whose signature was verified reach it) has its own
/// entries and its own byte budget (<see cref="MaxBytesPerClient"/>), so one client filling its part (a flood of tokens)
/// refuses only that client's new tokens (fail closed), never another client's. Token lifetimes are capped by the
/// validator (<c>MaxLifetimeSeconds</c>), so entries leave within minutes. Thread-safe.
/// </summary>
public sealed class CdsJtiReplayCache(TimeProvider time)
{
    /// <summary>Most bytes one client's entries may take (jti characters plus <see cref="EntryOverheadBytes"/> each).</summary>
    public const long MaxBytesPerClient = 8 * 1024 * 1024;

    /// <summary>What one entry is counted as beyond its jti's characters (key tuple, expiry, dictionary node).</summary>
    public const int EntryOverheadBytes = 96;

    /// <summary>Expired entries of a client are swept after this many of its registrations.</summary>
    private const int SweepEvery = 1024;

    private readonly ConcurrentDictionary<string, Partition> partitions = new(StringComparer.Ordinal);

    /// <summary>Live entries of all clients, approximately.</summary>
    public int Count => partitions.Values.Sum(p => p.Count);

    /// <summary>Live entries of one client, approximately.</summary>
    public int CountOf(string issuer) => partitions.TryGetValue(issuer, out var partition) ? partition.Count : 0;

    /// <summary>Bytes counted for one client's entries.</summary>
    public long BytesOf(string issuer) => partitions.TryGetValue(issuer, out var partition) ? partition.Bytes : 0;

    /// <summary>
    /// Records the jti. False when the same issuer's jti is already recorded and has not expired, or when that issuer's
    /// part of the cache is full.
    /// </summary>
    public bool TryRegister(string issuer, string jti, DateTimeOffset keepUntil)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(jti);
        return partitions.GetOrAdd(issuer, static _ => new Partition()).TryRegister(jti, keepUntil, time.GetUtcNow());
    }

    private static long SizeOf(string jti) => (jti.Length * sizeof(char)) + EntryOverheadBytes;

    private sealed class Partition
    {
        private readonly ConcurrentDictionary<string, DateTimeOffset> seen = new(StringComparer.Ordinal);
        private int count;
        private long bytes;
        private int registrationsSinceSweep;
        private int sweeping;

        public int Count => Volatile.Read(ref count);

        public long Bytes => Interlocked.Read(ref bytes);

        public bool TryRegister(string jti, DateTimeOffset keepUntil, DateTimeOffset now)
        {
            var size = SizeOf(jti);
            if (Interlocked.Increment(ref registrationsSinceSweep) >= SweepEvery || Bytes + size > MaxBytesPerClient)
            {
                Sweep(now);
            }

            while (true)
            {
                if (seen.TryGetValue(jti, out var existing))
                {
                    if (existing > now)
                    {
                        return false;
                    }

                    // The earlier token with this jti has expired: its entry may be reused.
                    if (seen.TryUpdate(jti, keepUntil, existing))
                    {
                        return true;
                    }

                    continue;
                }

                if (Interlocked.Add(ref bytes, size) > MaxBytesPerClient)
                {
                    Interlocked.Add(ref bytes, -size);
                    return false;
                }

                if (seen.TryAdd(jti, keepUntil))
                {
                    Interlocked.Increment(ref count);
                    return true;
                }

                Interlocked.Add(ref bytes, -size);
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
                        Interlocked.Add(ref bytes, -SizeOf(entry.Key));
                    }
                }
            }
            finally
            {
                Volatile.Write(ref sweeping, 0);
            }
        }
    }
}
