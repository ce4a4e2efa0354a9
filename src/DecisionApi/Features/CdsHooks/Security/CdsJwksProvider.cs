using System.Collections.Concurrent;
using System.Net;
using Microsoft.IdentityModel.Tokens;

namespace DecisionApi.Features.CdsHooks.Security;

/// <summary>
/// The public keys of each trusted CDS client, from its configured JWK Set file (<c>JwksPath</c>, read once) and/or
/// URL (<c>JwksUrl</c>, fetched only from that exact address, cached, refetched once a minute at most when a <c>kid</c>
/// is unknown). Never throws for a missing, unreachable or malformed key set: it just has no keys.
/// </summary>
public sealed partial class CdsJwksProvider(IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<CdsJwksProvider> logger)
{
    /// <summary>Name of the <see cref="HttpClient"/> used for JWK Set URLs.</summary>
    public const string HttpClientName = "CdsHooks.Jwks";

    /// <summary>A fetched key set is refreshed after this long.</summary>
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromMinutes(10);

    /// <summary>When refreshing fails, the last fetched keys are still used until they are this old.</summary>
    public static readonly TimeSpan MaxKeyAge = TimeSpan.FromHours(1);

    /// <summary>At most one fetch (or file read) per source in this interval, whatever the reason.</summary>
    public static readonly TimeSpan MinRefetchInterval = TimeSpan.FromMinutes(1);

    /// <summary>Time-out of one JWK Set fetch.</summary>
    public static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Largest JWK Set accepted, in bytes (file or URL).</summary>
    public const int MaxJwksBytes = 256 * 1024;

    private readonly ConcurrentDictionary<string, SourceState> sources = new(StringComparer.Ordinal);

    /// <summary>The keys of <paramref name="client"/> whose <c>kid</c> is <paramref name="kid"/> (usually one, possibly none).</summary>
    public async Task<IReadOnlyList<JsonWebKey>> GetKeysAsync(CdsClientOptions client, string kid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(kid);

        var found = new List<JsonWebKey>();
        if (!string.IsNullOrWhiteSpace(client.JwksPath))
        {
            var path = ResolvePath(client.JwksPath);
            var state = sources.GetOrAdd("file:" + path, _ => new SourceState());
            found.AddRange(await GetFromSourceAsync(state, kid, isFile: true, () => ReadFileAsync(path), cancellationToken));
        }

        if (!string.IsNullOrWhiteSpace(client.JwksUrl))
        {
            var url = client.JwksUrl.Trim();
            var state = sources.GetOrAdd("url:" + url, _ => new SourceState());
            found.AddRange(await GetFromSourceAsync(state, kid, isFile: false, () => FetchAsync(url), cancellationToken));
        }

        return found;
    }

    /// <summary>A relative <c>JwksPath</c> is resolved against the service's own folder.</summary>
    public static string ResolvePath(string path) => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, path.Trim()));

    private async Task<IReadOnlyList<JsonWebKey>> GetFromSourceAsync(
        SourceState state, string kid, bool isFile, Func<Task<IReadOnlyList<JsonWebKey>?>> load, CancellationToken cancellationToken)
    {
        var snapshot = state.Current;
        if (snapshot is not null && !NeedsLoad(snapshot, kid))
        {
            return Usable(snapshot, kid);
        }

        // Waits for a load in progress (so concurrent first calls share one fetch); loads at most once per interval.
        await state.Gate.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have loaded while this one waited.
            snapshot = state.Current;
            if ((snapshot is null || NeedsLoad(snapshot, kid)) && CanLoad(state))
            {
                state.LastAttempt = time.GetUtcNow();
                var keys = await load();
                if (keys is not null)
                {
                    state.Current = snapshot = new KeySnapshot(keys, time.GetUtcNow(), isFile);
                }
            }
        }
        finally
        {
            state.Gate.Release();
        }

        return snapshot is null ? [] : Usable(snapshot, kid);
    }

    /// <summary>A file is read once; a URL is refetched when old or when the kid is not in it.</summary>
    private bool NeedsLoad(KeySnapshot snapshot, string kid) =>
        !snapshot.IsFile
        && (time.GetUtcNow() - snapshot.LoadedAt >= RefreshAfter || !snapshot.Keys.Any(k => string.Equals(k.Kid, kid, StringComparison.Ordinal)));

    private bool CanLoad(SourceState state) =>
        state.LastAttempt is not { } last || time.GetUtcNow() - last >= MinRefetchInterval;

    private List<JsonWebKey> Usable(KeySnapshot snapshot, string kid) =>
        snapshot.IsFile || time.GetUtcNow() - snapshot.LoadedAt < MaxKeyAge
            ? snapshot.Keys.Where(k => string.Equals(k.Kid, kid, StringComparison.Ordinal)).ToList()
            : [];

    /// <summary>Reads the file. Not cancelled by the caller: an aborted request must not leave the source keyless for a minute.</summary>
    private async Task<IReadOnlyList<JsonWebKey>?> ReadFileAsync(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                LogJwksFileProblem(logger, path, "file not found");
                return null;
            }

            if (info.Length > MaxJwksBytes)
            {
                LogJwksFileProblem(logger, path, "file too large");
                return null;
            }

            var json = await File.ReadAllTextAsync(path, CancellationToken.None);
            return Parse(json, out var problem) ?? LogFileAndFail(path, problem);
        }
        catch (Exception exception)
        {
            LogJwksFileProblem(logger, path, exception.GetType().Name);
            return null;
        }
    }

    private IReadOnlyList<JsonWebKey>? LogFileAndFail(string path, string problem)
    {
        LogJwksFileProblem(logger, path, problem);
        return null;
    }

    private async Task<IReadOnlyList<JsonWebKey>?> FetchAsync(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
        {
            LogJwksUrlProblem(logger, url, "not an https URL (http is allowed on loopback only)");
            return null;
        }

        // Not the caller's token: an aborted request must not cancel a fetch other requests wait for.
        using var timeout = new CancellationTokenSource(FetchTimeout);
        try
        {
            var client = httpClientFactory.CreateClient(HttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                LogJwksUrlProblem(logger, url, "HTTP " + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
                return null;
            }

            if (response.Content.Headers.ContentLength > MaxJwksBytes)
            {
                LogJwksUrlProblem(logger, url, "response too large");
                return null;
            }

            var json = await ReadLimitedAsync(response.Content, timeout.Token);
            if (json is null)
            {
                LogJwksUrlProblem(logger, url, "response too large");
                return null;
            }

            var keys = Parse(json, out var problem);
            if (keys is null)
            {
                LogJwksUrlProblem(logger, url, problem);
                return null;
            }

            LogJwksFetched(logger, url, keys.Count);
            return keys;
        }
        catch (OperationCanceledException)
        {
            LogJwksUrlProblem(logger, url, "timed out");
            return null;
        }
        catch (Exception exception)
        {
            LogJwksUrlProblem(logger, url, exception.GetType().Name);
            return null;
        }
    }

    private static async Task<string?> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxJwksBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The signing keys (RSA or EC, <c>use</c> absent or <c>sig</c>, with a <c>kid</c>) of a JWK Set.</summary>
    internal static IReadOnlyList<JsonWebKey>? Parse(string json, out string problem)
    {
        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(json);
        }
        catch (Exception exception) when (exception is ArgumentException or System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            problem = "not a JWK Set";
            return null;
        }

        problem = "";
        return set.Keys
            .Where(k => k.Kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve)
            .Where(k => string.IsNullOrEmpty(k.Use) || k.Use == JsonWebKeyUseNames.Sig)
            .Where(k => !string.IsNullOrEmpty(k.Kid))
            .ToList();
    }

    private sealed class SourceState
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public volatile KeySnapshot? Current;

        private long lastAttemptTicks = long.MinValue;

        public DateTimeOffset? LastAttempt
        {
            get
            {
                var ticks = Interlocked.Read(ref lastAttemptTicks);
                return ticks == long.MinValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
            }
            set => Interlocked.Exchange(ref lastAttemptTicks, value?.UtcTicks ?? long.MinValue);
        }
    }

    private sealed record KeySnapshot(IReadOnlyList<JsonWebKey> Keys, DateTimeOffset LoadedAt, bool IsFile);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Warning, Message = "CDS Hooks JWK Set file {Path} unusable: {Problem}")]
    private static partial void LogJwksFileProblem(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Warning, Message = "CDS Hooks JWK Set URL {Url} unusable: {Problem}")]
    private static partial void LogJwksUrlProblem(ILogger logger, string url, string problem);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Information, Message = "CDS Hooks JWK Set fetched from {Url}: {KeyCount} signing keys")]
    private static partial void LogJwksFetched(ILogger logger, string url, int keyCount);
}
