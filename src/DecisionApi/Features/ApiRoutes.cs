using DecisionApi.Features.About;
using DecisionApi.Features.Catalog;
using DecisionApi.Features.CdsHooks;
using DecisionApi.Features.Evaluations;
using DecisionApi.Features.Health;
using DecisionApi.Features.Summary;
using DecisionApi.Infrastructure;
using Microsoft.Extensions.Options;

namespace DecisionApi.Features;

/// <summary>
/// Every route of the service. The clinical groups declare their policy where they are mapped: <c>/v1</c> here (API key
/// client, rate limit per client, <c>Limits:RestBodyBytes</c>, no-store), <c>/cds-services</c> in
/// <see cref="CdsHooksEndpoints"/> (CDS Hooks JWT client, the same rate limit, <c>CdsHooks:BodyLimitBytes</c>, no-store).
/// Health, the documentation and the evidence page are open and not limited.
/// </summary>
public static class ApiRoutes
{
    public static WebApplication MapDecisionApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", () => TypedResults.Redirect("/swagger")).ExcludeFromDescription();

        var keysOn = app.Services.GetRequiredService<ApiKeyRing>().Enabled;
        var v1 = app.MapGroup("/v1")
            .ClinicalApi(ApiKeyAuthenticationHandler.SchemeName, keysOn, app.Services.GetRequiredService<IOptions<LimitOptions>>().Value.RestBodyBytes);
        v1.MapEvaluations();
        v1.MapCatalog();
        v1.MapAbout();

        app.MapHealth();
        app.MapCdsHooks();
        app.MapSummary();
        return app;
    }
}
