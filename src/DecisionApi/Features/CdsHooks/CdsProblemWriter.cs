using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace DecisionApi.Features.CdsHooks;

/// <summary>
/// Every error the framework writes under <c>/cds-services</c> (405, an unknown route's 404, 413, 415, 429, the 500 that
/// must never happen) is a FHIR OperationOutcome, as the handlers' own errors are; REST keeps RFC 9457 problem details.
/// Registered before the default writer, so it is asked first.
/// </summary>
public sealed class CdsProblemWriter(IOptions<JsonOptions> json) : IProblemDetailsWriter
{
    public const string PathPrefix = "/cds-services";

    public bool CanWrite(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.HttpContext.Request.Path.StartsWithSegments(PathPrefix, StringComparison.OrdinalIgnoreCase);
    }

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var status = context.ProblemDetails.Status ?? http.Response.StatusCode;
        var diagnostics = context.ProblemDetails.Detail ?? status switch
        {
            StatusCodes.Status404NotFound => "No CDS Hooks resource at this address. GET /cds-services lists the services.",
            StatusCodes.Status405MethodNotAllowed => "This address does not accept that method: discovery is GET /cds-services, a service call is POST.",
            _ => context.ProblemDetails.Title ?? "The request could not be completed.",
        };
        if (status >= StatusCodes.Status500InternalServerError)
        {
            // The trace id, as the REST problem carries it, so the error can be found in the log.
            diagnostics += " Trace id: " + http.TraceIdentifier + ".";
        }

        var outcome = new OperationOutcome([new OperationOutcomeIssue(status >= 500 ? "fatal" : "error", IssueCode(status), diagnostics)]);
        http.Response.ContentType = "application/fhir+json";
        await JsonSerializer.SerializeAsync(http.Response.Body, outcome, json.Value.SerializerOptions, http.RequestAborted);
    }

    /// <summary>The FHIR issue-type code for an HTTP status.</summary>
    public static string IssueCode(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "login",
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status404NotFound => "not-found",
        StatusCodes.Status405MethodNotAllowed or StatusCodes.Status415UnsupportedMediaType => "not-supported",
        StatusCodes.Status408RequestTimeout => "timeout",
        StatusCodes.Status412PreconditionFailed => "required",
        StatusCodes.Status413PayloadTooLarge => "too-costly",
        StatusCodes.Status429TooManyRequests => "throttled",
        >= 500 => "exception",
        _ => "invalid",
    };
}
