using DecisionApi.RuleStore;
using DecisionApi.StoreCompiler;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Unit;

/// <summary>The curator's diff: a BMI threshold changed in a copy of the content moves profiles between categories.</summary>
public sealed class StoreDiffTests
{
    [Fact]
    public void A_changed_bmi_threshold_is_reported_with_the_profiles_that_change_category()
    {
        var copy = Directory.CreateTempSubdirectory("decision-diff-").FullName;
        try
        {
            var content = Path.Combine(RepositoryPaths.Root, "src", "rule-store");
            foreach (var file in Directory.EnumerateFiles(content, "*.yaml"))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }

            var assessments = Path.Combine(copy, "assessments.yaml");
            var yaml = File.ReadAllText(assessments);
            yaml.Should().Contain("{ field: bmi, op: atLeast, value: 30 }");
            File.WriteAllText(assessments, yaml.Replace("{ field: bmi, op: atLeast, value: 30 }", "{ field: bmi, op: atLeast, value: 35 }", StringComparison.Ordinal));

            var report = StoreDiff.Compare(
                RuleStoreSnapshot.FromContent(ContentCompiler.Compile(content), content),
                RuleStoreSnapshot.FromContent(ContentCompiler.Compile(copy), copy));

            report.Statements.Should().BeEmpty();
            report.Sources.Should().BeEmpty();
            report.Rules.Should().ContainSingle().Which.Should().Be("~ assessment.conventional-care-first (conditions)");
            report.ProfilesCompared.Should().BeGreaterThan(1000);
            var moved = report.CategoryChanges.Should().Contain(c => c.What == "conventional-care-first -> investigational-only").Subject;
            moved.Profiles.Should().BePositive();
            moved.Example.Should().MatchRegex(@"BMI (30|3[0-4](\.\d)?)[,]", "only a BMI from 30 to under 35 changes");
            report.CategoryChanges.Should().OnlyContain(c => c.What.StartsWith("conventional-care-first -> ", StringComparison.Ordinal));
            report.Render().Should().Contain("category changes").And.Contain("conventional-care-first -> investigational-only");
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public void A_changed_profile_bound_is_reported_and_the_profiles_span_both_stores_bounds()
    {
        using var copy = new ContentCopy().Replace("store.yaml", "age: { min: 18, max: 120, step: 1 }", "age: { min: 16, max: 120, step: 1 }");

        var report = StoreDiff.Compare(
            RuleStoreSnapshot.FromContent(ContentCompiler.Compile(RepositoryPaths.Content), RepositoryPaths.Content),
            RuleStoreSnapshot.FromContent(ContentCompiler.Compile(copy.Folder), copy.Folder));

        report.Bounds.Should().Equal("~ age: 18 to 120 (step 1) -> 16 to 120 (step 1)");
        report.Rules.Should().BeEmpty();
        report.CategoryChanges.Should().BeEmpty("the rules are the same; only what the service accepts changed");
        report.Render().Should().Contain("profile bounds: 1 change(s)").And.Contain("~ age: 18 to 120 (step 1) -> 16 to 120 (step 1)");
    }
}
