using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Storage;
using DecisionApi.Tests.Support;
using Microsoft.Data.Sqlite;

namespace DecisionApi.Tests.Integration;

/// <summary>A store that cannot be trusted stops the real service at start, with one line naming the path.</summary>
public sealed class StartupFailureTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("decision-store-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string CopyOfBuiltStore()
    {
        var path = Path.Combine(folder, "copy.db");
        File.Copy(RepositoryPaths.BuiltStore, path);
        return path;
    }

    private static void Execute(string path, string sql)
    {
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }

    private static async Task ShouldRefuseToStart(string path, string problem)
    {
        var outcome = await ServiceProcess.RunAsync(new Dictionary<string, string> { ["RuleStore__Path"] = path }, TimeSpan.FromSeconds(60));
        outcome.Exited.Should().BeTrue("the service must stop by itself; output was:\n" + outcome.Output);
        outcome.ExitCode.Should().NotBe(0);
        var lines = outcome.Output.Split('\n').Where(l => l.Contains(path, StringComparison.Ordinal)).ToList();
        lines.Should().ContainSingle("one clear line names the path; output was:\n" + outcome.Output)
            .Which.Should().Contain(problem);
        outcome.Output.Should().NotContain("   at ", "no stack trace");
    }

    [Fact]
    public Task A_missing_store_stops_the_service() =>
        ShouldRefuseToStart(Path.Combine(folder, "absent.db"), "does not exist");

    [Fact]
    public async Task A_corrupt_store_stops_the_service()
    {
        var path = Path.Combine(folder, "corrupt.db");
        var bytes = await File.ReadAllBytesAsync(RepositoryPaths.BuiltStore);
        Array.Fill<byte>(bytes, 0x5A, 100, bytes.Length / 2);
        await File.WriteAllBytesAsync(path, bytes);
        await ShouldRefuseToStart(path, "cannot be used");
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_stops_the_service()
    {
        var path = Path.Combine(folder, "text.db");
        await File.WriteAllTextAsync(path, "this is not a rule store");
        await ShouldRefuseToStart(path, "not a readable rule store");
    }

    [Fact]
    public Task A_store_of_another_schema_version_stops_the_service()
    {
        var path = CopyOfBuiltStore();
        Execute(path, "PRAGMA user_version = 99");
        return ShouldRefuseToStart(path, "schema version 99");
    }

    [Fact]
    public Task A_store_edited_after_compilation_stops_the_service()
    {
        var path = CopyOfBuiltStore();
        Execute(path, "UPDATE statements SET text_en = 'MSC injection is recommended.' WHERE id = 'caveat.acr-af-2019'");
        return ShouldRefuseToStart(path, "content hash mismatch");
    }

    [Fact]
    public Task A_store_whose_content_fails_the_lint_stops_the_service()
    {
        var content = StoreFile.Read(RepositoryPaths.BuiltStore);
        var broken = StoreMutations.With(content, statements: content.Statements.Select(s =>
            s.Id == "caveat.acr-af-2019" ? StoreMutations.Copy(s, textZh: "") : s).ToList());
        var path = Path.Combine(folder, "lint.db");
        StoreFile.Write(broken, path);
        return ShouldRefuseToStart(path, "fails the lint");
    }

    [Fact]
    public async Task The_built_store_starts_the_service()
    {
        var outcome = await ServiceProcess.RunAsync(
            new Dictionary<string, string> { ["RuleStore__Path"] = RepositoryPaths.BuiltStore }, TimeSpan.FromSeconds(90), stopWhenPrinted: "Now listening on");
        outcome.Exited.Should().BeFalse("a valid store keeps the service running; output was:\n" + outcome.Output);
        outcome.Output.Should().Contain("Now listening on");
    }

    [Fact]
    public async Task The_service_reads_its_own_settings_whatever_the_working_directory()
    {
        var elsewhere = Directory.CreateTempSubdirectory("decision-cwd-").FullName;
        try
        {
            var outcome = await ServiceProcess.RunAsync(
                new Dictionary<string, string>(), TimeSpan.FromSeconds(90), stopWhenPrinted: "Now listening on", workingDirectory: elsewhere);
            outcome.Exited.Should().BeFalse("the store path in appsettings.json is found from any folder; output was:\n" + outcome.Output);
            outcome.Output.Should().Contain("\"category\":\"Microsoft.Hosting.Lifetime\"", "appsettings.json (compact JSON logs) was loaded");
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }
}
