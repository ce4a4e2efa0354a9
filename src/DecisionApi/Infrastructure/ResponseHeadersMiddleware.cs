namespace DecisionApi.Infrastructure;

/// <summary>
/// Headers every response carries: <c>X-Content-Type-Options: nosniff</c>, and <c>Cache-Control: no-store</c> on the
/// clinical answers (<c>/v1/*</c>, <c>/cds-services/*</c>) so no proxy or browser keeps them. The <c>Server</c> banner is
/// switched off in Kestrel; HSTS is added by the framework on https outside Development.
/// </summary>
public sealed class ResponseHeadersMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            http.Response.Headers.XContentTypeOptions = "nosniff";
            if (http.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase)
                || http.Request.Path.StartsWithSegments("/cds-services", StringComparison.OrdinalIgnoreCase))
            {
                http.Response.Headers.CacheControl = "no-store";
            }

            return Task.CompletedTask;
        }, context);
        return next(context);
    }
}
