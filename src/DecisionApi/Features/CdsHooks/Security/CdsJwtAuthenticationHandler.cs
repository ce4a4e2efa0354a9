using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace DecisionApi.Features.CdsHooks.Security;

/// <summary>
/// The <c>CdsJwt</c> authentication scheme (the <c>/cds-services</c> group requires it): a CDS client JWT checked by
/// <see cref="CdsJwtValidator"/>, with this endpoint's URL as the audience (<c>CdsHooks:PublicBaseUrl</c> + path; the
/// request's own URL only in Development without it); a feedback call may also use the service URL. A valid token
/// authenticates the caller as its verified issuer (the client's name for the rate limiter and the request log); the
/// validated result is also in <c>HttpContext.Features</c>. The challenge is what CDS Hooks 2.0 describes: a 401 with
/// <c>WWW-Authenticate: Bearer</c> and no body. Silent when <c>CdsHooks:Authentication:Enabled</c> is false (or unset
/// in Development).
/// </summary>
public sealed class CdsJwtAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    CdsJwtValidator validator,
    IOptions<CdsHooksOptions> options,
    IHostEnvironment environment)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "CdsJwt";

    private const string FeedbackSuffix = "/feedback";

    /// <summary><c>CdsHooks:Authentication:Enabled</c>, or, when unset, true everywhere except the Development environment.</summary>
    public static bool IsAuthenticationEnabled(CdsHooksOptions options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        return options.Authentication.Enabled ?? !environment.IsDevelopment();
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // A CORS preflight never carries credentials; the CORS middleware answers it.
        if (!IsAuthenticationEnabled(options.Value, environment) || HttpMethods.IsOptions(Request.Method))
        {
            return AuthenticateResult.NoResult();
        }

        var authorization = Request.Headers.Authorization;
        var header = authorization.Count == 1 ? authorization[0] : null;
        var result = await validator.ValidateTokenAsync(header, AcceptedAudiences(Request, options.Value.PublicBaseUrl), Context.RequestAborted);
        if (!result.IsValid || result.Issuer is not { } issuer)
        {
            return AuthenticateResult.Fail(result.Failure.ToString());
        }

        Context.Features.Set(result);
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, issuer)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // "a HTTP 401 Unauthorized response status code without any additional information": no body, even from the
        // status code pages.
        if (Context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
        {
            statusCodePages.Enabled = false;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return Task.CompletedTask;
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
