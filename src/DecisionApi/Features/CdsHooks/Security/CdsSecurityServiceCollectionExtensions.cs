using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DecisionApi.Features.CdsHooks.Security;

public static class CdsSecurityServiceCollectionExtensions
{
    /// <summary>
    /// Registers the CDS Hooks JWT check: <see cref="CdsJwtValidator"/>, <see cref="CdsJwksProvider"/> (with its
    /// <see cref="HttpClient"/>: 3 s time-out, no redirects), <see cref="CdsJtiReplayCache"/>, and the
    /// <see cref="CdsJwtAuthenticationHandler"/> scheme on <paramref name="authentication"/>.
    /// Reads <see cref="CdsHooksOptions"/>, which the caller binds.
    /// </summary>
    public static AuthenticationBuilder AddCdsHooksJwt(this AuthenticationBuilder authentication)
    {
        ArgumentNullException.ThrowIfNull(authentication);
        var services = authentication.Services;

        services.AddOptions<CdsHooksOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(CdsJwksProvider.HttpClientName, client =>
            {
                client.Timeout = CdsJwksProvider.FetchTimeout;
                client.MaxResponseContentBufferSize = CdsJwksProvider.MaxJwksBytes;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // Keys are fetched only from the configured URL: a redirect elsewhere is a failure.
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.All,
                ConnectTimeout = CdsJwksProvider.FetchTimeout,
                UseCookies = false,
            });
        services.TryAddSingleton<CdsJwksProvider>();
        services.TryAddSingleton<CdsJtiReplayCache>();
        services.TryAddSingleton<CdsJwtValidator>();
        return authentication.AddScheme<AuthenticationSchemeOptions, CdsJwtAuthenticationHandler>(CdsJwtAuthenticationHandler.SchemeName, null);
    }
}
