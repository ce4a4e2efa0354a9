using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace DecisionApi.Infrastructure;

/// <summary>
/// Who may call, declared on route groups with the framework's primitives. Each feature registers its own
/// authentication scheme; a route group names it with <see cref="RequireClient{TBuilder}"/>. The default scheme
/// forwards to the scheme of the matched endpoint's policy, so <c>UseAuthentication</c> authenticates each request with
/// its group's scheme (once: the rate limiter partitions by the authenticated client, authorization then reuses the
/// result), and no path is tested anywhere.
/// </summary>
public static class ClientAccess
{
    /// <summary>The default scheme: forwards to the endpoint's scheme (or the API key scheme, which is silent without its header).</summary>
    public const string EndpointScheme = "Endpoint";

    public static AuthenticationBuilder AddDecisionApiAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyRing>();
        services.AddAuthorization();
        return services.AddAuthentication(EndpointScheme)
            .AddPolicyScheme(EndpointScheme, "The scheme of the endpoint's group", options =>
                options.ForwardDefaultSelector = context => SchemeOf(context.GetEndpoint()) ?? ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
    }

    /// <summary>
    /// The group requires a client authenticated by <paramref name="scheme"/> when <paramref name="required"/> (off, as in
    /// Development by default, the scheme still names callers that authenticate, but anyone may call).
    /// </summary>
    public static TBuilder RequireClient<TBuilder>(this TBuilder builder, string scheme, bool required)
        where TBuilder : IEndpointConventionBuilder
    {
        var policy = new AuthorizationPolicyBuilder(scheme);
        policy = required ? policy.RequireAuthenticatedUser() : policy.RequireAssertion(static _ => true);
        return builder.RequireAuthorization(policy.Build()).WithMetadata(new ClientSchemeMetadata(scheme, required));
    }

    /// <summary>The authentication scheme the endpoint's group declares, if any.</summary>
    public static string? SchemeOf(Endpoint? endpoint) => endpoint?.Metadata.GetMetadata<ClientSchemeMetadata>()?.Scheme;

    /// <summary>Whether the endpoint refuses anonymous callers (its group's scheme is on).</summary>
    public static bool RequiresClient(Endpoint? endpoint) => endpoint?.Metadata.GetMetadata<ClientSchemeMetadata>()?.Required == true;

    /// <summary>The authenticated client's name, or null for an anonymous caller.</summary>
    public static string? ClientName(ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;

    /// <summary>
    /// The policy every clinical route group declares: its client, its rate limit partitioned by that client, the largest
    /// body it reads, and <c>Cache-Control: no-store</c> on its answers.
    /// </summary>
    public static TBuilder ClinicalApi<TBuilder>(this TBuilder builder, string scheme, bool required, long maxBodyBytes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireClient(scheme, required)
            .RequireRateLimiting(RateLimits.ClientPolicy)
            .WithMetadata(new RequestSizeLimitAttribute(maxBodyBytes), new CacheControlMetadata("no-store"));
}

/// <summary>The authentication scheme of an endpoint's group, and whether it refuses anonymous callers (declared by <see cref="ClientAccess.RequireClient{TBuilder}"/>).</summary>
public sealed record ClientSchemeMetadata(string Scheme, bool Required);

/// <summary>The <c>Cache-Control</c> value of an endpoint's answers (declared on its group; written by <see cref="ResponseHeadersMiddleware"/>).</summary>
public sealed record CacheControlMetadata(string Value);
