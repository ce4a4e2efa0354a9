using System.Text.Json;
using DecisionApi.Features.CdsHooks.Security;
using DecisionApi.Infrastructure;
using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace DecisionApi.Features.CdsHooks;

/// <summary>HL7 CDS Hooks 2.0: discovery, the service call, and feedback.</summary>
public static partial class CdsHooksEndpoints
{
    public const string CorsPolicy = "cds-hooks";
    private const string OrderSelect = "order-select";
    private const string PatientView = "patient-view";
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public static IEndpointRouteBuilder MapCdsHooks(this IEndpointRouteBuilder routes)
    {
        var settings = routes.ServiceProvider.GetRequiredService<IOptions<CdsHooksOptions>>().Value;
        var authenticationOn = CdsHooksServices.AuthenticationOn(routes.ServiceProvider);
        var group = routes.MapGroup("/cds-services")
            .WithTags("CDS Hooks")
            .RequireCors(CorsPolicy)
            .ClinicalApi(CdsJwtAuthenticationHandler.SchemeName, authenticationOn, settings.BodyLimitBytes);

        group.MapGet("", Discover)
            .WithName("CdsDiscovery")
            .WithSummary("CDS Hooks discovery")
            .WithDescription("Lists the CDS Service: one id per enabled hook (msc-knee-oa-order-select and msc-knee-oa-order-sign unless CdsHooks:Hooks lists one only, and msc-knee-oa-patient-view when enabled), with the prefetch templates and usage requirements. Needs a CDS Hooks JWT when authentication is on.")
            .Produces(StatusCodes.Status401Unauthorized);

        group.MapPost("/{id}", CallAsync)
            .WithName("CdsServiceCall")
            .WithSummary("Call the CDS Service")
            .WithDescription("A CDS Hooks 2.0 request. When a draft order for a stem-cell (MSC) knee injection is selected (order-select) or signed (order-sign), returns one warning card read at a glance, with suggestions (options, never orders: remove the MSC order; in conventional-care-first also a draft physical therapy referral), selectionBehavior at-most-one: a one-sentence summary for the patient's assessment category, the assessment, the ACR/AF and FDA caveats, untried first-line options, what the chart did not document, the category as source.topic, and a link to the full evidence summary page (GET /summary, or the configured portal) carrying only the de-identified profile; otherwise {\"cards\": []}. 412 with an OperationOutcome only when the Patient is neither prefetched nor retrievable from an allowlisted fhirServer; other missing data is named on the card.")
            .Accepts<JsonElement>("application/json")
            .Produces<CdsResponse>()
            .Produces<OperationOutcome>(StatusCodes.Status400BadRequest, "application/fhir+json")
            .Produces(StatusCodes.Status401Unauthorized)
            .Produces<OperationOutcome>(StatusCodes.Status404NotFound, "application/fhir+json")
            .Produces<OperationOutcome>(StatusCodes.Status412PreconditionFailed, "application/fhir+json")
            .Produces<OperationOutcome>(StatusCodes.Status415UnsupportedMediaType, "application/fhir+json");

        group.MapPost("/{id}/feedback", FeedbackAsync)
            .WithName("CdsFeedback")
            .WithSummary("CDS Hooks feedback")
            .WithDescription("Records what the clinician did with a card (accepted, naming the suggestions taken, or overridden, with the override reason) as an audit event without patient data. An accepted suggestion uuid this service did not issue for that card is a 400 OperationOutcome. Idempotent: the same feedback sent twice is recorded once.")
            .Accepts<JsonElement>("application/json")
            .Produces(StatusCodes.Status200OK)
            .Produces<OperationOutcome>(StatusCodes.Status400BadRequest, "application/fhir+json")
            .Produces(StatusCodes.Status401Unauthorized)
            .Produces<OperationOutcome>(StatusCodes.Status404NotFound, "application/fhir+json");
        return routes;
    }

    public static Ok<CdsDiscoveryResponse> Discover(RuleStoreSnapshot store, PrefetchTemplates templates, IOptions<CdsHooksOptions> options)
    {
        var settings = options.Value;
        string En(string key) => store.Text(key).En;
        var hooks = settings.EnabledOrderHooks.Select(h => (Hook: h, Description: En("cds.description"))).ToList();
        if (settings.PatientView.Enabled)
        {
            hooks.Add((PatientView, En("cds.patientViewDescription")));
        }

        return TypedResults.Ok(new CdsDiscoveryResponse(
        [
            .. hooks.Select(h => new CdsServiceDescription(h.Hook, En("cds.title"), h.Description, settings.IdFor(h.Hook), templates.All, En("cds.usageRequirements"))),
        ]));
    }

    /// <param name="id">The CDS Service id from discovery (msc-knee-oa-order-select, msc-knee-oa-order-sign, msc-knee-oa-patient-view; msc-knee-oa is an alias for the enabled order hooks).</param>
    /// <param name="request">The CDS Hooks request.</param>
    /// <param name="options">CDS Hooks settings.</param>
    /// <param name="engine">The rule store serving this request: evaluator, card composer and the memo of encoded cards.</param>
    /// <param name="json">The service's JSON options (for encoding a card once).</param>
    /// <param name="logger">Audit log.</param>
    /// <param name="keys">The keyed hash of suggestion uuids.</param>
    public static async Task<IResult> CallAsync(
        string id, HttpRequest request, IOptions<CdsHooksOptions> options, RuleStoreEngine engine, IOptions<JsonOptions> json, ILogger<CdsResponse> logger,
        SuggestionKeys keys)
    {
        var prefetchResolver = engine.Get<PrefetchResolver>();
        var chartReader = engine.Get<ChartReader>();
        var orders = engine.Get<OrderMatcher>();
        var composer = engine.Get<CardComposer>();
        var settings = options.Value;
        var serviceHooks = settings.HooksFor(id);
        if (serviceHooks.Count == 0)
        {
            return OperationOutcome.Result(StatusCodes.Status404NotFound, "not-found", $"No CDS Service has id '{Truncate(id)}'. GET /cds-services lists the services.");
        }

        if (await ReadJsonAsync(request) is not { } body)
        {
            return BadJson(request);
        }

        using (body)
        {
            var root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.Text("hook") is not { } hook || root.Text("hookInstance") is null
                || root.Property("context") is not { ValueKind: JsonValueKind.Object } context)
            {
                return Invalid("A CDS Hooks request needs 'hook' and 'hookInstance' strings and a 'context' object.");
            }

            if (!serviceHooks.Contains(hook))
            {
                return Invalid($"Service '{Truncate(id)}' does not offer the hook '{Truncate(hook)}'; see GET /cds-services.");
            }

            // Every hook's context names the patient (CDS Hooks 2.0); only that patient's resources are ever read, so a
            // call without it, or whose prefetched Patient is someone else, is refused.
            if (context.Text("patientId") is not { Length: > 0 } patientId)
            {
                return Invalid("The context needs a 'patientId' string.");
            }

            if (root.Property("prefetch")?.Property("patient") is { ValueKind: JsonValueKind.Object } sentPatient
                && sentPatient.Is("resourceType", "Patient") && sentPatient.Text("id") is { } sentId && sentId != patientId)
            {
                return Invalid("The prefetched Patient is not the patient in context.patientId.");
            }

            KneeSide? indexSide = null;
            string? orderReference = null;
            if (hook != PatientView)
            {
                if (context.Property("draftOrders") is not { ValueKind: JsonValueKind.Object } draftOrders)
                {
                    return Invalid($"The {hook} context needs a 'draftOrders' Bundle.");
                }

                IReadOnlyCollection<string>? selections = null;
                if (hook == OrderSelect)
                {
                    if (context.Property("selections") is not { ValueKind: JsonValueKind.Array } selected)
                    {
                        return Invalid("The order-select context needs a 'selections' array.");
                    }

                    selections = [.. selected.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!)];
                }

                if (orders.MscOrder(draftOrders, selections) is not { } order)
                {
                    return TypedResults.Ok(new CdsResponse([]));
                }

                indexSide = engine.Get<KneeSideReader>().SideOf(order);
                orderReference = order.Text("id") is { Length: > 0 } orderId ? $"{order.Text("resourceType")}/{orderId}" : null;
            }

            var prefetch = await prefetchResolver.ResolveAsync(root, context, request.HttpContext.RequestAborted);
            if (prefetch.MissingKeys.Count > 0)
            {
                return OperationOutcome.Result(StatusCodes.Status412PreconditionFailed, "required",
                    $"The prefetch holds no Patient resource for context.patientId, and no fhirServer on this service's allowlist could supply it (missing: {string.Join(", ", prefetch.MissingKeys)}).");
            }

            var chart = chartReader.Read(prefetch.Prefetch, indexSide);
            if (hook == PatientView && !chart.HasKneeOsteoarthritis)
            {
                return TypedResults.Ok(new CdsResponse([]));
            }

            var language = settings.Language is { } configured
                ? RequestLanguage.Negotiate(configured)
                : RequestLanguage.Negotiate(request.Headers.AcceptLanguage.ToString());
            var baseUrl = BaseUrl(request, settings);
            var version = engine.Snapshot.Version;
            var memo = engine.CardAnswers;
            // Suggestions (issue #24) name the triggering draft order and the patient, so they are added to each answer;
            // their uuids are derived from the card's uuid (SuggestionKeys), so feedback can be checked without state.
            IReadOnlyList<CdsSuggestion> SuggestionsFor(IReadOnlyList<string> plan, string category, string cardUuid) =>
                orderReference is null ? [] : composer.Suggestions(plan, category, language, orderReference, patientId, cardUuid, version, keys);
            CdsCard WithSuggestions(CdsCard card, IReadOnlyList<string> plan, string category) =>
                SuggestionsFor(plan, category, card.Uuid) is { Count: > 0 } offered ? card with { Suggestions = offered, SelectionBehavior = "at-most-one" } : card;

            if (!memo.Enabled)
            {
                var result = engine.Evaluator.Evaluate(chart.Profile, language, withTrace: false);
                Audit(logger, hook, result.Assessment.Category, version, result.AuditRules);
                var card = composer.Compose(result, chart.Unknowns, hook == PatientView, language, baseUrl, chart.Recognised);
                return TypedResults.Ok(new CdsResponse([WithSuggestions(card, composer.SuggestionPlan(result), result.Assessment.Category)]));
            }

            // The card is a pure function of the chart's reading, the hook's card kind, the language and the link's base
            // URL; only its uuid is new on every answer (JsonAnswer.Write), and its suggestions are added per answer.
            var key = CardAnswerKey.ForCard(chart.Profile, chart.Unknowns, chart.Recognised, hook == PatientView, language, baseUrl);
            if (memo.TryGet(key, out var encoded))
            {
                Audit(logger, hook, encoded.Category, version, encoded.AuditRules);
                return new JsonOk<CdsResponse>(KeptWithSuggestions(encoded));
            }

            var evaluated = engine.Evaluator.Evaluate(chart.Profile, language, withTrace: false);
            var composed = composer.Compose(evaluated, chart.Unknowns, hook == PatientView, language, baseUrl, chart.Recognised);
            var plan = hook == PatientView ? [] : composer.SuggestionPlan(evaluated);
            Audit(logger, hook, evaluated.Assessment.Category, version, evaluated.AuditRules);
            if (!memo.ShouldKeep(key))
            {
                return TypedResults.Ok(new CdsResponse([WithSuggestions(composed, plan, evaluated.Assessment.Category)]));
            }

            var bytes = JsonAnswer.Encode(new CdsResponse([composed with { Uuid = JsonAnswer.UuidPlaceholder }]), json.Value.SerializerOptions);
            encoded = new EncodedAnswer(bytes, evaluated.Assessment.Category, evaluated.AuditRules, JsonAnswer.UuidOffset(bytes), plan);
            memo.Add(key, encoded);
            return new JsonOk<CdsResponse>(KeptWithSuggestions(encoded));

            // A kept card with suggestions: the card's uuid is chosen here (the suggestions' uuids derive from it) and the
            // suggestions are written into the card's object, before its closing "}]}".
            EncodedAnswer KeptWithSuggestions(EncodedAnswer kept)
            {
                if (kept.Plan is not { Count: > 0 } keptPlan || kept.UuidOffset < 0 || !kept.Body.AsSpan().EndsWith("}]}"u8))
                {
                    return kept;
                }

                var cardUuid = Guid.NewGuid().ToString("D");
                var offered = SuggestionsFor(keptPlan, kept.Category, cardUuid);
                if (offered.Count == 0)
                {
                    return kept;
                }

                var extra = JsonAnswer.Encode(new CardSuggestions(offered, "at-most-one"), json.Value.SerializerOptions);
                var body = new byte[kept.Body.Length + extra.Length - 1];
                kept.Body.AsSpan(0, kept.Body.Length - 3).CopyTo(body);
                System.Text.Encoding.ASCII.GetBytes(cardUuid).CopyTo(body, kept.UuidOffset);
                var at = kept.Body.Length - 3;
                body[at++] = (byte)',';
                extra.AsSpan(1, extra.Length - 2).CopyTo(body.AsSpan(at));
                at += extra.Length - 2;
                "}]}"u8.CopyTo(body.AsSpan(at));
                return new EncodedAnswer(body, kept.Category, kept.AuditRules);
            }
        }
    }

    /// <summary>The suggestion members of a card, encoded to be written into a kept card.</summary>
    private sealed record CardSuggestions(IReadOnlyList<CdsSuggestion> Suggestions, string SelectionBehavior);

    private static void Audit(ILogger logger, string hook, string category, string storeVersion, string rules)
    {
        LogCard(logger, hook, category, storeVersion, rules);
        Telemetry.Cards.Add(1, new("hook", hook), new("category", category), new("store.version", storeVersion));
    }

    /// <param name="id">The CDS Service id the card came from (for example msc-knee-oa-order-sign).</param>
    /// <param name="request">The feedback request.</param>
    /// <param name="options">CDS Hooks settings.</param>
    /// <param name="feedbackLog">Audit log of feedback.</param>
    /// <param name="engine">The rule store serving this request (its version and suggestions).</param>
    /// <param name="keys">The keyed hash of suggestion uuids, to check accepted suggestions.</param>
    public static async Task<IResult> FeedbackAsync(
        string id, HttpRequest request, IOptions<CdsHooksOptions> options, FeedbackLog feedbackLog, RuleStoreEngine engine, SuggestionKeys keys)
    {
        if (options.Value.HooksFor(id).Count == 0)
        {
            return OperationOutcome.Result(StatusCodes.Status404NotFound, "not-found", $"No CDS Service has id '{Truncate(id)}'.");
        }

        if (await ReadJsonAsync(request) is not { } body)
        {
            return BadJson(request);
        }

        using (body)
        {
            var parsed = FeedbackLog.Parse(body.RootElement);
            if (parsed.Error is { } error)
            {
                return Invalid(error);
            }

            // An accepted suggestion must be one this service issued for that card (its uuid derives from the card's uuid,
            // the suggestion and the store version): a forged or foreign uuid is refused, and nothing is recorded.
            var composer = engine.Get<CardComposer>();
            var suggestionIds = composer.SuggestionIds;
            var version = engine.Snapshot.Version;
            var kinds = new List<string>();
            for (var i = 0; i < parsed.Items.Count; i++)
            {
                foreach (var uuid in parsed.Items[i].AcceptedIds ?? [])
                {
                    if (keys.Issued(parsed.Items[i].Card, uuid, version, suggestionIds) is not { } kind)
                    {
                        return Invalid($"feedback[{i}].acceptedSuggestions names a suggestion this service did not issue for card {parsed.Items[i].Card}.");
                    }

                    kinds.Add(kind);
                }
            }

            feedbackLog.Record(parsed.Items);
            foreach (var item in parsed.Items)
            {
                Telemetry.Feedback.Add(1, new KeyValuePair<string, object?>("outcome", item.Outcome));
                if (item.Outcome == "overridden")
                {
                    // Only the store's own codes become metric labels (bounded); anything else counts as "other".
                    var reason = item.ReasonCode is null ? "none"
                        : item.ReasonSystem == CardComposer.OverrideReasonSystem && composer.OverrideReasonCodes.Contains(item.ReasonCode, StringComparer.Ordinal) ? item.ReasonCode
                        : "other";
                    Telemetry.Overrides.Add(1, new KeyValuePair<string, object?>("reason", reason));
                }
            }

            foreach (var kind in kinds)
            {
                Telemetry.SuggestionsAccepted.Add(1, new KeyValuePair<string, object?>("kind", kind));
            }
            return TypedResults.Ok();
        }
    }

    private static async Task<JsonDocument?> ReadJsonAsync(HttpRequest request)
    {
        if (!request.HasJsonContentType())
        {
            return null;
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, DocumentOptions, request.HttpContext.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }

        // The parser accepts invalid UTF-8 inside strings and unpaired surrogate escapes ("\ud800"); reading such a string
        // later throws. Every string is checked once here, so the handlers only ever see text.
        if (!FhirJson.AllStringsReadable(document.RootElement))
        {
            document.Dispose();
            return null;
        }

        return document;
    }

    private static IResult BadJson(HttpRequest request) => request.HasJsonContentType()
        ? Invalid("The body is not valid JSON in UTF-8 (malformed, an invalid byte sequence, or an unpaired surrogate escape).")
        : OperationOutcome.Result(StatusCodes.Status415UnsupportedMediaType, "not-supported", "Send the body as application/json.");

    private static IResult Invalid(string diagnostics) => OperationOutcome.Result(StatusCodes.Status400BadRequest, "invalid", diagnostics);

    /// <summary>
    /// This service's configured URL (<c>CdsHooks:PublicBaseUrl</c>, required outside Development); only in Development
    /// without it, the URL as the caller reached it. The card's link and its memo key never take a host from a request
    /// otherwise.
    /// </summary>
    private static string BaseUrl(HttpRequest request, CdsHooksOptions settings) =>
        string.IsNullOrWhiteSpace(settings.PublicBaseUrl) ? $"{request.Scheme}://{request.Host}{request.PathBase}" : settings.PublicBaseUrl.Trim().TrimEnd('/');

    /// <summary>
    /// Input is echoed in an error only when it looks like a code (letters, digits, '.', '_', '-'; at most 64): anything
    /// else (markup, control or bidi characters, long text) is not quoted back.
    /// </summary>
    private static string Truncate(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') ? value : "(not shown)";

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "audit cds-card hook={Hook} assessment={Assessment} store={StoreVersion} rules={Rules}")]
    private static partial void LogCard(ILogger logger, string hook, string assessment, string storeVersion, string rules);
}
