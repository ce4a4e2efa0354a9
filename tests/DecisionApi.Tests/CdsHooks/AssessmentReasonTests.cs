using System.Globalization;
using DecisionApi.Features.CdsHooks;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using DecisionApi.Tests.Support;
using Microsoft.Extensions.Options;

namespace DecisionApi.Tests.CdsHooks;

/// <summary>
/// Issue #20: every assessment names the branch that holds, in the headline (REST <c>assessment</c>, the card's
/// Assessment line, the page) and in the card's one-sentence summary, and a branch that rests on records that could
/// not be retrieved says "could not be checked", never "not documented".
/// </summary>
public sealed class AssessmentReasonTests
{
    private enum State
    {
        Off,
        Missing,
        Unchecked,
    }

    private static readonly string[] Nsaids = ["topical-nsaid", "oral-nsaid"];

    private static CardComposer Composer() => new(BuiltStore.Snapshot, Options.Create(new CdsHooksOptions()));

    private static string Text(string key, Language language) => BuiltStore.Snapshot.Text(key).In(language);

    /// <summary>Every combination of the three conventional-care-first branches (off, not documented, not checked).</summary>
    public static TheoryData<int, int, int, Language> Branches()
    {
        var data = new TheoryData<int, int, int, Language>();
        foreach (var language in new[] { Language.En, Language.Zh })
        {
            for (var exercise = 0; exercise < 3; exercise++)
            {
                for (var nsaid = 0; nsaid < 3; nsaid++)
                {
                    for (var weight = 0; weight < 3; weight++)
                    {
                        if (exercise + nsaid + weight > 0)
                        {
                            data.Add(exercise, nsaid, weight, language);
                        }
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Branches))]
    public void Conventional_care_first_names_every_branch_that_holds(int exercise, int nsaid, int weight, Language language)
    {
        var states = new[] { (State)exercise, (State)nsaid, (State)weight };
        var tried = new List<string>();
        var notChecked = new List<string>();
        if (states[0] == State.Off)
        {
            tried.Add("exercise-therapy");
        }
        else if (states[0] == State.Unchecked)
        {
            notChecked.Add("exercise-therapy");
        }

        if (states[1] == State.Off)
        {
            tried.Add("oral-nsaid");
        }
        else if (states[1] == State.Unchecked)
        {
            notChecked.AddRange(Nsaids);
        }

        if (states[2] == State.Unchecked)
        {
            notChecked.Add("weight-management");
        }

        var bmi = states[2] == State.Off ? 24.0 : 33.5;
        var profile = new PatientProfile(64, 2, tried, bmi, [], "US", notChecked);

        var result = BuiltStore.Evaluator.Evaluate(profile, language);

        result.Assessment.Category.Should().Be("conventional-care-first");
        var expectedBranches = states.Select((state, index) => state switch
        {
            State.Missing => (index + 1).ToString(CultureInfo.InvariantCulture),
            State.Unchecked => (index + 1).ToString(CultureInfo.InvariantCulture) + "u",
            _ => null,
        }).OfType<string>().ToList();
        result.Assessment.Branches.Should().Equal(expectedBranches);

        result.Assessment.Reason.Should().NotBeNull();
        var reason = result.Assessment.Reason!;
        result.Assessment.Headline.Should().Contain(reason).And.NotContain("{");
        for (var index = 0; index < 3; index++)
        {
            var key = $"reason.conventional-care-first.{index + 1}";
            var expected = states[index] switch
            {
                State.Missing => Text(key, language),
                State.Unchecked => Text(key + ".unchecked", language),
                _ => null,
            };
            if (expected is not null)
            {
                reason.Should().Contain(expected.Replace("{bmi}", "33.5", StringComparison.Ordinal));
            }
        }

        if (language == Language.En)
        {
            (reason.Contains("not documented", StringComparison.Ordinal) || reason.Contains("no ", StringComparison.Ordinal))
                .Should().Be(states.Contains(State.Missing), "only a branch resting on a record searched and not found says 'not documented'");
            reason.Contains("could not be checked", StringComparison.Ordinal)
                .Should().Be(states.Contains(State.Unchecked), "a branch resting on records not retrieved says so");
        }

        var summary = Composer().SummaryOf(result, language);
        summary.Length.Should().BeLessThanOrEqualTo(CardComposer.MaxSummary);
        summary.Should().Contain("FDA").And.Contain("ACR/AF").And.NotContain("{");
        for (var index = 0; index < 3; index++)
        {
            var key = $"cds.reason.conventional-care-first.{index + 1}" + (states[index] == State.Unchecked ? ".unchecked" : "");
            if (states[index] != State.Off)
            {
                var item = BuiltStore.Snapshot.Texts.TryGetValue(key + ".short", out var shortForm) ? shortForm.In(language) : Text(key, language);
                summary.Should().ContainEquivalentOf(item.Replace("{bmi}", "33.5", StringComparison.Ordinal), "the summary names branch {0}", index + 1);
            }
        }
    }

    [Fact]
    public void The_issue_example_names_bmi_with_no_weight_management_and_not_first_line_care()
    {
        // Synthetic-generator chart: acetaminophen, exercise and naproxen found, BMI 33.5.
        var profile = new PatientProfile(66, 2, ["acetaminophen", "exercise-therapy", "oral-nsaid"], 33.5, [], "US");

        var result = BuiltStore.Evaluator.Evaluate(profile, Language.En);

        result.Assessment.Category.Should().Be("conventional-care-first");
        result.Assessment.Reason.Should().Be("BMI 33.5 with no weight management documented");
        result.Assessment.Headline.Should().Be("First-line care comes first: BMI 33.5 with no weight management documented.");
        Composer().SummaryOf(result, Language.En).Should()
            .Be("No weight management at BMI 33.5 documented; no MSC product is FDA-approved for OA and ACR/AF strongly recommends against.");
    }

    [Theory]
    [InlineData(80, 3, "2", "Age 80 is above")]
    [InlineData(17, 3, "3", "This service covers adults only")]
    [InlineData(60, 0, "1", "KL 0 is outside")]
    public void Outside_the_evidence_base_names_age_or_grade(int age, int kl, string branch, string summaryStart)
    {
        var result = BuiltStore.Evaluator.Evaluate(new PatientProfile(age, kl, ["exercise-therapy", "oral-nsaid"], null, [], "US"), Language.En);

        result.Assessment.Category.Should().Be("outside-evidence-base");
        result.Assessment.Branches.Should().Equal(branch);
        result.Assessment.Headline.Should().Contain(result.Assessment.Reason!).And.NotContain("{");
        if (kl != 0)
        {
            result.Assessment.Reason.Should().Contain($"age {age}").And.NotContain("KL grade 0");
        }

        var summary = Composer().SummaryOf(result, Language.En);
        summary.Should().StartWith(summaryStart);
        summary.Length.Should().BeLessThanOrEqualTo(CardComposer.MaxSummary);
        summary.Should().Contain("FDA").And.Contain("ACR/AF");
    }
}
