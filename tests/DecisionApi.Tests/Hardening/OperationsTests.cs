using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using DecisionApi.Infrastructure;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Storage;
using DecisionApi.Tests.CdsHooks;
using DecisionApi.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DecisionApi.Tests.Hardening;

/// <summary>Tracker issue 9 (items 7 and 8): the store replaced while serving, start-up failures, graceful shutdown.</summary>
public sealed class OperationsTests(CdsHooksFactory factory) : IClassFixture<CdsHooksFactory>
{
    private const string Profile = """{"age":62,"klGrade":3,"priorTreatments":[]}""";

    /// <summary>A copy of the built store with a different version (so a different content hash).</summary>
    private static void WriteNewerStore(string path, string version)
    {
        var content = StoreFile.Read(RepositoryPaths.BuiltStore);
        var metadata = content.Metadata.Select(m => m.Key == Vocab.MetadataKeys.Version ? new MetadataRow { Key = m.Key, Value = version } : m).ToList();
        var altered = StoreMutations.With(new StoreContent
        {
            Metadata = metadata, Texts = content.Texts, Sources = content.Sources, Vocabulary = content.Vocabulary, CodeMappings = content.CodeMappings,
            Statements = content.Statements, StatementSources = content.StatementSources, Rules = content.Rules, RuleConditions = content.RuleConditions,
            Recognition = content.Recognition, Effects = content.Effects, ProfileBounds = content.ProfileBounds,
        });
        var staged = path + ".staged";
        StoreFile.Write(altered, staged);
        File.Move(staged, path, overwrite: true);
    }

    private static async Task<JsonElement> Ready(HttpClient client)
    {
        var response = await client.GetAsync("/health/ready");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("ruleStore").Clone();
    }

    [Fact]
    public async Task A_store_replaced_under_load_is_picked_up_and_no_request_fails()
    {
        using var store = new StoreCopy();
        var path = store.Path;
        using var live = factory.WithWebHostBuilder(b => b.UseSetting("RuleStore:Path", path).UseSetting("RuleStore:WatchSeconds", "0.2"));
        var client = live.CreateClient();
        var before = (await Ready(client)).GetProperty("data").GetProperty("contentHash").GetString();

        using var stop = new CancellationTokenSource();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        var versions = new System.Collections.Concurrent.ConcurrentBag<string>();
        var load = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.PostAsync("/v1/evaluations", HttpAssertions.Json(Profile));
                statuses.Add(response.StatusCode);
                versions.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("ruleStore").GetProperty("version").GetString()!);
            }
        })).ToList();

        await Task.Delay(300);
        WriteNewerStore(path, "9.9.9-live");
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10) && !versions.Contains("9.9.9-live"))
        {
            await Task.Delay(100);
        }

        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        statuses.Should().NotBeEmpty().And.OnlyContain(s => s == HttpStatusCode.OK, "no request fails during the swap");
        versions.Should().Contain("9.9.9-live", "the new store is serving within seconds");
        var after = await Ready(client);
        after.GetProperty("data").GetProperty("version").GetString().Should().Be("9.9.9-live");
        after.GetProperty("data").GetProperty("contentHash").GetString().Should().NotBe(before);
    }

    [Fact]
    public async Task A_corrupt_replacement_is_refused_and_the_last_good_store_keeps_serving()
    {
        using var store = new StoreCopy();
        var path = store.Path;
        using var live = factory.WithWebHostBuilder(b => b.UseSetting("RuleStore:Path", path).UseSetting("RuleStore:Watch", "false"));
        var client = live.CreateClient();
        var version = (await Ready(client)).GetProperty("data").GetProperty("version").GetString();

        var staged = path + ".staged";
        await File.WriteAllBytesAsync(staged, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31))]);
        File.Move(staged, path, overwrite: true);
        live.Services.GetRequiredService<LiveRuleStore>().Check();

        var ready = await Ready(client);
        ready.GetProperty("status").GetString().Should().Be("Healthy", "a refused replacement does not make the service unready");
        ready.GetProperty("data").GetProperty("version").GetString().Should().Be(version);
        ready.GetProperty("data").GetProperty("refusedReplacement").GetString().Should().Contain(path);
        (await client.PostAsync("/v1/evaluations", HttpAssertions.Json(Profile))).StatusCode.Should().Be(HttpStatusCode.OK);
        factory.Logs.Messages.Should().Contain(m => m.Contains(path, StringComparison.Ordinal) && m.Contains("refused", StringComparison.Ordinal));

        // A good file again clears the refusal.
        WriteNewerStore(path, "9.9.10-fixed");
        live.Services.GetRequiredService<LiveRuleStore>().Check();
        var fixedUp = await Ready(client);
        fixedUp.GetProperty("data").GetProperty("version").GetString().Should().Be("9.9.10-fixed");
        fixedUp.GetProperty("data").TryGetProperty("refusedReplacement", out _).Should().BeFalse();
    }

    [SkippableFact]
    public async Task A_fifo_at_the_store_path_stops_start_up_with_one_clear_line()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "named pipes are a Unix case");
        var folder = Directory.CreateTempSubdirectory("decision-fifo-").FullName;
        try
        {
            var fifo = Path.Combine(folder, "decision-rules.db");
            using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!)
            {
                await mkfifo.WaitForExitAsync();
                Skip.If(mkfifo.ExitCode != 0, "mkfifo is not available");
            }

            var outcome = await ServiceProcess.RunAsync(new Dictionary<string, string> { ["RuleStore__Path"] = fifo }, TimeSpan.FromSeconds(60));
            outcome.Exited.Should().BeTrue("start-up must not hang on a pipe");
            outcome.ExitCode.Should().Be(1);
            outcome.Output.Should().Contain(fifo).And.Contain("not a regular file").And.NotContain("   at ");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_port_already_in_use_stops_start_up_with_one_clear_line_and_exit_code_1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var outcome = await ServiceProcess.RunAsync(new Dictionary<string, string>(), TimeSpan.FromSeconds(60), urls: $"http://127.0.0.1:{port}");

        outcome.Exited.Should().BeTrue();
        outcome.ExitCode.Should().Be(1, "a process that cannot listen exits 1 (an unhandled exception would abort with 134)");
        outcome.Output.Should().NotContain("Unhandled exception");
        outcome.Output.Split('\n').Should().Contain(line => line.Contains("\"level\":\"Critical\"", StringComparison.Ordinal)
            && line.Contains("address already in use", StringComparison.Ordinal) && !line.Contains("   at ", StringComparison.Ordinal),
            "one clear Critical line says why, without a stack trace");
    }

    [Fact]
    public async Task Every_log_line_of_a_real_process_is_one_json_object_with_each_key_once()
    {
        await using var service = await RunningService.StartAsync(new Dictionary<string, string>
        {
            ["RuleStore__Path"] = RepositoryPaths.BuiltStore,
            ["ApiKeys__Enabled"] = "false",
            ["CdsHooks__Authentication__Enabled"] = "false",
        });
        using var client = new HttpClient { BaseAddress = service.BaseUrl };
        (await client.PostAsync("/v1/evaluations", HttpAssertions.Json(Profile))).StatusCode.Should().Be(HttpStatusCode.OK);
        var card = await client.PostAsync("/cds-services/msc-knee-oa", HttpAssertions.Json(CdsFixtures.OrderSign(CdsFixtures.Prefetch(), CdsFixtures.MscOrder()).ToJsonString()));
        card.StatusCode.Should().Be(HttpStatusCode.OK);

        string[] lines = [];
        for (var waited = 0; waited < 50 && !lines.Any(l => l.Contains("\"eventId\":3000", StringComparison.Ordinal)); waited++)
        {
            await Task.Delay(100); // the log writer runs every 10 ms
            lines = service.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        lines.Should().NotBeEmpty();
        foreach (var line in lines)
        {
            var names = JsonDocument.Parse(line).RootElement.EnumerateObject().Select(p => p.Name).ToList();
            names.Should().OnlyHaveUniqueItems($"a log line's keys are read as a map: {line}");
        }

        var audits = lines.Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.TryGetProperty("eventId", out var id) && id.GetInt32() is 2000 or 3000).ToList();
        audits.Should().HaveCount(2);
        audits.Should().OnlyContain(a => a.GetProperty("assessment").GetString()!.Length > 0 && a.GetProperty("category").GetString()!.StartsWith("DecisionApi.", StringComparison.Ordinal));
        audits.Should().OnlyContain(a => a.GetProperty("rules").GetString()!.StartsWith("assessment.", StringComparison.Ordinal), "spec §8: audit events carry the rule ids");
    }

    [SkippableFact]
    public async Task On_sigterm_readiness_turns_503_in_flight_requests_finish_and_the_process_exits_0()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "SIGTERM is a Unix signal");
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.Responses["Patient"] = CdsFixtures.Patient("1960-01-01");
        fhir.Delays["Patient"] = TimeSpan.FromSeconds(2.5);
        await using var service = await RunningService.StartAsync(new Dictionary<string, string>
        {
            ["RuleStore__Path"] = RepositoryPaths.BuiltStore,
            ["ApiKeys__Enabled"] = "false",
            ["CdsHooks__Authentication__Enabled"] = "false",
            ["CdsHooks__FhirServerAllowlist__0"] = fhir.BaseUrl,
            // Well above the 2.5 s Patient delay: at the default 3 s a cold, busy machine turned the slow fetch into a
            // missed deadline (412), which is not what this test is about.
            ["CdsHooks__FhirTimeoutSeconds"] = "15",
            ["CdsHooks__FhirDeadlineSeconds"] = "15",
            ["Shutdown__UnreadySeconds"] = "2",
            ["Shutdown__DrainSeconds"] = "10",
        });
        using var client = new HttpClient { BaseAddress = service.BaseUrl };
        // The service listens before the store is in (readiness 503 "Starting" for a moment; longer on a busy machine).
        var ready = HttpStatusCode.ServiceUnavailable;
        for (var waited = 0; waited < 100 && ready != HttpStatusCode.OK; waited++)
        {
            ready = (await client.GetAsync("/health/ready")).StatusCode;
            if (ready != HttpStatusCode.OK)
            {
                await Task.Delay(100);
            }
        }

        ready.Should().Be(HttpStatusCode.OK);

        // In flight: a call whose Patient comes from a slow FHIR server (about 2.5 s).
        var request = CdsFixtures.OrderSign(null, CdsFixtures.MscOrder());
        request["fhirServer"] = fhir.BaseUrl;
        request["fhirAuthorization"] = new System.Text.Json.Nodes.JsonObject { ["access_token"] = "t", ["token_type"] = "Bearer", ["expires_in"] = 300, ["scope"] = "patient/*.read", ["subject"] = "cds" };
        var inFlight = client.PostAsync("/cds-services/msc-knee-oa-order-sign", HttpAssertions.Json(request.ToJsonString()));
        await Task.Delay(500);

        var exit = service.TerminateAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(500);
        var readiness = await client.GetAsync("/health/ready");
        readiness.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "readiness turns first, while requests are still served");

        var answer = await inFlight;
        answer.StatusCode.Should().Be(HttpStatusCode.OK, "the request in flight finishes");
        (await exit).Should().Be(0);
        service.Output.Should().Contain("\"eventId\":1300", "the stop is logged");
    }

    /// <summary>A copy of the built store in its own folder, for a service whose file the test replaces.</summary>
    private sealed class StoreCopy : IDisposable
    {
        private readonly string folder = Directory.CreateTempSubdirectory("decision-live-").FullName;

        public StoreCopy()
        {
            Path = System.IO.Path.Combine(folder, "decision-rules.db");
            File.Copy(RepositoryPaths.BuiltStore, Path);
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(folder, recursive: true);
    }
}
