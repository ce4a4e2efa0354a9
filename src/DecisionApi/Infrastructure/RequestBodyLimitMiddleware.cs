using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace DecisionApi.Infrastructure;

/// <summary>
/// Caps request bodies on <c>/v1/*</c>: a declared Content-Length over the limit is answered 413 at once; a chunked body
/// is cut off by the server's own limit while it is read.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<LimitOptions> options)
{
    private readonly long limit = options.Value.RestBodyBytes;

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase))
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
