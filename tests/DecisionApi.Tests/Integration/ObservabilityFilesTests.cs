using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using DecisionApi.Infrastructure;
using DecisionApi.Tests.Support;
using YamlDotNet.Serialization;

namespace DecisionApi.Tests.Integration;

/// <summary>
/// Issue #24: the Grafana dashboard and Prometheus rules in deploy/observability load, offline: the dashboard is checked
/// against the parts of Grafana's dashboard schema it uses, the rules are parsed (and checked with promtool when it is on
/// PATH), and both read only series the service exports.
/// </summary>
public sealed partial class ObservabilityFilesTests
{
    private static readonly string Folder = Path.Combine(RepositoryPaths.Root, "deploy", "observability");

    /// <summary>The Prometheus series of the CDS counters (OTLP name, dots to underscores, "_total" for a counter).</summary>
    private static readonly string[] CdsSeries =
        [.. new[] { Telemetry.Cards.Name, Telemetry.SuggestionsAccepted.Name, Telemetry.Overrides.Name }.Select(n => n.Replace('.', '_') + "_total")];

    private static IEnumerable<string> Series(string expr) =>
        SeriesName().Matches(expr).Select(m => m.Value).Where(n => n.StartsWith("decision_api", StringComparison.Ordinal));

    private static void Balanced(string expr)
    {
        var depth = 0;
        foreach (var c in expr)
        {
            depth += c switch { '(' or '{' or '[' => 1, ')' or '}' or ']' => -1, _ => 0 };
            depth.Should().BeGreaterThanOrEqualTo(0, expr);
        }

        depth.Should().Be(0, expr);
    }

    [Fact]
    public void The_dashboard_is_a_grafana_dashboard_over_the_exported_series()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "grafana-dashboard.json")));
        var root = document.RootElement;
        root.GetProperty("title").GetString().Should().NotBeNullOrWhiteSpace();
        root.GetProperty("uid").GetString().Should().MatchRegex("^[A-Za-z0-9_-]{1,40}$");
        root.GetProperty("schemaVersion").GetInt32().Should().BePositive();
        var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => v.GetProperty("name").GetString()!).ToHashSet();
        var panels = root.GetProperty("panels").EnumerateArray().ToList();
        panels.Should().NotBeEmpty();
        panels.Select(p => p.GetProperty("id").GetInt32()).Should().OnlyHaveUniqueItems();
        var used = new HashSet<string>();
        foreach (var panel in panels)
        {
            panel.GetProperty("type").GetString().Should().BeOneOf("timeseries", "stat", "table", "barchart", "piechart");
            panel.GetProperty("title").GetString().Should().NotBeNullOrWhiteSpace();
            var grid = panel.GetProperty("gridPos");
            foreach (var key in new[] { "h", "w", "x", "y" })
            {
                grid.GetProperty(key).GetInt32().Should().BeGreaterThanOrEqualTo(0);
            }

            (grid.GetProperty("x").GetInt32() + grid.GetProperty("w").GetInt32()).Should().BeLessThanOrEqualTo(24);
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            targets.Should().NotBeEmpty();
            foreach (var target in targets)
            {
                target.GetProperty("refId").GetString().Should().NotBeNullOrEmpty();
                var expr = target.GetProperty("expr").GetString()!;
                Balanced(expr);
                Series(expr).Should().NotBeEmpty().And.OnlyContain(s => CdsSeries.Contains(s), "the dashboard reads only series the service exports");
                used.UnionWith(Series(expr));
                foreach (Match variable in Variable().Matches(expr + " " + panel.GetProperty("datasource").GetProperty("uid").GetString()))
                {
                    var name = variable.Groups[1].Value;
                    (name.StartsWith("__", StringComparison.Ordinal) || variables.Contains(name)).Should().BeTrue($"${name} is a dashboard variable");
                }
            }
        }

        used.Should().BeEquivalentTo(CdsSeries, "cards, accepted suggestions and overrides each have a panel");
    }

    [Fact]
    public void The_prometheus_rules_parse_and_read_the_exported_series()
    {
        var path = Path.Combine(Folder, "prometheus-rules.yaml");
        var rules = new DeserializerBuilder().Build().Deserialize<Dictionary<string, List<Dictionary<string, object>>>>(File.ReadAllText(path));
        var groups = rules["groups"];
        groups.Should().NotBeEmpty();
        var alerts = 0;
        foreach (var group in groups)
        {
            group["name"].Should().BeOfType<string>();
            foreach (var rule in ((List<object>)group["rules"]).Cast<Dictionary<object, object>>())
            {
                (rule.ContainsKey("alert") ^ rule.ContainsKey("record")).Should().BeTrue("a rule is an alert or a recording rule");
                var expr = (string)rule["expr"];
                Balanced(expr);
                Series(expr).Should().OnlyContain(s => CdsSeries.Contains(s));
                if (rule.ContainsKey("alert"))
                {
                    alerts++;
                    ((Dictionary<object, object>)rule["labels"]).Should().ContainKey("severity");
                    ((Dictionary<object, object>)rule["annotations"]).Should().ContainKey("summary");
                }
                else
                {
                    ((string)rule["record"]).Should().MatchRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$");
                }
            }
        }

        alerts.Should().BePositive();
        var promtool = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, "promtool")).FirstOrDefault(File.Exists);
        if (promtool is not null)
        {
            using var process = Process.Start(new ProcessStartInfo(promtool, ["check", "rules", path]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            process.ExitCode.Should().Be(0, output);
        }
    }

    [GeneratedRegex("[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SeriesName();

    [GeneratedRegex(@"\$\{?([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Variable();
}
