using DecisionApi.Features.CdsHooks;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace DecisionApi.Infrastructure;

/// <summary>
/// Caps request bodies: <c>/v1/*</c> at <c>Limits:RestBodyBytes</c>, <c>/cds-services/*</c> at <c>CdsHooks:BodyLimitBytes</c>.
/// A declared Content-Length over the limit is answered 413 at once; a chunked body is cut off while it is read.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<LimitOptions> limits, IOptions<CdsHooksOptions> cdsHooks)
{
    public Task InvokeAsync(HttpContext context)
    {
        long? limit = context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase) ? limits.Value.RestBodyBytes
            : context.Request.Path.StartsWithSegments("/cds-services", StringComparison.OrdinalIgnoreCase) ? cdsHooks.Value.BodyLimitBytes
            : null;
        if (limit is null)
        {
            return next(context);
        }

        if (context.Request.ContentLength > limit)
        {
            throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        return next(context);
    }
}
