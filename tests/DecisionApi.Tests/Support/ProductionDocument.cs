using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DecisionApi.Tests.Support;

/// <summary>
/// The OpenAPI document as Production serves it (API keys and CDS Hooks JWTs on): the committed contract. Elsewhere the
/// served document follows its environment (no credential where keys or JWTs are off).
/// </summary>
public static class ProductionDocument
{
    public static async Task<JsonNode> GetAsync<TEntryPoint>(WebApplicationFactory<TEntryPoint> factory)
        where TEntryPoint : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        using var production = factory.WithWebHostBuilder(b => b.UseEnvironment("Production")
            .UseSetting("ApiKeys:Enabled", "true").UseSetting("CdsHooks:Authentication:Enabled", "true"));
        return JsonNode.Parse(await production.CreateClient().GetStringAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative)))!;
    }
}
