using Microsoft.Extensions.Options;

namespace DecisionApi.Infrastructure;

/// <summary>The service's shared registrations and its middleware, in order; Program.cs lists them as a table of contents.</summary>
public static class ServicePipeline
{
    /// <summary>Settings, the live rule store (each request takes the serving engine once, when its scope starts), start-up and shutdown.</summary>
    public static IServiceCollection AddRuleStoreServing(this IServiceCollection services, IConfiguration configuration)
    {
        // The rule store is read and verified on a worker thread from here on, while the host is built and starts
        // listening; StoreStartup takes it in once the server listens, and readiness waits for it.
        services.AddSingleton(StorePreload.Start(configuration));
        services.AddOptions<RuleStoreOptions>().BindConfiguration(RuleStoreOptions.SectionName);
        services.AddOptions<EvaluationOptions>().BindConfiguration(EvaluationOptions.SectionName);
        services.AddOptions<LimitOptions>().BindConfiguration(LimitOptions.SectionName);
        services.AddOptions<AnswerMemoOptions>().BindConfiguration(AnswerMemoOptions.SectionName);
        services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.SectionName);
        GracefulShutdown.AddGracefulShutdown(services, configuration);
        services.AddSingleton<StoreStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreStartup>());
        services.AddSingleton<LiveRuleStore>();
        services.AddScoped(sp => sp.GetRequiredService<LiveRuleStore>().Current);
        services.AddScoped(sp => sp.GetRequiredService<RuleStoreEngine>().Snapshot);
        services.AddScoped(sp => sp.GetRequiredService<RuleStoreEngine>().Evaluator);
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>
    /// Errors: RFC 9457 problem details with a trace id (features may register their own writer before this, as CDS Hooks
    /// does for OperationOutcomes); a last writer that always answers problem+json, whatever <c>Accept</c> says; binding
    /// failures explained per field.
    /// </summary>
    public static IServiceCollection AddDecisionApiProblems(this IServiceCollection services)
    {
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
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
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonFallbackWriter>();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        return services;
    }

    /// <summary>
    /// In production (<c>Logging:Console:FormatterName</c> = compact) the console logger is replaced by the batched compact
    /// sink: the same lines, a fraction of the cost per request. No <c>Server: Kestrel</c> banner.
    /// </summary>
    public static WebApplicationBuilder AddDecisionApiLogging(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Configuration["Logging:Console:FormatterName"] == CompactJsonFormatter.Name)
        {
            foreach (var console in builder.Services.Where(d => d.ServiceType == typeof(ILoggerProvider)
                && d.ImplementationType == typeof(Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider)).ToList())
            {
                builder.Services.Remove(console);
            }

            builder.Services.AddSingleton<ILoggerProvider, CompactJsonLoggerProvider>();
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        return builder;
    }

    /// <summary>What is wrong with the configuration for the one start-up line (the API keys' hashes), or null.</summary>
    public static string? ConfigurationProblem(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return ApiKeyOptions.Problem(app.Services.GetRequiredService<IOptions<ApiKeyOptions>>().Value);
    }

    /// <summary>
    /// The middleware, in order. The request log is outermost, so it records the status actually sent (a 500 from the
    /// exception handler included). Who may call, how often and how large a body are declared on the route groups and
    /// applied here: authentication runs before the limiter, so the limiter partitions by the authenticated client;
    /// authorization after it, so refused callers are limited too (by address, in the smaller anonymous budget).
    /// </summary>
    public static WebApplication UseDecisionApiPipeline(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<RequestLogMiddleware>();
        app.UseMiddleware<ResponseHeadersMiddleware>();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseCors();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseMiddleware<ContentTypeMiddleware>();
        return app;
    }
}
