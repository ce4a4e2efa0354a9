using System.Diagnostics.Metrics;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DecisionApi.Infrastructure;

/// <summary>
/// OpenTelemetry metrics and traces, exported over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. When it is
/// not, nothing is registered: the counters below have no listener, and <see cref="Counter{T}.Add(T)"/> returns at once.
/// Metrics: ASP.NET Core's request count and latency histogram (<c>http.server.request.duration</c>), Kestrel's
/// connections, and the service's own counters, each tagged with the rule-store version.
/// </summary>
public static class Telemetry
{
    public const string MeterName = "DecisionApi";
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private static readonly Meter Meter = new(MeterName, "1.0");

    /// <summary>Evaluations answered over REST, by assessment category and store version.</summary>
    public static readonly Counter<long> Evaluations = Meter.CreateCounter<long>("decision_api.evaluations", "{evaluation}", "Evaluations answered, by assessment category");

    /// <summary>CDS Hooks cards returned, by hook, category and store version.</summary>
    public static readonly Counter<long> Cards = Meter.CreateCounter<long>("decision_api.cds.cards", "{card}", "CDS Hooks cards returned, by hook");

    /// <summary>CDS Hooks feedback items recorded, by outcome.</summary>
    public static readonly Counter<long> Feedback = Meter.CreateCounter<long>("decision_api.cds.feedback", "{item}", "CDS Hooks feedback items, by outcome");

    /// <summary>CDS Hooks suggestions accepted (feedback naming an issued suggestion uuid), by suggestion kind (issue #24).</summary>
    public static readonly Counter<long> SuggestionsAccepted = Meter.CreateCounter<long>("decision_api.cds.suggestions.accepted", "{suggestion}", "CDS Hooks suggestions accepted, by suggestion kind");

    /// <summary>CDS Hooks cards overridden, by override reason code (the store's codes; any other is "other", none is "none").</summary>
    public static readonly Counter<long> Overrides = Meter.CreateCounter<long>("decision_api.cds.overrides", "{card}", "CDS Hooks cards overridden, by override reason code");

    /// <summary>Registers OpenTelemetry when an OTLP endpoint is configured; otherwise does nothing.</summary>
    public static WebApplicationBuilder AddDecisionApiTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Configuration[EndpointKey] is not { Length: > 0 } endpoint)
        {
            return builder;
        }

        var exportMs = builder.Configuration.GetValue("OTEL_METRIC_EXPORT_INTERVAL", 60_000);
        Uri Signal(string path) => new(endpoint.TrimEnd('/') + path);

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("decision-api"))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddMeter(MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                .AddOtlpExporter((otlp, reader) =>
                {
                    otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
                    otlp.Endpoint = Signal("/v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = exportMs;
                }))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                .AddOtlpExporter(otlp =>
                {
                    otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
                    otlp.Endpoint = Signal("/v1/traces");
                }));
        return builder;
    }
}
