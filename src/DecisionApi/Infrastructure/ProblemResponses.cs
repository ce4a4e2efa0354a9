using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace DecisionApi.Infrastructure;

/// <summary>
/// Turns request-binding failures (malformed JSON, unknown or mistyped fields, wrong content type, oversized body) into
/// RFC 9457 problem details with a per-field <c>errors</c> map. Anything else becomes a bare 500 problem without detail.
/// </summary>
public sealed partial class ProblemExceptionHandler(IProblemDetailsService problemDetails, RequestFieldCatalog fields, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var context = httpContext;
        var problem = exception is BadHttpRequestException badRequest
            ? FromBadRequest(badRequest, context)
            : Unexpected(exception, context);
        context.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private ProblemDetails Unexpected(Exception exception, HttpContext context)
    {
        var endpoint = context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint();
        LogUnexpected(logger, exception, context.Request.Method, (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)", context.TraceIdentifier);
        return new ProblemDetails
        {
            Status = StatusCodes.Status500InternalServerError,
            Title = "Internal error",
            Detail = "The service could not complete the request. The error has been logged with this trace id.",
        };
    }

    private ProblemDetails FromBadRequest(BadHttpRequestException exception, HttpContext context) => exception.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => new ProblemDetails
        {
            Status = StatusCodes.Status413PayloadTooLarge,
            Title = "Request body too large",
            Detail = "The request body exceeds the size this endpoint accepts.",
        },
        StatusCodes.Status415UnsupportedMediaType => new ProblemDetails
        {
            Status = StatusCodes.Status415UnsupportedMediaType,
            Title = "Unsupported media type",
            Detail = "Send the body as application/json in UTF-8 (a charset parameter, if any, must be utf-8).",
        },
        _ when exception.InnerException is JsonException json => JsonProblem(json),
        _ => new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["body"] = ["A JSON object body is required."] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request body could not be read",
        },
    };

    // The trace id is the one the 500 body gives the caller, so the two can be matched.
    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Route} traceId={TraceId}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string route, string traceId);

    private HttpValidationProblemDetails JsonProblem(JsonException exception)
    {
        var (field, message) = fields.Describe(exception);
        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "One or more fields are invalid",
        };
    }
}
