using System.Diagnostics;
using System.Text;

namespace DecisionApi.Tests.Support;

/// <summary>Runs the built service as a real process and captures what it prints.</summary>
public static class ServiceProcess
{
    public sealed record Outcome(bool Exited, int ExitCode, string Output);

    /// <summary>Runs the service until it exits, prints <paramref name="stopWhenPrinted"/> (then it is stopped), or the time is up.</summary>
    public static async Task<Outcome> RunAsync(
        IDictionary<string, string> environment, TimeSpan waitForExit, string? stopWhenPrinted = null, string? workingDirectory = null, string urls = "http://127.0.0.1:0")
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { RepositoryPaths.ServiceAssembly, "--urls", urls },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(RepositoryPaths.ServiceAssembly)!,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["CdsHooks__PublicBaseUrl"] = "https://cds.example.org";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(waitForExit);
        try
        {
            while (stopWhenPrinted is not null && !process.HasExited)
            {
                lock (output)
                {
                    if (output.ToString().Contains(stopWhenPrinted, StringComparison.Ordinal))
                    {
                        break;
                    }
                }

                await Task.Delay(100, timeout.Token);
            }

            if (stopWhenPrinted is not null && !process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(timeout.Token);
                lock (output)
                {
                    return new Outcome(false, -1, output.ToString());
                }
            }

            await process.WaitForExitAsync(timeout.Token);
            process.WaitForExit();
            lock (output)
            {
                return new Outcome(true, process.ExitCode, output.ToString());
            }
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            lock (output)
            {
                return new Outcome(false, -1, output.ToString());
            }
        }
    }
}
