using Microsoft.AspNetCore.Http.Metadata;

namespace DecisionApi.Infrastructure;

/// <summary>
/// Answers 413 at once when a declared Content-Length exceeds the body limit the endpoint's group declares
/// (<see cref="IRequestSizeLimitMetadata"/>, which routing also applies to the server's reading: a chunked body is cut
/// off, 413, only when it actually grows past it).
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize is not { } limit)
        {
            return next(context);
        }

        // Routing has already set the server's limit from the same metadata (a chunked body is cut off as it is read).
        return context.Request.ContentLength > limit
            ? throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge)
            : next(context);
    }
}
