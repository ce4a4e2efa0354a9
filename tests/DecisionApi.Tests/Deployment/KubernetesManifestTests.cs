using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Deployment;

/// <summary>The manifests under deploy/k8s validate offline against the Kubernetes JSON schemas (npm kubernetes-models).</summary>
public sealed class KubernetesManifestTests
{
    private static string K8sFolder => Path.Combine(RepositoryPaths.Root, "deploy", "k8s");

    [SkippableFact]
    public void Manifests_validate_against_the_Kubernetes_schemas()
    {
        var tool = ExternalTools.NodeTools;
        Skip.If(tool.Path is null, tool.Why);
        var node = new[] { "/usr/bin/node", "/usr/local/bin/node" }.FirstOrDefault(File.Exists);
        Skip.If(node is null, "node is not installed");

        var files = Directory.GetFiles(K8sFolder, "*.yaml").Order(StringComparer.Ordinal).ToArray();
        var (code, output) = ExternalTools.Run(node!, ["validate-k8s.mjs", .. files], ExternalTools.NodeToolsFolder, TimeSpan.FromMinutes(2));

        code.Should().Be(0, output);
        output.Should().Contain("apps/v1/Deployment").And.Contain("v1/Service").And.Contain("autoscaling/v2/HorizontalPodAutoscaler")
            .And.Contain("policy/v1/PodDisruptionBudget").And.Contain("v1/Secret");
    }

    [SkippableFact]
    public void Validation_rejects_an_invalid_manifest()
    {
        var tool = ExternalTools.NodeTools;
        Skip.If(tool.Path is null, tool.Why);
        var node = new[] { "/usr/bin/node", "/usr/local/bin/node" }.FirstOrDefault(File.Exists);
        Skip.If(node is null, "node is not installed");

        var bad = Path.Combine(Path.GetTempPath(), $"k8s-bad-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(bad, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: \"three\", selector: {}, template: {}}\n");
        try
        {
            var (code, output) = ExternalTools.Run(node!, ["validate-k8s.mjs", bad], ExternalTools.NodeToolsFolder, TimeSpan.FromMinutes(2));
            code.Should().Be(1, output);
            output.Should().Contain("replicas");
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public void Deployment_probes_the_health_endpoints_and_drains_before_the_grace_period()
    {
        var deployment = File.ReadAllText(Path.Combine(K8sFolder, "deployment.yaml"));
        deployment.Should().Contain("path: /health/ready").And.Contain("path: /health/live")
            .And.Contain("sleep: { seconds: 5 }").And.Contain("terminationGracePeriodSeconds: 45")
            .And.Contain("ApiKeys__Keys__0__Sha256").And.Contain("RuleStore__Path");
    }
}
