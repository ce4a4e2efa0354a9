using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace DecisionApi.Features.CdsHooks.Security;

/// <summary>
/// Requires a valid CDS client JWT on a CDS Hooks endpoint (add it to the <c>/cds-services</c> group with
/// <c>.AddEndpointFilter&lt;CdsJwtFilter&gt;()</c>). The audience must be this endpoint's URL
/// (<c>CdsHooks:PublicBaseUrl</c> + path, or the request's own URL); a feedback call may also use the service URL.
/// Any failure is a bare 401 with no body. Off when <c>CdsHooks:Authentication:Enabled</c> is false, or unset in Development.
/// On success the <see cref="CdsJwtValidationResult"/> is in <c>HttpContext.Features</c>.
/// </summary>
public sealed class CdsJwtFilter(CdsJwtValidator validator, IOptions<CdsHooksOptions> options, IHostEnvironment environment) : IEndpointFilter
{
    private const string FeedbackSuffix = "/feedback";

    private readonly bool enabled = IsAuthenticationEnabled(options.Value, environment);

    private readonly string? publicBaseUrl = string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl)
        ? null
        : options.Value.PublicBaseUrl.Trim().TrimEnd('/');

    /// <summary><c>CdsHooks:Authentication:Enabled</c>, or, when unset, true everywhere except the Development environment.</summary>
    public static bool IsAuthenticationEnabled(CdsHooksOptions options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        return options.Authentication.Enabled ?? !environment.IsDevelopment();
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);

        var http = context.HttpContext;

        // A CORS preflight never carries credentials; the CORS middleware answers it.
        if (!enabled || HttpMethods.IsOptions(http.Request.Method))
        {
            return await next(context);
        }

        var authorization = http.Request.Headers.Authorization;
        var header = authorization.Count == 1 ? authorization[0] : null;
        var result = await validator.ValidateTokenAsync(header, AcceptedAudiences(http.Request, publicBaseUrl), http.RequestAborted);
        if (!result.IsValid)
        {
            // "a HTTP 401 Unauthorized response status code without any additional information": no problem+json body.
            if (http.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
            {
                statusCodePages.Enabled = false;
            }

            http.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
            return TypedResults.Unauthorized();
        }

        http.Features.Set(result);
        if (result.Issuer is { } issuer)
        {
            // The verified issuer is the client name in the request log.
            http.Items[DecisionApi.Infrastructure.RequestLogMiddleware.ClientItemKey] = issuer;
        }

        return await next(context);
    }

    /// <summary>
    /// The endpoint URL (<paramref name="publicBaseUrl"/> or the request's scheme, host and path base, then the path), and for a
    /// feedback call also the service URL without <c>/feedback</c>.
    /// </summary>
    public static IReadOnlyList<string> AcceptedAudiences(HttpRequest request, string? publicBaseUrl)
    {
        ArgumentNullException.ThrowIfNull(request);

        var path = request.Path.ToUriComponent().TrimEnd('/');
        var baseUrl = string.IsNullOrWhiteSpace(publicBaseUrl)
            ? UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase).TrimEnd('/')
            : publicBaseUrl.Trim().TrimEnd('/');

        var endpoint = baseUrl + path;
        return path.EndsWith(FeedbackSuffix, StringComparison.OrdinalIgnoreCase)
            ? [endpoint, endpoint[..^FeedbackSuffix.Length]]
            : [endpoint];
    }
}
