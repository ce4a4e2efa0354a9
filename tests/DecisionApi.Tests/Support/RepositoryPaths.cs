namespace DecisionApi.Tests.Support;

/// <summary>Finds the repository's folders and the built store from the test assembly's location.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Content => Path.Combine(Root, "src", "rule-store");

    public static string OpenApiDocument => Path.Combine(Root, "openapi", "decision-api.v1.json");

    /// <summary>The store the build compiled and copied next to the service (and so next to the tests).</summary>
    public static string BuiltStore => Path.Combine(AppContext.BaseDirectory, "rules", "decision-rules.db");

    /// <summary>The service's own build output (the same configuration as the tests).</summary>
    public static string ServiceAssembly
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            return Path.Combine(Root, "src", "DecisionApi", "bin", configuration, "net10.0", "DecisionApi.dll");
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DecisionApi.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("DecisionApi.sln not found above " + AppContext.BaseDirectory);
    }
}
