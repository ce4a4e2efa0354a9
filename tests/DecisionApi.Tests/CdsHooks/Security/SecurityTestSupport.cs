using DecisionApi.Features.CdsHooks;
using DecisionApi.Features.CdsHooks.Security;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DecisionApi.Tests.CdsHooks.Security;

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}

/// <summary>Plain clients, as the service's named client would be (3 s time-out, no redirects).</summary>
public sealed class TestHttpClientFactory : IHttpClientFactory
{
    public HttpClient CreateClient(string name) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = CdsJwksProvider.FetchTimeout };
}

public sealed class TestHostEnvironment(string environmentName) : IHostEnvironment
{
    public string EnvironmentName { get; set; } = environmentName;

    public string ApplicationName { get; set; } = "DecisionApi";

    public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

    public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
}

public static class Validators
{
    /// <summary>A validator built by hand on <paramref name="options"/>.</summary>
    public static CdsJwtValidator Create(CdsHooksOptions options, TimeProvider? time = null)
    {
        var clock = time ?? TimeProvider.System;
        return new CdsJwtValidator(
            Options.Create(options),
            new CdsJwksProvider(new TestHttpClientFactory(), clock, NullLogger<CdsJwksProvider>.Instance),
            new CdsJtiReplayCache(clock),
            clock,
            NullLogger<CdsJwtValidator>.Instance);
    }

    public static CdsHooksOptions Trusting(params CdsClientOptions[] clients)
    {
        var options = new CdsHooksOptions();
        foreach (var client in clients)
        {
            options.Clients.Add(client);
        }

        return options;
    }

    public static string Bearer(string token) => "Bearer " + token;
}
