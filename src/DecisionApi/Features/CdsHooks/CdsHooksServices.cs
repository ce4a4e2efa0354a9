using DecisionApi.Infrastructure;
using Microsoft.Extensions.Options;

namespace DecisionApi.Features.CdsHooks;

public static class CdsHooksServices
{
    /// <summary>
    /// The CDS Hooks feature's services: its settings, its error writer (OperationOutcome), the feedback log, the FHIR <see cref="HttpClient"/> (no redirects:
    /// one could lead off the allowlisted server), the CORS policy, and the parts built from each rule store
    /// (<see cref="StoreBound"/>): code map, prefetch templates and resolver, treatment recogniser, chart reader, order
    /// matcher and card composer. The JWT scheme is added on the authentication builder (<c>AddCdsHooksJwt</c>).
    /// </summary>
    public static IServiceCollection AddCdsHooks(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CdsHooksOptions>().BindConfiguration(CdsHooksOptions.SectionName);
        // Asked before the default writer (register this before AddDecisionApiProblems): errors under /cds-services are
        // FHIR OperationOutcomes.
        services.AddSingleton<IProblemDetailsWriter, CdsProblemWriter>();
        services.AddSingleton<FeedbackLog>();
        services.AddSingleton<SuggestionKeys>();
        services.AddHttpClient(PrefetchResolver.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(3) });
        services.AddCors(options => options.AddPolicy(CdsHooksEndpoints.CorsPolicy, policy => policy
            .WithOrigins([.. configuration.GetSection("CdsHooks:AllowedOrigins").Get<string[]>() ?? []])
            .WithMethods("GET", "POST", "OPTIONS")
            .WithHeaders("Authorization", "Content-Type")));

        services.AddStoreBound(build => new FhirCodeMap(build.Snapshot));
        services.AddStoreBound(build => new PrefetchTemplates(build.Get<FhirCodeMap>()));
        services.AddStoreBound(build => ActivatorUtilities.CreateInstance<PrefetchResolver>(build.Services, build.Get<PrefetchTemplates>()));
        services.AddStoreBound(build => new TreatmentRecogniser(build.Snapshot));
        services.AddStoreBound(build => new KneeSideReader(build.Snapshot, build.Get<FhirCodeMap>()));
        services.AddStoreBound(build => ActivatorUtilities.CreateInstance<ChartReader>(build.Services, build.Get<FhirCodeMap>(), build.Get<TreatmentRecogniser>(), build.Get<KneeSideReader>()));
        services.AddStoreBound(build => new OrderMatcher(build.Get<FhirCodeMap>()));
        services.AddStoreBound(build => ActivatorUtilities.CreateInstance<CardComposer>(build.Services, build.Snapshot));
        return services;
    }

    /// <summary>Whether the CDS Hooks JWT is required here (for the route group's policy).</summary>
    internal static bool AuthenticationOn(IServiceProvider services) =>
        Security.CdsJwtAuthenticationHandler.IsAuthenticationEnabled(
            services.GetRequiredService<IOptions<CdsHooksOptions>>().Value, services.GetRequiredService<IHostEnvironment>());
}
