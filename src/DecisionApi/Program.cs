using System.Text.Json.Serialization;
using DecisionApi.Features;
using DecisionApi.Features.Documentation;
using DecisionApi.Features.CdsHooks;
using DecisionApi.Features.CdsHooks.Security;
using DecisionApi.Features.Evaluations;
using DecisionApi.Features.Health;
using DecisionApi.Infrastructure;
using FluentValidation;
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

// Start-up: the rule store is read and verified on a worker thread from here on, while the host is built and starts
// listening; StoreStartup takes it in once the server listens, and readiness waits for it.
builder.Services.AddSingleton(StorePreload.Start(builder.Configuration));

builder.Services.AddOptions<RuleStoreOptions>().BindConfiguration(RuleStoreOptions.SectionName);
builder.Services.AddOptions<EvaluationOptions>().BindConfiguration(EvaluationOptions.SectionName);
builder.Services.AddOptions<LimitOptions>().BindConfiguration(LimitOptions.SectionName);
builder.Services.AddOptions<AnswerMemoOptions>().BindConfiguration(AnswerMemoOptions.SectionName);
builder.Services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.SectionName);
builder.Services.AddDecisionApiRateLimiting(builder.Configuration);
GracefulShutdown.AddGracefulShutdown(builder.Services, builder.Configuration);
builder.Services.AddSingleton<StoreStartup>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<StoreStartup>());

// The rule store is live (RuleStore:Watch): each request takes the serving engine once, when its scope starts, and
// every store-derived service of that request comes from it.
builder.Services.AddSingleton<LiveRuleStore>();
builder.Services.AddScoped(sp => sp.GetRequiredService<LiveRuleStore>().Current);
builder.Services.AddScoped(sp => sp.GetRequiredService<RuleStoreEngine>().Snapshot);
builder.Services.AddScoped(sp => sp.GetRequiredService<RuleStoreEngine>().Evaluator);
// Each feature registers its own services and the parts it builds from each rule store.
builder.Services.AddEvaluations();
builder.Services.AddCdsHooks(builder.Configuration);
// Server-rendered HTML for the evidence summary page (RazorComponentResult; no interactivity, no script).
builder.Services.AddRazorComponents();

builder.Services.ConfigureHttpJsonOptions(options => ApiJson.Configure(options.SerializerOptions));
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
// Asked before the default writer: errors under /cds-services are FHIR OperationOutcomes.
builder.Services.AddSingleton<IProblemDetailsWriter, CdsProblemWriter>();
builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
{
    context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
    context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
    {
        StatusCodes.Status404NotFound => "No resource at this address. The API is described at /swagger.",
        StatusCodes.Status405MethodNotAllowed => "This address does not accept that method. The API is described at /swagger.",
        StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
        _ => null,
    };
});
// Asked last: an error is written as problem+json even when the request's Accept excludes JSON.
builder.Services.AddSingleton<IProblemDetailsWriter, ProblemJsonFallbackWriter>();
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.AddHealthChecks().AddCheck<RuleStoreHealthCheck>("ruleStore", tags: [HealthEndpoints.ReadyTag]);
builder.Services.AddDecisionApiOpenApi();
builder.AddDecisionApiTelemetry();

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddDecisionApiAuthentication().AddCdsHooksJwt();

// In production (Logging:Console:FormatterName = compact) the console logger is replaced by the batched compact sink:
// the same lines, a fraction of the cost per request.
if (builder.Configuration["Logging:Console:FormatterName"] == CompactJsonFormatter.Name)
{
    foreach (var console in builder.Services.Where(d => d.ServiceType == typeof(ILoggerProvider)
        && d.ImplementationType == typeof(Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider)).ToList())
    {
        builder.Services.Remove(console);
    }

    builder.Services.AddSingleton<ILoggerProvider, CompactJsonLoggerProvider>();
}

// No "Server: Kestrel" banner.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

var app = builder.Build();

if (ApiKeyOptions.Problem(app.Services.GetRequiredService<IOptions<ApiKeyOptions>>().Value) is { } keyProblem)
{
    StartupLog.ConfigurationUnusable(app.Logger, keyProblem);
    await app.DisposeAsync();
    return 1;
}

if (app.Services.GetRequiredService<IOptions<CdsHooksOptions>>().Value.Problem(app.Environment.IsDevelopment()) is { } urlProblem)
{
    StartupLog.ConfigurationUnusable(app.Logger, urlProblem);
    await app.DisposeAsync();
    return 1;
}

// The request log is outermost, so it records the status actually sent (a 500 from the exception handler included).
app.UseMiddleware<RequestLogMiddleware>();
app.UseMiddleware<ResponseHeadersMiddleware>();
if (!app.Environment.IsDevelopment())
{
    app.UseHsts();
}

app.UseExceptionHandler();
app.UseStatusCodePages();
// Who may call, how often and how large a body: declared on the route groups (ApiRoutes, CdsHooksEndpoints), applied
// here. Authentication runs before the limiter, so the limiter partitions by the authenticated client; authorization
// after it, so refused callers are limited too (by address, in the smaller anonymous budget).
app.UseMiddleware<RequestBodyLimitMiddleware>();
app.UseCors();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.UseMiddleware<ContentTypeMiddleware>();

// The OpenAPI document and Swagger UI live under /swagger; their middleware is not asked on every API call.
app.UseWhen(context => context.Request.Path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase), swagger =>
{
    swagger.UseSwagger();
    swagger.UseSwaggerUI(options =>
    {
        options.SwaggerEndpoint($"/swagger/{OpenApiSetup.DocumentName}/swagger.json", "DecisionApi v1");
        options.DocumentTitle = "DecisionApi";
    });
});
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
