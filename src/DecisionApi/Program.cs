using DecisionApi.Features;
using DecisionApi.Features.CdsHooks;
using DecisionApi.Features.CdsHooks.Security;
using DecisionApi.Features.Documentation;
using DecisionApi.Features.Evaluations;
using DecisionApi.Features.Health;
using DecisionApi.Infrastructure;
using Microsoft.Extensions.Options;

// The content root (where appsettings.json is read) is the app's own folder, whatever the working directory, unless a
// host (the test factory, a --contentRoot argument, ASPNETCORE_CONTENTROOT) names one.
var contentRootGiven = args.Any(a => a.Contains("contentRoot", StringComparison.OrdinalIgnoreCase))
    || Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT") is not null
    || Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT") is not null;
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = contentRootGiven ? null : AppContext.BaseDirectory,
});

// 1. The rule store, served live, and the settings (Infrastructure/ServicePipeline).
builder.Services.AddRuleStoreServing(builder.Configuration);

// 2. The features, each with its own services and the parts it builds from each rule store.
builder.Services.AddEvaluations();
builder.Services.AddCdsHooks(builder.Configuration);
builder.Services.AddRazorComponents(); // the evidence summary page (server-rendered, no script)
builder.Services.AddHealthChecks().AddCheck<RuleStoreHealthCheck>("ruleStore", tags: [HealthEndpoints.ReadyTag]);
builder.Services.AddDecisionApiOpenApi();

// 3. Who may call and how often: authentication schemes per feature, the per-client rate limit (policies on the groups).
builder.Services.AddDecisionApiAuthentication().AddCdsHooksJwt();
builder.Services.AddDecisionApiRateLimiting(builder.Configuration);

// 4. JSON, errors, logs and telemetry.
builder.Services.ConfigureHttpJsonOptions(options => ApiJson.Configure(options.SerializerOptions));
builder.Services.AddDecisionApiProblems();
builder.AddDecisionApiLogging();
builder.AddDecisionApiTelemetry();

var app = builder.Build();

// 5. Configuration that cannot work stops the service with one line.
if ((app.ConfigurationProblem() ?? app.Services.GetRequiredService<IOptions<CdsHooksOptions>>().Value.Problem(app.Environment.IsDevelopment())) is { } problem)
{
    StartupLog.ConfigurationUnusable(app.Logger, problem);
    await app.DisposeAsync();
    return 1;
}

// 6. The middleware, the documentation and the routes (each group declaring its policy).
app.UseDecisionApiPipeline();
app.UseDecisionApiDocumentation();
app.MapDecisionApi();

var storeStartup = app.Services.GetRequiredService<StoreStartup>();
try
{
    await app.StartAsync();
}
catch (Exception exception)
{
    // The host could not start (the port is in use, the address cannot be bound): one line and exit code 1, not an
    // unhandled exception that aborts the process.
    StartupLog.CouldNotStart(app.Logger, exception.Message);
    await app.DisposeAsync();
    return 1;
}

await app.WaitForShutdownAsync();
await app.DisposeAsync();
// A rule store that cannot be used stopped the host at start, after its one line (StoreStartup).
return storeStartup.Failed ? 1 : 0;

internal static partial class StartupLog
{
    [LoggerMessage(EventId = 2, Level = LogLevel.Critical, Message = "{Problem}")]
    public static partial void ConfigurationUnusable(ILogger logger, string problem);

    [LoggerMessage(EventId = 3, Level = LogLevel.Critical, Message = "The service could not start: {Reason}")]
    public static partial void CouldNotStart(ILogger logger, string reason);
}
