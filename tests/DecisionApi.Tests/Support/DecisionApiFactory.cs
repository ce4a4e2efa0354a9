using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DecisionApi.Tests.Support;

/// <summary>The real service, in memory, on the real built rule store.</summary>
public sealed class DecisionApiFactory : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("CdsHooks:PublicBaseUrl", "http://localhost");
        builder.UseSetting("RuleStore:Path", RepositoryPaths.BuiltStore);
        // Keys and rate limits have their own tests (AccessControlTests); the other tests call as one trusted client.
        builder.UseSetting("ApiKeys:Enabled", "false");
        builder.UseSetting("RateLimiting:Enabled", "false");
        builder.UseSetting("Shutdown:UnreadySeconds", "0");
    }
}

[CollectionDefinition(Name)]
public sealed class ApiTestGroup : ICollectionFixture<DecisionApiFactory>
{
    public const string Name = "api";
}
