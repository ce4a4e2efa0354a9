using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace DecisionApi.Features.CdsHooks;

public static class PrefetchKeys
{
    public const string Patient = "patient";
    public const string KneeOaConditions = "kneeOaConditions";
    public const string KlGradeObservations = "klGradeObservations";
    public const string BmiObservations = "bmiObservations";
    public const string Procedures = "procedures";
    public const string MedicationStatements = "medicationStatements";
    public const string MedicationRequests = "medicationRequests";
    public const string CarePlans = "carePlans";
    public const string ServiceRequests = "serviceRequests";

    /// <summary>Every Condition, the problem list included: a replaced knee is often recorded there (issue #20).</summary>
    public const string Conditions = "conditions";

    public static readonly string[] All = [Patient, KneeOaConditions, KlGradeObservations, BmiObservations, Procedures, MedicationStatements, MedicationRequests, CarePlans, ServiceRequests, Conditions];
}

/// <summary>The prefetch templates offered in discovery, built once from the store's codes. Only 2.0-valid tokens.</summary>
public sealed class PrefetchTemplates(FhirCodeMap codes)
{
    public IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        [PrefetchKeys.Patient] = "Patient/{{context.patientId}}",
        [PrefetchKeys.KneeOaConditions] = "Condition?patient={{context.patientId}}&code=" + Tokens(codes.KneeOsteoarthritisCodings),
        [PrefetchKeys.KlGradeObservations] = "Observation?patient={{context.patientId}}&code=" + Tokens(codes.KlGradeObservationCodings) + "&_sort=-date&_count=10",
        [PrefetchKeys.BmiObservations] = "Observation?patient={{context.patientId}}&code=" + Tokens(codes.BmiObservationCodings) + "&_sort=-date&_count=5",
        // Not filtered by code: real charts record first-line care with product codes and text the store cannot list.
        [PrefetchKeys.Procedures] = "Procedure?patient={{context.patientId}}",
        [PrefetchKeys.MedicationStatements] = "MedicationStatement?patient={{context.patientId}}",
        [PrefetchKeys.MedicationRequests] = "MedicationRequest?patient={{context.patientId}}",
        [PrefetchKeys.CarePlans] = "CarePlan?patient={{context.patientId}}&status=active,completed",
        [PrefetchKeys.ServiceRequests] = "ServiceRequest?patient={{context.patientId}}&status=completed",
        // Not filtered by code either: a replaced knee is recorded on the problem list with codes and text of many kinds.
        [PrefetchKeys.Conditions] = "Condition?patient={{context.patientId}}",
    };

    private static string Tokens(IEnumerable<RuleStore.Content.CodeMapping> codings) =>
        string.Join(',', codings.Select(c => $"{c.System}|{c.Code}").Distinct(StringComparer.Ordinal));
}

/// <summary>
/// Every prefetch key's data: the JSON the EHR sent or we fetched, which keys had no data, which were partial, and which
/// could not be retrieved (not sent, sent as an OperationOutcome, or a failed fetch).
/// </summary>
public sealed class ResolvedPrefetch
{
    // Per key (PrefetchKeys.All order): the pages sent or fetched, and their resources, listed once on first use.
    private readonly List<JsonElement>?[] pages = new List<JsonElement>?[PrefetchKeys.All.Length];
    private readonly List<JsonElement>?[] resources = new List<JsonElement>?[PrefetchKeys.All.Length];

    public HashSet<string> NoData { get; } = [];
    public HashSet<string> Partial { get; } = [];
    public HashSet<string> Unavailable { get; } = [];

    public void Add(string key, JsonElement page)
    {
        var index = IndexOf(key);
        (pages[index] ??= []).Add(page);
        resources[index] = null;
    }

    /// <summary>The patient the call is for (<c>context.patientId</c>): resources that name another patient are left out.</summary>
    public string? PatientId { get; init; }

    /// <summary>The key's resources: every page's Bundle entries (or the single resource sent), OperationOutcomes and other patients' left out.</summary>
    public ReadOnlySpan<JsonElement> Resources(string key)
    {
        var index = IndexOf(key);
        if (resources[index] is not { } list)
        {
            resources[index] = list = [];
            foreach (var page in pages[index] ?? [])
            {
                FhirJson.AddResources(page, PatientId, list);
            }
        }

        return CollectionsMarshal.AsSpan(list);
    }

    private static int IndexOf(string key) =>
        System.Array.IndexOf(PrefetchKeys.All, key) is var index and >= 0 ? index : throw new ArgumentOutOfRangeException(nameof(key), key, "Not a prefetch key.");
}

/// <summary>The outcome of completing the prefetch: the data, or the required keys (only the Patient) that could not be obtained.</summary>
public sealed record PrefetchResult(ResolvedPrefetch Prefetch, IReadOnlyList<string> MissingKeys);

/// <summary>
/// Completes the prefetch. A key sent as null means "no data". A key not sent (or sent as an OperationOutcome), or a next
/// page, is fetched from <c>fhirServer</c> only when that server is on the allowlist and the token is usable, with the
/// EHR's bearer token. All fetches of one call run in parallel under one deadline (<c>FhirDeadlineSeconds</c>), each
/// response is read through a size cap (<c>FhirMaxResponseBytes</c>) and all of them share a total cap
/// (<c>FhirMaxTotalBytes</c>). Only the Patient is required; any other key that cannot be had is reported as unavailable.
/// </summary>
public sealed partial class PrefetchResolver(
    PrefetchTemplates templates, IHttpClientFactory httpClients, IOptions<CdsHooksOptions> options, ILogger<PrefetchResolver> logger)
{
    public const string HttpClientName = "fhir";
    private const int MaxPages = 5;

    public async ValueTask<PrefetchResult> ResolveAsync(JsonElement request, JsonElement context, CancellationToken cancellationToken)
    {
        var resolved = new ResolvedPrefetch { PatientId = context.Text("patientId") };
        var prefetch = request.Property("prefetch");
        var token = request.Property("fhirAuthorization")?.Text("access_token");
        // A token with control characters (CR/LF header injection) is refused before any request is built: the fhirServer
        // is then treated as unusable.
        var server = token is not null && !UsableToken(token) ? null : AllowedServer(request.Text("fhirServer"));

        // Each key is settled from what was sent when nothing can be fetched for it (the common call: everything
        // prefetched, or no usable fhirServer); only the rest become fetches, all in parallel under one deadline.
        var keys = PrefetchKeys.All;
        var outcomes = new KeyOutcome[keys.Length];
        List<Task<KeyResult>>? fetches = null;
        CancellationTokenSource? deadline = null;
        ByteBudget? budget = null;
        try
        {
            for (var i = 0; i < keys.Length; i++)
            {
                JsonElement? sentPage = null;
                if (prefetch is { ValueKind: JsonValueKind.Object } sent && sent.TryGetProperty(keys[i], out var value))
                {
                    if (value.ValueKind == JsonValueKind.Null)
                    {
                        resolved.NoData.Add(keys[i]);
                        outcomes[i] = new KeyOutcome(Settled: true, NoData: true, null, Partial: false, null);
                        continue;
                    }

                    if (!OnlyOperationOutcome(value))
                    {
                        sentPage = value;
                    }
                }

                var hasNextPage = sentPage is { } page && FhirJson.NextPage(page) is not null;
                if (server is null || (sentPage is not null && !hasNextPage))
                {
                    outcomes[i] = new KeyOutcome(Settled: true, NoData: false, sentPage, Partial: hasNextPage, null);
                    continue;
                }

                if (deadline is null)
                {
                    deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    deadline.CancelAfter(TimeSpan.FromSeconds(Math.Max(0.1, options.Value.FhirDeadlineSeconds)));
                }

                // The Patient (first in the key order, so its fetch starts first) has a budget of its own: the optional
                // keys, however large, cannot starve it into a 412.
                var keyBudget = keys[i] == PrefetchKeys.Patient
                    ? new ByteBudget(options.Value.FhirMaxResponseBytes)
                    : budget ??= new ByteBudget(options.Value.FhirMaxTotalBytes);
                var fetch = ResolveKeyAsync(keys[i], sentPage, server, token, context, keyBudget, deadline.Token);
                (fetches ??= []).Add(fetch);
                outcomes[i] = new KeyOutcome(Settled: false, NoData: false, null, Partial: false, fetch);
            }

            if (fetches is not null)
            {
                await Task.WhenAll(fetches);
            }
        }
        finally
        {
            deadline?.Dispose();
        }

        var missing = new List<string>();
        for (var i = 0; i < keys.Length; i++)
        {
            var outcome = outcomes[i];
            if (outcome.NoData)
            {
                continue;
            }

            var pageCount = 0;
            var partial = outcome.Partial;
            if (outcome.Settled)
            {
                if (outcome.Page is { } page)
                {
                    resolved.Add(keys[i], page);
                    pageCount = 1;
                }
            }
            else
            {
                var result = outcome.Fetch!.Result;
                foreach (var page in result.Pages)
                {
                    resolved.Add(keys[i], page);
                }

                pageCount = result.Pages.Count;
                partial = result.Partial;
            }

            if (pageCount == 0)
            {
                if (keys[i] == PrefetchKeys.Patient)
                {
                    missing.Add(keys[i]);
                }
                else
                {
                    resolved.Unavailable.Add(keys[i]);
                }
            }
            else if (partial)
            {
                resolved.Partial.Add(keys[i]);
            }
        }

        // A Patient resource for someone else (or none at all in what was sent) is not this patient's chart.
        if (missing.Count == 0 && !HasPatient(resolved.Resources(PrefetchKeys.Patient)))
        {
            missing.Add(PrefetchKeys.Patient);
        }

        return new PrefetchResult(resolved, missing);
    }

    private static bool HasPatient(ReadOnlySpan<JsonElement> resources)
    {
        foreach (var resource in resources)
        {
            if (resource.Is("resourceType", "Patient"))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One key: settled from what was sent (a page, or nothing), or a fetch under way.</summary>
    private readonly record struct KeyOutcome(bool Settled, bool NoData, JsonElement? Page, bool Partial, Task<KeyResult>? Fetch);

    private sealed record KeyResult(string Key, List<JsonElement> Pages, bool Partial);

    private async Task<KeyResult> ResolveKeyAsync(
        string key, JsonElement? sentPage, Uri? server, string? token, JsonElement context, ByteBudget budget, CancellationToken deadline)
    {
        var pages = new List<JsonElement>();
        var page = sentPage;
        if (page is null)
        {
            if (server is null)
            {
                return new KeyResult(key, pages, false);
            }

            page = await FetchAsync(new Uri(server, Query(templates.All[key], context)), token, budget, deadline);
            if (page is null || OnlyOperationOutcome(page.Value))
            {
                return new KeyResult(key, pages, false);
            }
        }

        pages.Add(page.Value);
        for (var pageCount = 1; FhirJson.NextPage(page.Value) is { } next; pageCount++)
        {
            if (server is null || pageCount >= MaxPages || NextPageUri(server, next) is not { } nextUri)
            {
                return new KeyResult(key, pages, true);
            }

            page = await FetchAsync(nextUri, token, budget, deadline);
            if (page is null)
            {
                return new KeyResult(key, pages, true);
            }

            pages.Add(page.Value);
        }

        return new KeyResult(key, pages, false);
    }

    /// <summary>An OperationOutcome, or a Bundle whose only entries are OperationOutcomes: the EHR could not run the query.</summary>
    private static bool OnlyOperationOutcome(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var type = value.Text("resourceType");
        if (type == "OperationOutcome")
        {
            return true;
        }

        if (type != "Bundle")
        {
            return false;
        }

        var any = false;
        foreach (var entry in value.Array("entry"))
        {
            if (entry.Property("resource") is not { } resource || !resource.Is("resourceType", "OperationOutcome"))
            {
                return false;
            }

            any = true;
        }

        return any;
    }

    /// <summary>Tokens are sent in a header: no control characters, no spaces, not empty, bounded.</summary>
    public static bool UsableToken(string token) =>
        token.Length is > 0 and <= 8192 && token.All(c => c > ' ' && c < (char)0x7F);

    /// <summary>
    /// A next link is followed only when its parsed URI is on the allowlisted base: same scheme, host and port, path under
    /// the base path, no user info, no dot segments (plain or percent-encoded).
    /// </summary>
    public static Uri? NextPageUri(Uri server, string next)
    {
        if (next.Length > 4096 || !Uri.TryCreate(next, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var raw = next.Split('?', '#')[0];
        var segments = raw.Split('/');
        if (segments.Any(s => s is "." or "..") || raw.Contains("%2e", StringComparison.OrdinalIgnoreCase)
            || raw.Contains('\\') || raw.Contains("%2f", StringComparison.OrdinalIgnoreCase) || raw.Contains("%5c", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var basePath = server.AbsolutePath.EndsWith('/') ? server.AbsolutePath : server.AbsolutePath + "/";
        return string.Equals(uri.Scheme, server.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.IdnHost, server.IdnHost, StringComparison.OrdinalIgnoreCase)
            && uri.Port == server.Port
            && uri.UserInfo.Length == 0
            && uri.AbsolutePath.StartsWith(basePath, StringComparison.Ordinal)
            ? uri
            : null;
    }

    private Uri? AllowedServer(string? fhirServer)
    {
        if (fhirServer is null)
        {
            return null;
        }

        var normalized = fhirServer.TrimEnd('/');
        return options.Value.FhirServerAllowlist.Any(allowed => string.Equals(allowed.TrimEnd('/'), normalized, StringComparison.Ordinal))
            && Uri.TryCreate(normalized + "/", UriKind.Absolute, out var uri)
            ? uri
            : null;
    }

    private static string Query(string template, JsonElement context)
    {
        var query = template;
        foreach (var field in new[] { "patientId", "userId", "encounterId" })
        {
            query = query.Replace("{{context." + field + "}}", Uri.EscapeDataString(context.Text(field) ?? ""), StringComparison.Ordinal);
        }

        return query;
    }

    private async Task<JsonElement?> FetchAsync(Uri uri, string? token, ByteBudget budget, CancellationToken deadline)
    {
        var settings = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(deadline);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(0.1, settings.FhirTimeoutSeconds)));
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                LogFetchFailed(logger, (int)response.StatusCode);
                return null;
            }

            var cap = settings.FhirMaxResponseBytes;
            if (response.Content.Headers.ContentLength is { } length && length > cap)
            {
                LogFetchError(logger, "ResponseTooLarge");
                return null;
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await body.ReadAsync(chunk, timeout.Token)) > 0)
            {
                if (buffer.Length + read > cap || !budget.TryTake(read))
                {
                    LogFetchError(logger, "ResponseTooLarge");
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }

            buffer.Position = 0;
            using var document = await JsonDocument.ParseAsync(buffer, new JsonDocumentOptions { MaxDepth = 64 }, timeout.Token);
            // The parser accepts invalid UTF-8 and unpaired surrogate escapes inside strings; reading one later throws. Such a
            // response is not read at all: its key is reported as not retrieved, never a 500.
            if (!FhirJson.AllStringsReadable(document.RootElement))
            {
                LogFetchError(logger, "UnreadableText");
                return null;
            }

            return document.RootElement.Clone();
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or JsonException or IOException)
        {
            LogFetchError(logger, exception.GetType().Name);
            return null;
        }
    }

    /// <summary>The bytes all fetches of one CDS call may read together.</summary>
    private sealed class ByteBudget(long total)
    {
        private long remaining = total;

        public bool TryTake(long bytes) => Interlocked.Add(ref remaining, -bytes) >= 0;
    }

    // The token and the URL (which carries the patient id) are never logged.
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "FHIR server answered {StatusCode} to a prefetch query")]
    private static partial void LogFetchFailed(ILogger logger, int statusCode);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "FHIR prefetch query failed: {ErrorType}")]
    private static partial void LogFetchError(ILogger logger, string errorType);
}
