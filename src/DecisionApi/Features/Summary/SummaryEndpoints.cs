using System.Globalization;
using System.Reflection;
using DecisionApi.Features.Evaluations;
using DecisionApi.Infrastructure;
using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;

namespace DecisionApi.Features.Summary;

/// <summary>
/// GET /summary: the evaluation of POST /v1/evaluations as a server-rendered HTML page (Razor components, no script),
/// the target of the CDS card's link and a page for people exploring. Only the de-identified profile is accepted.
/// </summary>
public static partial class SummaryEndpoints
{
    public const string StylePath = SummaryLink.Path + "/summary.css";

    /// <summary>Strict policy: nothing external, no script, the stylesheet from this service only.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private static readonly Lazy<string> Stylesheet = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("DecisionApi.Features.Summary.summary.css")
            ?? throw new InvalidOperationException("The page stylesheet is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The request property (as the validator names it, any case) each query parameter fills.</summary>
    private static readonly Dictionary<string, string> PageFields = new(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(EvaluationRequest.Age)] = "age",
        [nameof(EvaluationRequest.KlGrade)] = "kl",
        [nameof(EvaluationRequest.PriorTreatments)] = "treatments",
        [nameof(EvaluationRequest.Conditions)] = "conditions",
        [nameof(EvaluationRequest.Bmi)] = "bmi",
        [nameof(EvaluationRequest.Jurisdiction)] = "jurisdiction",
    };

    public static IEndpointRouteBuilder MapSummary(this IEndpointRouteBuilder routes)
    {
        // HTML for people, not part of the JSON API: left out of the OpenAPI document.
        routes.MapGet(SummaryLink.Path, Show)
            .WithName("EvidenceSummaryPage")
            .WithSummary("Evidence summary page (HTML)")
            .WithDescription("The evaluation of POST /v1/evaluations for a de-identified profile given in the query (age, kl, treatments, conditions, bmi, jurisdiction, unchecked: treatments the chart could not show either way, lang), as an HTML page in English or Chinese; without a query, a form to build a profile. Unknown parameters are refused with 400.")
            .ExcludeFromDescription();
        routes.MapGet(StylePath, Style)
            .WithName("EvidenceSummaryStylesheet")
            .WithSummary("Stylesheet of the evidence summary page")
            .WithDescription("The page's CSS (screen, phone and print), served by this service so that the page needs nothing external.")
            .ExcludeFromDescription();
        return routes;
    }

    /// <summary>Renders the page for the query's profile, the form, or the errors.</summary>
    // Declared with the non-generic result and logger types: the request delegate generator cannot see the Razor
    // generator's SummaryPage type.
    public static RazorComponentResult Show(
        HttpContext context, RuleStoreSnapshot store, Evaluator evaluator, IValidator<EvaluationRequest> validator, ILogger<SummaryView> logger)
    {
        var query = context.Request.Query;
        var language = query.TryGetValue("lang", out var lang)
            ? (string.Equals(lang.ToString(), "zh", StringComparison.OrdinalIgnoreCase) ? Language.Zh : Language.En)
            : RequestLanguage.Negotiate(context.Request.Headers.AcceptLanguage.ToString());
        SetHeaders(context.Response, language);
        string T(string key) => store.Text(key).In(language);

        if (query.Keys.Any(k => !SummaryLink.Parameters.Contains(k, StringComparer.Ordinal)))
        {
            // The unknown names are not echoed: they may carry an identifier.
            return Page(new SummaryView(store, language, SummaryView.EmptyForm) { Errors = [T("page.error.unknownParameter")], Refused = true }, 400);
        }

        var form = FormValues(query);
        var view = new SummaryView(store, language, form) { SwitchLanguageUrl = SwitchUrl(query, language) };
        if (query.Keys.All(k => k == "lang"))
        {
            return Page(view, 200);
        }

        var errors = new List<string>();
        var request = new EvaluationRequest
        {
            Age = Integer("age", query, errors, T),
            KlGrade = Integer("kl", query, errors, T),
            Bmi = Number("bmi", query, errors, T),
            PriorTreatments = Codes(query["treatments"]),
            Conditions = query.ContainsKey("conditions") ? Codes(query["conditions"]) : null,
            Jurisdiction = Single("jurisdiction", query, errors, T),
        };
        if (errors.Count == 0)
        {
            // "unknown" (from a card whose chart lacked the value) passes the required-value check; every other rule applies.
            var ageUnknown = IsUnknown("age", query);
            var klUnknown = IsUnknown("kl", query);
            var checkedRequest = ageUnknown || klUnknown
                ? new EvaluationRequest
                {
                    Age = ageUnknown ? store.Bounds.Age.IntMin : request.Age,
                    KlGrade = klUnknown ? store.Bounds.KlGrade.IntMin : request.KlGrade,
                    Bmi = request.Bmi,
                    PriorTreatments = request.PriorTreatments,
                    Conditions = request.Conditions,
                    Jurisdiction = request.Jurisdiction,
                }
                : request;
            // Each refused field once, in the page's language and with the page's field names (the API's messages
            // name JSON properties and may quote the input).
            errors.AddRange(validator.Validate(checkedRequest).Errors
                .Select(e => PageFields.TryGetValue(e.PropertyName.Split('[')[0], out var field) ? T("page.error." + field) : e.ErrorMessage)
                .Distinct(StringComparer.Ordinal));
        }

        if (errors.Count > 0)
        {
            return Page(view with { Errors = errors }, 400);
        }

        var notChecked = Codes(query["unchecked"]);
        if (notChecked.Any(code => code is null || !store.TreatmentsByCode.ContainsKey(code)))
        {
            return Page(view with { Errors = [T("page.error.treatments")] }, 400);
        }

        var profile = request.ToProfile() is var given && notChecked.Count > 0
            ? given with { Unchecked = [.. notChecked.OfType<string>().Distinct(StringComparer.Ordinal)] }
            : request.ToProfile();
        var result = evaluator.Evaluate(profile, language);
        LogPage(logger, result.Assessment.Category, result.RuleStore.Version, result.AuditRules);
        var clock = context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
        return Page(view with { Result = result, Review = store.Review(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)) }, 200);
    }

    /// <summary>The page's stylesheet.</summary>
    public static ContentHttpResult Style(HttpContext context)
    {
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.CacheControl = "public, max-age=3600";
        return TypedResults.Text(Stylesheet.Value, "text/css; charset=utf-8");
    }

    private static RazorComponentResult Page(SummaryView view, int status) =>
        new(typeof(SummaryPage), new Dictionary<string, object?> { [nameof(SummaryPage.View)] = view })
        {
            StatusCode = status,
            ContentType = "text/html; charset=utf-8",
        };

    private static void SetHeaders(HttpResponse response, Language language)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.ContentLanguage = language == Language.Zh ? "zh-Hans" : "en";
    }

    private static Dictionary<string, string> FormValues(IQueryCollection query) =>
        SummaryLink.Parameters.Where(query.ContainsKey).ToDictionary(p => p, p => string.Join(',', query[p].Where(v => v is not null)), StringComparer.Ordinal);

    private static string SwitchUrl(IQueryCollection query, Language language)
    {
        var parts = SummaryLink.Parameters.Where(p => p != "lang" && query.ContainsKey(p))
            .SelectMany(p => query[p].Select(v => $"{p}={Uri.EscapeDataString(v ?? "")}"))
            .Append("lang=" + SummaryLink.LanguageCode(language == Language.Zh ? Language.En : Language.Zh));
        return SummaryLink.Path + "?" + string.Join('&', parts);
    }

    private static List<string?> Codes(StringValues values) =>
        [.. values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).Select(v => (string?)v)];

    private static string? Single(string name, IQueryCollection query, List<string> errors, Func<string, string> text)
    {
        var values = query[name];
        if (values.Count > 1)
        {
            errors.Add(text("page.error.repeated").Replace("{field}", name, StringComparison.Ordinal));
            return null;
        }

        return string.IsNullOrWhiteSpace(values.ToString()) ? null : values.ToString().Trim();
    }

    private static bool IsUnknown(string name, IQueryCollection query) =>
        query[name] is { Count: 1 } values && string.Equals(values.ToString(), SummaryLink.Unknown, StringComparison.Ordinal);

    private static int? Integer(string name, IQueryCollection query, List<string> errors, Func<string, string> text)
    {
        var value = Single(name, query, errors, text);
        if (value is null || value == SummaryLink.Unknown)
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        errors.Add(text("page.error." + name));
        return null;
    }

    private static double? Number(string name, IQueryCollection query, List<string> errors, Func<string, string> text)
    {
        var value = Single(name, query, errors, text);
        if (value is null)
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return number;
        }

        errors.Add(text("page.error." + name));
        return null;
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "audit summary-page assessment={Assessment} store={StoreVersion} rules={Rules}")]
    private static partial void LogPage(ILogger logger, string assessment, string storeVersion, string rules);
}
