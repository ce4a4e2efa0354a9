using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Unit;

public sealed class EvaluatorTests
{
    private static readonly string[] FirstLine = ["exercise-therapy", "oral-nsaid"];

    private static EvaluationResult Evaluate(
        int? age = 62, int? kl = 2, string[]? treatments = null, double? bmi = null, string[]? conditions = null,
        string? jurisdiction = null, Language language = Language.En) =>
        BuiltStore.Evaluator.Evaluate(new PatientProfile(age, kl, treatments ?? FirstLine, bmi, conditions ?? [], jurisdiction), language);

    [Theory]
    [InlineData(18, "investigational-only")]
    [InlineData(79, "investigational-only")]
    [InlineData(80, "outside-evidence-base")]
    [InlineData(120, "outside-evidence-base")]
    public void Age_boundaries_decide_between_investigational_and_outside_the_evidence_base(int age, string category) =>
        Evaluate(age: age).Assessment.Category.Should().Be(category);

    [Theory]
    [InlineData(0, "outside-evidence-base")]
    [InlineData(1, "investigational-only")]
    [InlineData(2, "investigational-only")]
    [InlineData(3, "investigational-only")]
    [InlineData(4, "arthroplasty-evaluation")]
    public void Every_KL_grade_after_first_line_care_gets_its_category(int kl, string category) =>
        Evaluate(kl: kl).Assessment.Category.Should().Be(category);

    [Fact]
    public void KL1_adds_a_sparse_evidence_note_and_KL2_does_not()
    {
        Evaluate(kl: 1).Assessment.Notes.Should().ContainSingle(n => n.Text.Contains("sparse", StringComparison.OrdinalIgnoreCase));
        Evaluate(kl: 2).Assessment.Notes.Should().BeEmpty();
    }

    [Theory]
    [InlineData(29.9, false, "investigational-only")]
    [InlineData(30.0, false, "conventional-care-first")]
    [InlineData(30.0, true, "investigational-only")]
    [InlineData(45.0, true, "investigational-only")]
    public void BMI_30_without_weight_management_means_conventional_care_first(double bmi, bool weightManaged, string category)
    {
        string[] treatments = weightManaged ? [.. FirstLine, "weight-management"] : FirstLine;
        Evaluate(bmi: bmi, treatments: treatments).Assessment.Category.Should().Be(category);
    }

    [Fact]
    public void Missing_BMI_does_not_trigger_the_weight_check_and_is_reported_as_unknown()
    {
        var result = Evaluate(bmi: null);
        result.Assessment.Category.Should().Be("investigational-only");
        result.Inputs.Unknown.Should().Contain("bmi");
        result.Inputs.Notes.Should().Contain(n => n.Contains("BMI", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "oral-nsaid" }, "conventional-care-first")]
    [InlineData(new[] { "exercise-therapy" }, "conventional-care-first")]
    [InlineData(new[] { "exercise-therapy", "topical-nsaid" }, "investigational-only")]
    [InlineData(new[] { "exercise-therapy", "oral-nsaid" }, "investigational-only")]
    [InlineData(new string[0], "conventional-care-first")]
    public void First_line_care_needs_exercise_and_an_NSAID(string[] treatments, string category) =>
        Evaluate(treatments: treatments).Assessment.Category.Should().Be(category);

    [Fact]
    public void Conventional_care_first_lists_the_untried_options_as_not_tried()
    {
        var result = Evaluate(treatments: ["oral-nsaid"]);
        result.ConventionalOptions.Where(o => o.Treatment == "exercise-therapy").Should().NotBeEmpty().And.OnlyContain(o => !o.Tried);
        result.ConventionalOptions.Where(o => o.Treatment == "oral-nsaid").Should().NotBeEmpty().And.OnlyContain(o => o.Tried);
        result.ConventionalOptions.Select(o => o.Treatment).Distinct().Should().HaveCountGreaterThanOrEqualTo(8);
    }

    [Theory]
    [InlineData("active-infection")]
    [InlineData("malignancy")]
    [InlineData("pregnancy-or-lactation")]
    [InlineData("immunosuppression")]
    [InlineData("inflammatory-arthritis")]
    [InlineData("bleeding-disorder")]
    public void Each_exclusion_gives_excluded_condition_and_names_it(string condition)
    {
        var result = Evaluate(conditions: [condition]);
        result.Assessment.Category.Should().Be("excluded-condition");
        var label = BuiltStore.Snapshot.ConditionsByCode[condition].Label.En;
        result.Assessment.Rationale.Should().Contain(label).And.NotContain("{conditions}");
    }

    [Fact]
    public void Several_exclusions_are_all_named_in_both_languages()
    {
        string[] conditions = ["malignancy", "pregnancy-or-lactation"];
        var english = Evaluate(conditions: conditions).Assessment.Rationale;
        var chinese = Evaluate(conditions: conditions, language: Language.Zh).Assessment.Rationale;
        foreach (var code in conditions)
        {
            english.Should().Contain(BuiltStore.Snapshot.ConditionsByCode[code].Label.En);
            chinese.Should().Contain(BuiltStore.Snapshot.ConditionsByCode[code].Label.Zh);
        }
    }

    [Fact]
    public void Anticoagulant_therapy_is_not_an_exclusion_but_adds_a_safety_item()
    {
        var without = Evaluate();
        var with = Evaluate(conditions: ["anticoagulant-therapy"]);
        with.Assessment.Category.Should().Be("investigational-only");
        with.Safety.Should().HaveCount(without.Safety.Count + 1);
        var added = with.Safety.Except(without.Safety).Single();
        added.Text.Should().MatchRegex("(?i)anticoagul|coagul");
    }

    [Theory]
    [InlineData(85, 0, new[] { "total-knee-arthroplasty" }, new[] { "active-infection" }, "not-applicable")]
    [InlineData(62, 3, new[] { "unicompartmental-knee-arthroplasty", "exercise-therapy", "oral-nsaid" }, new string[0], "not-applicable")]
    [InlineData(85, 0, new string[0], new[] { "active-infection" }, "excluded-condition")]
    [InlineData(85, 4, new string[0], new string[0], "outside-evidence-base")]
    [InlineData(60, 0, new string[0], new string[0], "outside-evidence-base")]
    [InlineData(60, 4, new string[0], new string[0], "conventional-care-first")]
    [InlineData(60, 4, new[] { "exercise-therapy", "topical-nsaid" }, new string[0], "arthroplasty-evaluation")]
    public void Categories_follow_the_order_of_precedence(int age, int kl, string[] treatments, string[] conditions, string category) =>
        Evaluate(age: age, kl: kl, treatments: treatments, conditions: conditions).Assessment.Category.Should().Be(category);

    [Fact]
    public void An_unknown_KL_grade_is_still_investigational_and_listed_as_unknown()
    {
        var result = Evaluate(kl: null);
        result.Assessment.Category.Should().Be("investigational-only");
        result.Inputs.Unknown.Should().Contain("klGrade");
    }

    [Fact]
    public void Every_profile_gets_both_core_caveats_with_sources()
    {
        int?[] grades = [null, 0, 1, 2, 3, 4];
        foreach (var age in new int?[] { 18, 50, 79, 80, 120 })
        {
            foreach (var kl in grades)
            {
                foreach (var jurisdiction in new[] { "US", "KR", "DE", "ZZ" })
                {
                    var result = Evaluate(age: age, kl: kl, jurisdiction: jurisdiction, conditions: ["malignancy"], treatments: ["total-knee-arthroplasty"]);
                    var again = Evaluate(age: age, kl: kl, jurisdiction: jurisdiction);
                    foreach (var caveats in new[] { result.Caveats, again.Caveats })
                    {
                        caveats.Should().Contain(c => c.Id == "caveat.acr-af-2019" && c.Issuer == "ACR/AF" && c.Severity == "critical" && c.Sources.Count > 0);
                        caveats.Should().Contain(c => c.Id == "caveat.fda-no-approved-product" && c.Issuer == "FDA" && c.Severity == "critical" && c.Sources.Count > 0);
                    }
                }
            }
        }
    }

    [Fact]
    public void Every_returned_item_has_a_source_with_an_identifier_and_a_verification_status()
    {
        var result = Evaluate(conditions: ["anticoagulant-therapy"], jurisdiction: "KR", kl: 1);
        var sources = result.Caveats.SelectMany(c => c.Sources)
            .Concat(result.Evidence.SelectMany(e => e.Sources))
            .Concat(result.Safety.SelectMany(s => s.Sources))
            .Concat(result.ClaimChecks.SelectMany(c => c.Sources))
            .Concat(result.ConventionalOptions.SelectMany(o => o.Sources))
            .Concat(result.Assessment.Sources)
            .ToList();
        sources.Should().NotBeEmpty().And.OnlyContain(s => s.Pmid != null || s.Doi != null || s.Url != null);
        sources.Should().OnlyContain(s => s.Verification == "verified" || s.Verification == "secondary");
        result.Caveats.Concat<object>(result.Evidence).Concat(result.Safety).Concat(result.ClaimChecks).Concat(result.ConventionalOptions)
            .Should().NotBeEmpty();
        result.Evidence.Should().OnlyContain(e => e.Sources.Count > 0 && e.RuleId.Length > 0);
        result.Safety.Should().OnlyContain(s => s.Sources.Count > 0);
    }

    [Fact]
    public void The_strongest_evidence_is_shown_to_every_adult_with_an_applicability_note()
    {
        var kl1 = Evaluate(kl: 1, age: 30);
        var miles = kl1.Evidence.Should().Contain(e => e.Topic == "comparative" && e.Sources.Any(s => s.Id == "mautner-2023")).Which;
        miles.Applicability.Should().Contain("outside");

        var typical = Evaluate(kl: 3, age: 60);
        typical.Evidence.Single(e => e.Id == miles.Id).Applicability.Should().Contain("within");
    }

    [Fact]
    public void Population_evidence_is_selected_by_KL_grade()
    {
        var kl4 = Evaluate(kl: 4).Evidence.Select(e => e.Id).ToHashSet();
        var kl2 = Evaluate(kl: 2).Evidence.Select(e => e.Id).ToHashSet();
        kl4.Should().NotBeEquivalentTo(kl2);
        var populationOnly = BuiltStore.Snapshot.Statements
            .Where(s => s.Kind == Vocab.Kinds.Evidence && s.Row.Selection == "population" && s.Row.KlMin == 4 && s.Row.KlMax == 4)
            .Select(s => s.Id).ToList();
        populationOnly.Should().NotBeEmpty();
        kl4.Should().Contain(populationOnly);
        kl2.Should().NotContain(populationOnly);
    }

    [Fact]
    public void Trace_explains_each_condition_with_expected_and_actual_values()
    {
        var result = Evaluate(kl: 3);
        var entry = result.Trace.Single(t => t.RuleId == "assessment.investigational-only");
        entry.Matched.Should().BeTrue();
        entry.Conditions.Should().Contain(c => c.Field == "klGrade" && c.Expected == "1..3" && c.Actual == "3" && c.Matched);

        var notApplicable = result.Trace.Single(t => t.RuleId == "assessment.not-applicable");
        notApplicable.Matched.Should().BeFalse();
        notApplicable.Conditions.Should().ContainSingle().Which.Actual.Should().Be("[exercise-therapy, oral-nsaid]");

        result.Trace.Select(t => t.RuleId).Should().OnlyHaveUniqueItems();
        result.Trace.Should().Contain(t => t.RuleId == "select.caveat.acr-af-2019" && t.Matched && t.Conditions.Count == 0);
    }

    [Fact]
    public void Jurisdiction_adds_its_notes_and_defaults_when_absent()
    {
        var korea = Evaluate(jurisdiction: "KR");
        korea.Caveats.Should().Contain(c => c.Text.Contains("Cartistem", StringComparison.Ordinal));
        korea.Inputs.Defaulted.Should().BeEmpty();

        var defaulted = Evaluate(jurisdiction: null);
        defaulted.Inputs.Used.Jurisdiction.Should().Be("US");
        defaulted.Inputs.Defaulted.Should().Contain("jurisdiction", "US");

        var unknown = Evaluate(jurisdiction: "ZZ");
        unknown.Inputs.Notes.Should().Contain(n => n.Contains("ZZ", StringComparison.Ordinal));
        unknown.Caveats.Should().HaveCountGreaterThanOrEqualTo(2);
        unknown.Caveats.Should().NotContain(c => c.Text.Contains("Cartistem", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("DE")]
    [InlineData("FR")]
    [InlineData("EU")]
    public void EU_member_states_get_the_EU_note(string country) =>
        Evaluate(jurisdiction: country).Caveats.Should().Contain(c => c.Issuer.Contains("EMA", StringComparison.Ordinal));

    [Fact]
    public void Duplicates_are_folded_and_reported()
    {
        var result = Evaluate(treatments: ["exercise-therapy", "oral-nsaid", "oral-nsaid"]);
        result.Inputs.Used.PriorTreatments.Should().Equal("exercise-therapy", "oral-nsaid");
        result.Inputs.Notes.Should().Contain(n => n.Contains("oral-nsaid", StringComparison.Ordinal));

        // Listed once each, in the order they first appear, across both lists.
        var several = Evaluate(treatments: ["oral-nsaid", "exercise-therapy", "exercise-therapy", "oral-nsaid"], conditions: ["malignancy", "malignancy"]);
        several.Inputs.Notes.Should().Contain("Duplicate codes were counted once: oral-nsaid, exercise-therapy, malignancy.");
        Evaluate(treatments: ["oral-nsaid", "exercise-therapy"]).Inputs.Notes.Should().NotContain(n => n.StartsWith("Duplicate", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("KL {min}–{max}", "KL 2–3")]
    [InlineData("{max}{min}", "32")]
    [InlineData("{other} {min} {", "{other} 2 {")]
    [InlineData("{{min}}", "{2}")]
    [InlineData("no placeholder", "no placeholder")]
    public void A_template_is_filled_in_one_pass(string template, string expected) =>
        TextTemplate.Fill(template, ("min", 2), ("max", "3")).Should().Be(expected);

    [Fact]
    public void A_value_that_looks_like_a_placeholder_is_not_filled_again() =>
        TextTemplate.Fill("{a} and {b}", ("a", "{b}"), ("b", "x")).Should().Be("{b} and x");

    [Fact]
    public void Chinese_text_is_returned_for_every_item_while_codes_stay_the_same()
    {
        var english = Evaluate(conditions: ["anticoagulant-therapy"]);
        var chinese = Evaluate(conditions: ["anticoagulant-therapy"], language: Language.Zh);
        chinese.Assessment.Category.Should().Be(english.Assessment.Category);
        chinese.Caveats.Select(c => c.Id).Should().Equal(english.Caveats.Select(c => c.Id));
        var texts = chinese.Caveats.Select(c => c.Text).Concat(chinese.Evidence.Select(e => e.Text)).Concat(chinese.Safety.Select(s => s.Text))
            .Concat(chinese.ClaimChecks.Select(c => c.Finding)).Concat([chinese.Assessment.Headline, chinese.Assessment.Rationale]);
        texts.Should().OnlyContain(t => t.Any(ch => ch >= '\u4e00' && ch <= '\u9fff'));
    }

    [Fact]
    public void The_evaluation_reports_the_store_it_came_from()
    {
        var result = Evaluate();
        result.RuleStore.Version.Should().Be(BuiltStore.Snapshot.Version);
        result.RuleStore.ContentHash.Should().StartWith("sha256:").And.HaveLength("sha256:".Length + 64);
    }

    [Fact]
    public void Replaced_knee_still_gets_claim_checks_safety_and_options()
    {
        var result = Evaluate(treatments: ["total-knee-arthroplasty"], kl: 4);
        result.Assessment.Category.Should().Be("not-applicable");
        result.ClaimChecks.Should().NotBeEmpty();
        result.Safety.Should().NotBeEmpty();
        result.ConventionalOptions.Should().NotBeEmpty();
    }
}
