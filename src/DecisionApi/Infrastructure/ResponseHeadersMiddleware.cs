namespace DecisionApi.Infrastructure;

/// <summary>
/// Headers every response carries: <c>X-Content-Type-Options: nosniff</c>, and the <c>Cache-Control</c> the endpoint's
/// group declares (<see cref="CacheControlMetadata"/>: <c>no-store</c> on the clinical answers, so no proxy or browser
/// keeps them). The <c>Server</c> banner is switched off in Kestrel; HSTS is added by the framework on https outside
/// Development. While the service drains for shutdown, answers carry <c>Connection: close</c>.
/// </summary>
public sealed class ResponseHeadersMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime)
{
    public Task InvokeAsync(HttpContext context)
    {
        var cacheControl = context.GetEndpoint()?.Metadata.GetMetadata<CacheControlMetadata>()?.Value;
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            if (cacheControl is not null)
            {
                headers.CacheControl = cacheControl;
            }

            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                headers.Connection = "close";
            }

            return Task.CompletedTask;
        });
        return next(context);
    }
}
