using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Storage;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Contract;

/// <summary>
/// Clients generated from the committed openapi/decision-api.v1.json, as an integrator would generate them: C# with Kiota
/// and with NSwag (System.Text.Json template), both from the local tool manifest (.config/dotnet-tools.json), and
/// TypeScript with openapi-typescript + openapi-fetch (tests/tools). Each is compiled once with the callers of
/// tests/clients and tests/tools/client (no hand edit of generated code, no cast) and calls every operation against the
/// real service process; then against a service whose store adds a treatment code the committed document does not list
/// (a store release), which the clients must read and send back unchanged.
/// </summary>
public sealed class GeneratedClientTests(GeneratedClientTests.Clients clients) : IClassFixture<GeneratedClientTests.Clients>
{
    /// <summary>A treatment code the committed document does not list: what a later store release adds.</summary>
    public const string NewTreatment = "shockwave-therapy";

    [SkippableTheory]
    [InlineData("kiota")]
    [InlineData("nswag")]
    [InlineData("typescript")]
    public async Task The_generated_client_calls_every_operation_against_the_running_service(string client)
    {
        var caller = clients.For(client);
        Skip.If(caller.Command is null, caller.Why);
        var service = await clients.ServiceAsync(released: false);
        var (code, output) = Clients.Call(caller, service, newTreatment: null);
        code.Should().Be(0, output);
        output.Should().Contain("checks passed").And.Contain("POST /cds-services/{id}/feedback").And.Contain("GET /v1/treatments/recognition");
    }

    [SkippableTheory]
    [InlineData("kiota")]
    [InlineData("nswag")]
    [InlineData("typescript")]
    public async Task The_generated_client_survives_a_store_release_that_adds_a_treatment_code(string client)
    {
        var caller = clients.For(client);
        Skip.If(caller.Command is null, caller.Why);
        var document = JsonNode.Parse(File.ReadAllText(RepositoryPaths.OpenApiDocument))!;
        document["components"]!["schemas"]!["ConventionalOption"]!["properties"]!["treatment"]!["x-extensible-enum"]!.AsArray()
            .Select(v => v!.GetValue<string>()).Should().NotContain(NewTreatment, "the client must meet a value its document does not list");
        var service = await clients.ServiceAsync(released: true);
        var (code, output) = Clients.Call(caller, service, NewTreatment);
        code.Should().Be(0, output);
        output.Should().Contain($"echoes every prior treatment sent, exercise-therapy,oral-nsaid,ia-corticosteroid,{NewTreatment}").And.Contain($"reads {NewTreatment} in treatment");
    }

    /// <summary>Generates and compiles each client once for the class; starts each service once.</summary>
    public sealed class Clients : IAsyncLifetime
    {
        private const string ApiKey = "generated-clients-test-key-7c1d";
        private readonly string work = Directory.CreateTempSubdirectory("decision-clients-").FullName;
        private readonly Dictionary<string, Lazy<Caller>> callers;
        private readonly Dictionary<bool, Task<RunningService>> services = [];
        private readonly Lock gate = new();
        private readonly Lazy<string?> toolRestore;

        public Clients()
        {
            toolRestore = new Lazy<string?>(RestoreDotnetTools);
            callers = new(StringComparer.Ordinal)
            {
                ["kiota"] = new(() => BuildCSharp("kiota", "Client.Kiota", (generated) =>
                    ["kiota", "generate", "-l", "CSharp", "-d", RepositoryPaths.OpenApiDocument, "-o", generated, "-c", "DecisionApiClient", "-n", "DecisionApi.Client.Kiota", "--exclude-backward-compatible", "--clean-output"])),
                ["nswag"] = new(() => BuildCSharp("nswag", "Client.NSwag", (generated) =>
                    ["nswag", "openapi2csclient", $"/input:{RepositoryPaths.OpenApiDocument}", $"/output:{Path.Combine(generated, "DecisionApiClient.cs")}", "/namespace:DecisionApi.Client.NSwag", "/className:DecisionApiClient", "/jsonLibrary:SystemTextJson", "/generateClientInterfaces:false"])),
                ["typescript"] = new(BuildTypeScript),
            };
        }

        /// <summary>How to run a compiled caller, or why it could not be built (the test then skips with it).</summary>
        public sealed record Caller(string? Command, string[] Arguments, string WorkingDirectory, string Why);

        public Caller For(string name) => callers[name].Value;

        public Task<RunningService> ServiceAsync(bool released)
        {
            lock (gate)
            {
                if (!services.TryGetValue(released, out var start))
                {
                    start = StartService(released);
                    services[released] = start;
                }

                return start;
            }
        }

        public static (int Code, string Output) Call(Caller caller, RunningService service, string? newTreatment)
        {
            string[] arguments = [.. caller.Arguments, service.BaseUrl.ToString(), ApiKey, RepositoryPaths.OpenApiDocument];
            if (newTreatment is not null)
            {
                arguments = [.. arguments, newTreatment];
            }

            var (code, output) = Run(caller.Command!, arguments, caller.WorkingDirectory, TimeSpan.FromMinutes(3));
            return (code, output + "\n--- service log (tail) ---\n" + Tail(service.Output, 3000));
        }

        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync()
        {
            foreach (var service in services.Values)
            {
                if (service.IsCompletedSuccessfully)
                {
                    await service.Result.DisposeAsync();
                }
            }

            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // A build server may still hold a file: the temp folder is left for the OS to clean.
            }
        }

        private async Task<RunningService> StartService(bool released)
        {
            var store = RepositoryPaths.BuiltStore;
            if (released)
            {
                // A store release that adds a treatment code (a content-driven value) the committed document does not list.
                var content = StoreFile.Read(RepositoryPaths.BuiltStore);
                var treatments = content.Vocabulary.Where(v => v.Kind == "treatment").ToList();
                var added = new VocabularyRow
                {
                    Kind = "treatment",
                    Code = NewTreatment,
                    Category = "first-line",
                    LabelEn = "Extracorporeal shockwave therapy",
                    LabelZh = "体外冲击波治疗",
                    Ordinal = treatments.Max(t => t.Ordinal) + 1,
                    ReviewedOn = treatments[0].ReviewedOn,
                };
                // …and a chart-recognition entry naming it, so the new code also arrives in a response field
                // (RecognitionView.treatment) that used to be a closed enum.
                var template = content.Recognition.First(r => r.Kind == Vocab.RecognitionKinds.ActivityTerm);
                var recognised = new RecognitionRow
                {
                    Kind = Vocab.RecognitionKinds.ActivityTerm,
                    Ordinal = content.Recognition.Max(r => r.Ordinal) + 1,
                    Treatment = NewTreatment,
                    Term = "shockwave therapy",
                    SourceId = template.SourceId,
                    Verification = template.Verification,
                };
                store = Path.Combine(work, "released-rules.db");
                StoreFile.Write(StoreMutations.With(content, vocabulary: [.. content.Vocabulary, added], recognition: [.. content.Recognition, recognised]), store);
            }

            var keyHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ApiKey))).ToLowerInvariant();
            return await RunningService.StartAsync(new Dictionary<string, string>
            {
                ["RuleStore__Path"] = store,
                ["ApiKeys__Keys__0__Name"] = "generated-clients",
                ["ApiKeys__Keys__0__Sha256"] = keyHash,
                // The JWT is covered by the CDS Hooks security tests; the clients here exercise the bodies.
                ["CdsHooks__Authentication__Enabled"] = "false",
            });
        }

        private string? RestoreDotnetTools()
        {
            var (code, output) = Run("dotnet", ["tool", "restore"], RepositoryPaths.Root, TimeSpan.FromMinutes(5));
            return code == 0 ? null : $"`dotnet tool restore` (.config/dotnet-tools.json: Kiota 1.38.0, NSwag.ConsoleCore 14.7.1) exited {code}: {Tail(output, 600)}";
        }

        private Caller BuildCSharp(string name, string project, Func<string, string[]> generate)
        {
            var folder = Path.Combine(work, name);
            if (toolRestore.Value is { } restoreFailed)
            {
                return new Caller(null, [], folder, restoreFailed);
            }

            Directory.CreateDirectory(folder);
            foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "tests", "clients", name)))
            {
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            }

            var generated = Path.Combine(folder, "Generated");
            Directory.CreateDirectory(generated);
            var (genCode, genOutput) = Run("dotnet", generate(generated), RepositoryPaths.Root, TimeSpan.FromMinutes(5));
            genCode.Should().Be(0, $"{name} must generate a client from the committed document: {genOutput}");

            // The folder is outside the repository: the build uses the generated code as generated, with NuGet's
            // packages restored from the registry (the test machine may start with an empty NuGet cache).
            var (buildCode, buildOutput) = Run("dotnet", ["build", folder, "-c", "Release", "-nologo", "-v", "q", "-o", Path.Combine(folder, "out")], folder, TimeSpan.FromMinutes(8));
            if (buildCode != 0 && new[] { "NU1101", "NU1102", "NU1301" }.FirstOrDefault(c => buildOutput.Contains(c, StringComparison.Ordinal)) is { } restoreError)
            {
                return new Caller(null, [], folder, $"the {name} client's NuGet packages cannot be restored from the configured sources ({restoreError}): {Tail(buildOutput, 800)}");
            }

            buildCode.Should().Be(0, $"the {name} client and its caller must compile with no hand edit: {buildOutput}");
            return new Caller("dotnet", [Path.Combine(folder, "out", project + ".dll")], folder, "");
        }

        private Caller BuildTypeScript()
        {
            var tools = ExternalTools.NodeTools;
            var folder = Path.Combine(ExternalTools.NodeToolsFolder, "client");
            if (tools.Path is null)
            {
                return new Caller(null, [], folder, tools.Why);
            }

            var node = new[] { "/usr/bin/node", "/usr/local/bin/node" }.FirstOrDefault(File.Exists);
            if (node is null)
            {
                return new Caller(null, [], folder, "node is not installed, so the openapi-fetch client cannot run");
            }

            var (genCode, genOutput) = Run(Path.Combine(tools.Path, "openapi-typescript"), [RepositoryPaths.OpenApiDocument, "--output", Path.Combine(folder, "generated", "decision-api.ts")], folder, TimeSpan.FromMinutes(3));
            genCode.Should().Be(0, genOutput);
            var (tscCode, tscOutput) = Run(Path.Combine(tools.Path, "tsc"), ["-p", "tsconfig.json"], folder, TimeSpan.FromMinutes(3));
            tscCode.Should().Be(0, $"the openapi-fetch caller must compile strictly with no cast: {tscOutput}");
            return new Caller(node, [Path.Combine(folder, "out", "calls.mjs")], folder, "");
        }

        private static (int Code, string Output) Run(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
        {
            var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            // Kiota: no update check and no telemetry (the test machine reaches only the package registries).
            start.Environment["KIOTA_UPDATE_DISABLED"] = "true";
            start.Environment["KIOTA_OFFLINE_ENABLED"] = "true";
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"{fileName} {string.Join(' ', arguments)} did not finish in {timeout}: {stdout.Result}{stderr.Result}");
            }

            return (process.ExitCode, stdout.Result + stderr.Result);
        }

        private static string Tail(string output, int length) => output.Length <= length ? output.Trim() : "…" + output[^length..].Trim();
    }
}
