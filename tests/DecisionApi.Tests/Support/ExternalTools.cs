using System.Collections.Concurrent;
using System.Diagnostics;

namespace DecisionApi.Tests.Support;

/// <summary>
/// The tools some tests need besides the .NET SDK (Debian's chromium, wrk, nginx; the npm tools in tests/tools),
/// installed on first use by the test run itself, so that `dotnet test` works on a fresh machine. A test that needs a
/// tool that could not be installed calls <c>Skip.If(tool.Path is null, tool.Why)</c>: it is reported as skipped with
/// the reason, never passed silently.
/// </summary>
public static class ExternalTools
{
    private static readonly ConcurrentDictionary<string, Lazy<Tool>> Cache = new(StringComparer.Ordinal);
    private static readonly SemaphoreSlim AptLock = new(1, 1);
    private static bool aptUpdated;

    /// <summary>A tool's path, or why it is not there.</summary>
    public sealed record Tool(string? Path, string Why);

    /// <summary>Debian's chromium (with the CJK fonts, so Chinese pages render in screenshots).</summary>
    public static Tool Chromium => Apt("/usr/bin/chromium", "chromium", "fonts-noto-cjk");

    /// <summary>The npm tools of tests/tools (spectral, redocly, openapi-typescript, tsc, kubernetes-models): the folder's node_modules/.bin.</summary>
    public static Tool NodeTools => Cache.GetOrAdd("npm:tests/tools", _ => new Lazy<Tool>(InstallNodeTools)).Value;

    /// <summary>The folder holding tests/tools' package.json.</summary>
    public static string NodeToolsFolder => System.IO.Path.Combine(RepositoryPaths.Root, "tests", "tools");

    /// <summary>A program from Debian's packages at <paramref name="binary"/>, installed with apt-get when missing and allowed.</summary>
    public static Tool Apt(string binary, params string[] packages) =>
        Cache.GetOrAdd("apt:" + binary, _ => new Lazy<Tool>(() => InstallApt(binary, packages))).Value;

    /// <summary>Runs a program to completion with a time limit; returns its exit code and combined output.</summary>
    public static (int ExitCode, string Output) Run(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryPaths.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{fileName} did not finish in time");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static Tool InstallApt(string binary, string[] packages)
    {
        if (File.Exists(binary))
        {
            return new Tool(binary, "");
        }

        var why = $"{binary} is missing and could not be installed ({string.Join(' ', packages)} from Debian's packages)";
        if (!File.Exists("/usr/bin/apt-get") || Environment.UserName != "root")
        {
            return new Tool(null, why + ": apt-get is not available to this user");
        }

        AptLock.Wait();
        try
        {
            if (!aptUpdated)
            {
                Run("apt-get", ["update", "-qq"], timeout: TimeSpan.FromMinutes(5));
                aptUpdated = true;
            }

            var (code, output) = Run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", .. packages], timeout: TimeSpan.FromMinutes(10));
            return File.Exists(binary) ? new Tool(binary, "") : new Tool(null, $"{why}: apt-get exited {code}: {Tail(output)}");
        }
        finally
        {
            AptLock.Release();
        }
    }

    private static Tool InstallNodeTools()
    {
        var bin = System.IO.Path.Combine(NodeToolsFolder, "node_modules", ".bin");
        var stamp = System.IO.Path.Combine(NodeToolsFolder, "node_modules", ".package-lock.json");
        var lockFile = System.IO.Path.Combine(NodeToolsFolder, "package-lock.json");
        if (File.Exists(stamp) && File.GetLastWriteTimeUtc(stamp) >= File.GetLastWriteTimeUtc(lockFile))
        {
            return new Tool(bin, "");
        }

        var npm = new[] { "/usr/bin/npm", "/usr/local/bin/npm" }.FirstOrDefault(File.Exists);
        if (npm is null)
        {
            return new Tool(null, "npm is not installed, so the tools of tests/tools (spectral, redocly, openapi-typescript, tsc) cannot run");
        }

        var (code, output) = Run(npm, ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], NodeToolsFolder, TimeSpan.FromMinutes(10));
        return code == 0 ? new Tool(bin, "") : new Tool(null, $"npm ci in tests/tools exited {code}: {Tail(output)}");
    }

    private static string Tail(string output) => output.Length <= 600 ? output.Trim() : "…" + output[^600..].Trim();
}
