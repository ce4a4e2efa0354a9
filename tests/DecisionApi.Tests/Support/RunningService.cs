using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace DecisionApi.Tests.Support;

/// <summary>The built service as a real Kestrel process on a free local port, stopped (whole process tree) on dispose.</summary>
public sealed partial class RunningService : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output;

    private RunningService(Process process, StringBuilder output, Uri baseUrl)
    {
        this.process = process;
        this.output = output;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static async Task<RunningService> StartAsync(IDictionary<string, string> environment, TimeSpan? timeout = null, string urls = "http://127.0.0.1:0")
    {
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { RepositoryPaths.ServiceAssembly, "--urls", urls },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(RepositoryPaths.ServiceAssembly)!,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["CdsHooks__PublicBaseUrl"] = "https://cds.example.org";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            string text;
            lock (output)
            {
                text = output.ToString();
            }

            if (Listening().Match(text) is { Success: true } match)
            {
                // Listening is not ready: the store is read after the listener starts (StoreStartup). Wait, as an
                // orchestrator does, for the readiness probe to say 200.
                var baseUrl = new Uri(match.Value);
                if (await WaitUntilReadyAsync(process, baseUrl, deadline))
                {
                    return new RunningService(process, output, baseUrl);
                }

                break;
            }

            await Task.Delay(100);
        }

        string printed;
        lock (output)
        {
            printed = output.ToString();
        }

        process.Kill(entireProcessTree: true);
        process.Dispose();
        throw new InvalidOperationException("The service did not become ready (listening and /health/ready 200) in time: " + printed);
    }

    private static async Task<bool> WaitUntilReadyAsync(Process process, Uri baseUrl, DateTime deadline)
    {
        using var client = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(10) };
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (ready.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not accepting yet: try again.
            }
            catch (TaskCanceledException)
            {
                // A busy machine: try again until the deadline.
            }

            await Task.Delay(100);
        }

        return false;
    }

    /// <summary>Sends SIGTERM (what an orchestrator sends) and waits for the process to exit; returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(wait.Token);
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+")]
    private static partial Regex Listening();
}
