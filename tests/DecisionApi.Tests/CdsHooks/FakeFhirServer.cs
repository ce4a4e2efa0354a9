using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DecisionApi.Tests.CdsHooks;

/// <summary>A FHIR server on 127.0.0.1 that answers searches from canned JSON and records what it was asked.</summary>
public sealed class FakeFhirServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeFhirServer(WebApplication app, string baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    /// <summary>Path and query of every request, with its Authorization header.</summary>
    public ConcurrentQueue<(string PathAndQuery, string? Authorization)> Requests { get; } = new();

    /// <summary>Resource type (first path segment) → the JSON to answer; an absent type answers 404.</summary>
    public ConcurrentDictionary<string, JsonNode> Responses { get; } = new();

    /// <summary>Answers after this delay (to test time-outs).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Response key (resource type or "page2") → an extra delay before answering it (a hanging or slow server).</summary>
    public ConcurrentDictionary<string, TimeSpan> Delays { get; } = new();

    /// <summary>Response key → the size of an endless-looking JSON body streamed instead of a canned answer.</summary>
    public ConcurrentDictionary<string, long> HugeBodies { get; } = new();

    /// <summary>Response key → raw bytes answered as application/fhir+json (invalid UTF-8, lone surrogates).</summary>
    public ConcurrentDictionary<string, byte[]> RawBodies { get; } = new();

    public static async Task<FakeFhirServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeFhirServer? server = null;
        app.Run(async context =>
        {
            server!.Requests.Enqueue((context.Request.Path + context.Request.QueryString, context.Request.Headers.Authorization.FirstOrDefault()));
            await Task.Delay(server.Delay, context.RequestAborted);
            var path = context.Request.Path.Value!.Trim('/');
            path = path.StartsWith("fhir/", StringComparison.Ordinal) ? path["fhir/".Length..] : path;
            var key = path.Contains("page2", StringComparison.Ordinal) ? "page2" : path.Split('/')[0];
            if (server.Delays.TryGetValue(key, out var delay))
            {
                await Task.Delay(delay, context.RequestAborted);
            }

            if (server.HugeBodies.TryGetValue(key, out var size))
            {
                context.Response.ContentType = "application/fhir+json";
                var chunk = new byte[64 * 1024];
                Array.Fill(chunk, (byte)' ');
                await context.Response.Body.WriteAsync("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[]"u8.ToArray(), context.RequestAborted);
                for (long written = 0; written < size; written += chunk.Length)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                }

                await context.Response.Body.WriteAsync("}"u8.ToArray(), context.RequestAborted);
                return;
            }

            if (server.RawBodies.TryGetValue(key, out var raw))
            {
                context.Response.ContentType = "application/fhir+json";
                await context.Response.Body.WriteAsync(raw, context.RequestAborted);
                return;
            }

            if (!server.Responses.TryGetValue(key, out var body))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            context.Response.ContentType = "application/fhir+json";
            await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new FakeFhirServer(app, address.TrimEnd('/') + "/fhir");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
