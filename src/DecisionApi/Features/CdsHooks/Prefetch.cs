using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace DecisionApi.Features.CdsHooks;

public static class PrefetchKeys
{
    public const string Patient = "patient";
    public const string KneeOaConditions = "kneeOaConditions";
    public const string KlGradeObservations = "klGradeObservations";
    public const string Procedures = "procedures";
    public const string MedicationStatements = "medicationStatements";
    public const string MedicationRequests = "medicationRequests";
    public const string CarePlans = "carePlans";
    public const string ServiceRequests = "serviceRequests";

    public static readonly string[] All = [Patient, KneeOaConditions, KlGradeObservations, Procedures, MedicationStatements, MedicationRequests, CarePlans, ServiceRequests];
}

/// <summary>The prefetch templates offered in discovery, built once from the store's codes. Only 2.0-valid tokens.</summary>
public sealed class PrefetchTemplates(FhirCodeMap codes)
{
    public IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        [PrefetchKeys.Patient] = "Patient/{{context.patientId}}",
        [PrefetchKeys.KneeOaConditions] = "Condition?patient={{context.patientId}}&code=" + Tokens(codes.KneeOsteoarthritisCodings),
        [PrefetchKeys.KlGradeObservations] = "Observation?patient={{context.patientId}}&code=" + Tokens(codes.KlGradeObservationCodings) + "&_sort=-date&_count=10",
        // Not filtered by code: real charts record first-line care with product codes and text the store cannot list.
        [PrefetchKeys.Procedures] = "Procedure?patient={{context.patientId}}",
        [PrefetchKeys.MedicationStatements] = "MedicationStatement?patient={{context.patientId}}",
        [PrefetchKeys.MedicationRequests] = "MedicationRequest?patient={{context.patientId}}",
        [PrefetchKeys.CarePlans] = "CarePlan?patient={{context.patientId}}&status=active,completed",
        [PrefetchKeys.ServiceRequests] = "ServiceRequest?patient={{context.patientId}}&status=completed",
    };

    private static string Tokens(IEnumerable<RuleStore.Content.CodeMapping> codings) =>
        string.Join(',', codings.Select(c => $"{c.System}|{c.Code}").Distinct(StringComparer.Ordinal));
}

/// <summary>Every prefetch key's data: the JSON the EHR sent or we fetched, which keys had no data, which were partial.</summary>
public sealed class ResolvedPrefetch
{
    private readonly Dictionary<string, List<JsonElement>> pages = [];

    public HashSet<string> NoData { get; } = [];
    public HashSet<string> Partial { get; } = [];

    public void Add(string key, JsonElement page)
    {
        if (!pages.TryGetValue(key, out var list))
        {
            pages[key] = list = [];
        }

        list.Add(page);
    }

    public IEnumerable<JsonElement> Resources(string key) => pages.GetValueOrDefault(key, []).SelectMany(FhirJson.Resources);
}

/// <summary>The outcome of completing the prefetch: the data, or the keys that could not be obtained.</summary>
public sealed record PrefetchResult(ResolvedPrefetch Prefetch, IReadOnlyList<string> MissingKeys);

/// <summary>
/// Completes the prefetch. A key sent as null means "no data". A missing key, or a next page, is fetched from
/// <c>fhirServer</c> only when that server is on the allowlist, with the EHR's bearer token and a bounded time-out.
/// </summary>
public sealed partial class PrefetchResolver(
    PrefetchTemplates templates, IHttpClientFactory httpClients, IOptions<CdsHooksOptions> options, ILogger<PrefetchResolver> logger)
{
    public const string HttpClientName = "fhir";
    private const int MaxPages = 5;

    public async Task<PrefetchResult> ResolveAsync(JsonElement request, JsonElement context, CancellationToken cancellationToken)
    {
        var resolved = new ResolvedPrefetch();
        var prefetch = request.Property("prefetch");
        var server = AllowedServer(request.Text("fhirServer"));
        var token = request.Property("fhirAuthorization")?.Text("access_token");
        var missing = new List<string>();

        foreach (var key in PrefetchKeys.All)
        {
            JsonElement? page;
            if (prefetch is { ValueKind: JsonValueKind.Object } sent && sent.TryGetProperty(key, out var value))
            {
                if (value.ValueKind == JsonValueKind.Null)
                {
                    resolved.NoData.Add(key);
                    continue;
                }

                page = value;
            }
            else if (server is null)
            {
                missing.Add(key);
                continue;
            }
            else
            {
                page = await FetchAsync(server, Query(templates.All[key], context), token, cancellationToken);
                if (page is null)
                {
                    missing.Add(key);
                    continue;
                }
            }

            await AddWithPagesAsync(resolved, key, page.Value, server, token, cancellationToken);
        }

        return new PrefetchResult(resolved, missing);
    }

    private async Task AddWithPagesAsync(ResolvedPrefetch resolved, string key, JsonElement page, string? server, string? token, CancellationToken cancellationToken)
    {
        resolved.Add(key, page);
        for (var pageCount = 1; FhirJson.NextPage(page) is { } next; pageCount++)
        {
            if (server is null || pageCount >= MaxPages || !next.StartsWith(server + "/", StringComparison.Ordinal))
            {
                resolved.Partial.Add(key);
                return;
            }

            if (await FetchAsync(server, next[(server.Length + 1)..], token, cancellationToken) is not { } fetched)
            {
                resolved.Partial.Add(key);
                return;
            }

            resolved.Add(key, fetched);
            page = fetched;
        }
    }

    private string? AllowedServer(string? fhirServer)
    {
        if (fhirServer is null)
        {
            return null;
        }

        var normalized = fhirServer.TrimEnd('/');
        return options.Value.FhirServerAllowlist.Any(allowed => string.Equals(allowed.TrimEnd('/'), normalized, StringComparison.Ordinal))
            ? normalized
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

    private async Task<JsonElement?> FetchAsync(string server, string relative, string? token, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.FhirTimeoutSeconds));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server + "/" + relative));
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

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: timeout.Token);
            return document.RootElement.Clone();
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or JsonException)
        {
            LogFetchError(logger, exception.GetType().Name);
            return null;
        }
    }

    // The token and the URL (which carries the patient id) are never logged.
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "FHIR server answered {StatusCode} to a prefetch query")]
    private static partial void LogFetchFailed(ILogger logger, int statusCode);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "FHIR prefetch query failed: {ErrorType}")]
    private static partial void LogFetchError(ILogger logger, string errorType);
}
