namespace DecisionApi.Tests.Support;

/// <summary>
/// A temporary copy of the curated YAML (src/rule-store) that a test may edit, then compile like the build does.
/// Deleted on dispose.
/// </summary>
public sealed class ContentCopy : IDisposable
{
    public ContentCopy()
    {
        Folder = Directory.CreateTempSubdirectory("decision-content-").FullName;
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Content, "*.yaml"))
        {
            File.Copy(file, Path.Combine(Folder, Path.GetFileName(file)));
        }
    }

    public string Folder { get; }

    /// <summary>Replaces <paramref name="from"/> (which must occur) with <paramref name="to"/> in one YAML file.</summary>
    public ContentCopy Replace(string file, string from, string to)
    {
        var path = Path.Combine(Folder, file);
        var yaml = File.ReadAllText(path);
        yaml.Should().Contain(from, $"{file} is expected to hold the text the test changes");
        File.WriteAllText(path, yaml.Replace(from, to, StringComparison.Ordinal));
        return this;
    }

    /// <summary>Compiles the copy into a store file inside the copy's folder and returns its path.</summary>
    public string Compile()
    {
        var path = Path.Combine(Folder, "decision-rules.db");
        DecisionApi.RuleStore.Storage.StoreFile.Write(DecisionApi.StoreCompiler.ContentCompiler.Compile(Folder), path);
        return path;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
