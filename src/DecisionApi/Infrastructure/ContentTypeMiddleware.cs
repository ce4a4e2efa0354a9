using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace DecisionApi.Infrastructure;

/// <summary>
/// Checks the Content-Type of request bodies sent to the endpoints that declare a JSON body (<see cref="IAcceptsMetadata"/>) before
/// anything reads them: a JSON media type (<c>application/json</c> or <c>*/*+json</c>) and, if a charset is named, UTF-8
/// in any case, quoted or not. Any other charset, or a header that does not parse, is 415. An accepted header is
/// rewritten to its plain media type, so the framework's readers never meet a parameter form they mishandle (a quoted
/// <c>charset="utf-8"</c> made them fail with 500).
/// </summary>
public sealed class ContentTypeMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        // The usual header is already the plain media type: nothing to check or rewrite.
        if (request.ContentType is { } header && !string.Equals(header, "application/json", StringComparison.Ordinal) && HasBody(request) && AcceptsJson(context.GetEndpoint()))
        {
            if (!MediaTypeHeaderValue.TryParse(header, out var media)
                || !(media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))
                || media.Parameters.Any(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase)
                    && !HeaderUtilities.RemoveQuotes(p.Value).Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
            {
                throw new BadHttpRequestException("Unsupported Content-Type.", StatusCodes.Status415UnsupportedMediaType);
            }

            request.ContentType = media.MediaType.ToString().ToLowerInvariant();
        }

        return next(context);
    }

    private static bool HasBody(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method);

    /// <summary>
    /// Only a real endpoint that reads a JSON body is checked (routing matched the method too): a wrong method stays a 405,
    /// an unknown address a 404.
    /// </summary>
    private static bool AcceptsJson(Endpoint? endpoint) =>
        endpoint?.Metadata.GetMetadata<IAcceptsMetadata>() is { } accepts
        && accepts.ContentTypes.Any(t => t.Equals("application/json", StringComparison.OrdinalIgnoreCase));
}
