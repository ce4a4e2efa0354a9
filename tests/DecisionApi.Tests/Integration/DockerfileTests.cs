using System.Diagnostics;
using DecisionApi.RuleStore;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Integration;

/// <summary>
/// No Docker engine runs here, so the image is checked by construction: the Dockerfile's own dotnet commands are run
/// as written (with /app replaced by a temporary folder) and the published folder must hold a loadable store.
/// </summary>
public sealed class DockerfileTests
{
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Dockerfile"));

    /// <summary>What Docker puts in TARGETARCH for this machine.</summary>
    private static readonly string DockerArchitecture =
        System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "amd64";

    [Fact]
    public void The_Dockerfile_is_multi_stage_non_root_on_port_8080()
    {
        Dockerfile.Should().Contain("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build");
        Dockerfile.Should().Contain("FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime");
        Dockerfile.Should().Contain("USER $APP_UID");
        Dockerfile.Should().Contain("EXPOSE 8080").And.Contain("ASPNETCORE_HTTP_PORTS=8080");
        var restore = Dockerfile.IndexOf("RUN dotnet restore", StringComparison.Ordinal);
        var copySources = Dockerfile.IndexOf("COPY src/ src/", StringComparison.Ordinal);
        restore.Should().BePositive().And.BeLessThan(copySources, "restore is its own layer, before the sources are copied");
        foreach (var copied in Dockerfile.Split('\n').Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal))
                     .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1]))
        {
            Path.Exists(Path.Combine(RepositoryPaths.Root, copied)).Should().BeTrue($"the Dockerfile copies {copied}");
        }
    }

    [Fact]
    public async Task The_Dockerfile_publish_commands_produce_a_service_with_its_store_baked_in()
    {
        var root = Directory.CreateTempSubdirectory("decision-docker-").FullName;
        var context = Directory.CreateDirectory(Path.Combine(root, "src")).FullName;
        var output = Path.Combine(root, "app");
        // An empty package folder, as in a fresh image: a restore that misses a pack (ReadyToRun's runtime packs were
        // once missed) cannot be hidden by packages an earlier build left in this machine's NuGet cache.
        var packages = Directory.CreateDirectory(Path.Combine(root, "nuget-packages")).FullName;
        try
        {
            // The build stage as Docker runs it: the COPY lines fill a clean WORKDIR (no bin/ or obj/), then the RUN lines.
            foreach (var line in Dockerfile.Split('\n').Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal)))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
                foreach (var source in parts[..^1])
                {
                    CopyIntoContext(Path.Combine(RepositoryPaths.Root, source), Path.Combine(context, parts[^1].EndsWith('/') && !source.EndsWith('/') ? parts[^1] + Path.GetFileName(source) : parts[^1]));
                }
            }

            var commands = Dockerfile.Split('\n')
                .Where(l => l.StartsWith("RUN dotnet ", StringComparison.Ordinal))
                .Select(l => l["RUN dotnet ".Length..].Replace("/app", output, StringComparison.Ordinal)
                    .Replace("$TARGETARCH", DockerArchitecture, StringComparison.Ordinal).Trim())
                .ToList();
            commands.Should().HaveCount(2);
            foreach (var arguments in commands)
            {
                var (exitCode, log) = await RunDotnet(arguments, context, packages);
                exitCode.Should().Be(0, $"dotnet {arguments} failed:\n{log}");
            }

            File.Exists(Path.Combine(output, "DecisionApi.dll")).Should().BeTrue();
            Directory.EnumerateDirectories(packages).Should().Contain(d => Path.GetFileName(d).StartsWith("microsoft.netcore.app.runtime.", StringComparison.Ordinal),
                "the restore into the empty folder brought the runtime pack that the ReadyToRun publish compiles against");
            Dockerfile.Should().Contain("ARG TARGETARCH").And.Contain("-p:PublishReadyToRun=true");
            var store = Path.Combine(output, "rules", "decision-rules.db");
            RuleStoreSnapshot.Load(store).ContentHash.Should().Be(BuiltStore.Snapshot.ContentHash);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void CopyIntoContext(string source, string destination)
    {
        if (File.Exists(source))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(source, destination, overwrite: true);
            return;
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            var segments = relative.Split(Path.DirectorySeparatorChar);
            if (segments.Any(s => s is "bin" or "obj"))
            {
                continue;
            }

            CopyIntoContext(file, Path.Combine(destination, relative));
        }
    }

    private static async Task<(int ExitCode, string Log)> RunDotnet(string arguments, string workingDirectory, string packages)
    {
        var start = new ProcessStartInfo("dotnet", arguments + " -nodeReuse:false")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NUGET_PACKAGES"] = packages;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
