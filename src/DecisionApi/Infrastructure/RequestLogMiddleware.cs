using System.Diagnostics;

namespace DecisionApi.Infrastructure;

/// <summary>
/// One structured line per request: method, route template, the status actually sent, latency, trace id and client name
/// (the name authentication gave the caller: the API key's or the CDS Hooks issuer's). Never bodies, query
/// strings, paths with ids or headers. Outermost in the pipeline, so a 500 written by the exception handler is logged as
/// 500; a request that fails even there is logged as 500. Kestrel's own rejections (408, 414, 431) never reach the
/// pipeline: they are logged by Kestrel's BadRequests category, enabled at Debug in appsettings.json.
/// </summary>
public sealed partial class RequestLogMiddleware(RequestDelegate next, ILogger<RequestLogMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        // Routing has run: the route is known now (the exception handler clears the endpoint when it re-executes).
        var routed = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                var route = routed ?? (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
                var status = failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
                var client = ClientAccess.ClientName(context.User);
                var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var traceId = context.TraceIdentifier;
                LogRequest(logger, context.Request.Method, route, status, elapsedMs, traceId, client ?? "-");
            }
        }
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "{Method} {Route} {Status} {ElapsedMs} ms trace={TraceId} client={Client}")]
    private static partial void LogRequest(ILogger logger, string method, string route, int status, double elapsedMs, string traceId, string client);
}
