using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Storage;
using DecisionApi.StoreCompiler;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Unit;

/// <summary>The content lint of spec §5, on the real content and on altered copies of it.</summary>
public sealed class StoreLintTests
{
    private static readonly StoreContent Content = StoreFile.Read(RepositoryPaths.BuiltStore);

    private static IReadOnlyList<string> LintOf(StoreContent content)
    {
        try
        {
            RuleStoreSnapshot.FromContent(content, "test");
            return [];
        }
        catch (RuleStoreException exception)
        {
            return exception.LintProblems.Count > 0 ? exception.LintProblems : [exception.Problem];
        }
    }

    [Fact]
    public void The_curated_content_passes_the_lint() => StoreLint.Check(BuiltStore.Snapshot).Should().BeEmpty();

    [Fact]
    public void The_built_store_is_the_compiled_repository_content()
    {
        var compiled = ContentCompiler.Compile(RepositoryPaths.Content);
        ContentHash.Compute(compiled).Should().Be(BuiltStore.Snapshot.ContentHash);
    }

    [Fact]
    public void Compiling_twice_gives_the_same_hash_and_the_same_bytes()
    {
        var folder = Directory.CreateTempSubdirectory("decision-store-").FullName;
        try
        {
            var first = Path.Combine(folder, "a.db");
            var second = Path.Combine(folder, "b.db");
            StoreFile.Write(ContentCompiler.Compile(RepositoryPaths.Content), first);
            StoreFile.Write(ContentCompiler.Compile(RepositoryPaths.Content), second);
            RuleStoreSnapshot.Load(first).ContentHash.Should().Be(RuleStoreSnapshot.Load(second).ContentHash);
            File.ReadAllBytes(first).Should().Equal(File.ReadAllBytes(second));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_content_meets_the_issue_minimums()
    {
        var byKind = BuiltStore.Snapshot.Statements.GroupBy(s => s.Kind).ToDictionary(g => g.Key, g => g.Count());
        byKind[Vocab.Kinds.Evidence].Should().BeGreaterThanOrEqualTo(12);
        byKind[Vocab.Kinds.Safety].Should().BeGreaterThanOrEqualTo(5);
        byKind[Vocab.Kinds.ClaimCheck].Should().BeGreaterThanOrEqualTo(7);
        BuiltStore.Snapshot.Statements.Where(s => s.Kind == Vocab.Kinds.Option).Select(s => s.Row.Treatment).Distinct()
            .Should().HaveCountGreaterThanOrEqualTo(8);
        var jurisdictions = BuiltStore.Snapshot.KnownJurisdictions;
        jurisdictions.Should().Contain(["US", "KR", "IN", "CN", "JP", "DE", "FR"]);
        var evidenceTopics = BuiltStore.Snapshot.Statements.Where(s => s.Kind == Vocab.Kinds.Evidence).Select(s => s.Row.Topic).ToHashSet();
        evidenceTopics.Should().Contain(["efficacy", "comparative", "dose", "route", "combination", "cell-source", "long-term", "population"]);
    }

    [Fact]
    public void A_missing_Chinese_text_is_caught()
    {
        var problems = LintOf(StoreMutations.With(Content, statements: Content.Statements.Select(s =>
            s.Id == "evidence.miles-mautner-2023" ? StoreMutations.Copy(s, textZh: " ") : s).ToList()));
        problems.Should().Contain(p => p.Contains("evidence.miles-mautner-2023", StringComparison.Ordinal) && p.Contains("zh", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("cds.suggestion.no-such-category.1.remove-msc-order", "expected cds.suggestion.<category>.<position>.<suggestion>")]
    [InlineData("cds.suggestion.investigational-only.first.remove-msc-order", "expected cds.suggestion.<category>.<position>.<suggestion>")]
    [InlineData("cds.suggestion.investigational-only.2.", "expected cds.suggestion.<category>.<position>.<suggestion>")]
    [InlineData("cds.suggestion.arthroplasty-evaluation.2.referral.total-knee-arthroplasty", "with a verified SNOMED CT code")]
    [InlineData("cds.suggestion.arthroplasty-evaluation.2.order-msc", "with a verified SNOMED CT code")]
    [InlineData("cds.suggestion.arthroplasty-evaluation.3.referral.no-such-service", "with a verified SNOMED CT code")]
    public void A_card_suggestion_text_the_service_cannot_act_on_is_caught(string key, string problem)
    {
        var problems = LintOf(StoreMutations.With(Content, texts: [.. Content.Texts, new TextRow { Key = key, En = "Do it", Zh = "执行" }]));

        problems.Should().Contain(p => p.Contains(key, StringComparison.Ordinal) && p.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void Card_suggestion_keys_are_read_once_for_the_lint_and_the_card()
    {
        CardSuggestion.Parse("cds.suggestion.conventional-care-first.2.referral.exercise-therapy").Should().Be(
            new CardSuggestion("cds.suggestion.conventional-care-first.2.referral.exercise-therapy", "conventional-care-first", 2, "referral.exercise-therapy"));
        CardSuggestion.Parse("cds.suggestion.conventional-care-first.2.referral.exercise-therapy")!.ReferralTarget.Should().Be("exercise-therapy");
        CardSuggestion.Parse("cds.suggestion.conventional-care-first.-1.remove-msc-order").Should().BeNull();
        CardSuggestion.ReferralCode(BuiltStore.Snapshot, "exercise-therapy")!.Code.Should().Be("91251008");
        CardSuggestion.ReferralCode(BuiltStore.Snapshot, "total-knee-arthroplasty").Should().BeNull("surgery is never a one-click draft, whatever its code");
        CardSuggestion.ReferralCode(BuiltStore.Snapshot, "orthopaedic-surgery")!.Code.Should().Be("308481009", "a service referral is coded by its referral.<target> group");
        CardSuggestion.IsTreatmentReferral(BuiltStore.Snapshot, "orthopaedic-surgery").Should().BeFalse();
    }

    [Fact]
    public void A_statement_without_a_source_is_caught()
    {
        var problems = LintOf(StoreMutations.With(Content, statementSources: Content.StatementSources.Where(s => s.StatementId != "safety.harvest-site").ToList()));
        problems.Should().Contain(p => p.Contains("safety.harvest-site has no source", StringComparison.Ordinal));
    }

    [Fact]
    public void A_source_on_a_non_canonical_host_is_refused()
    {
        SourceRow With(SourceRow s, string url, string? verification = null, string? kind = null) => new()
        {
            Id = s.Id, Citation = s.Citation, Year = s.Year, Kind = kind ?? s.Kind, Verification = verification ?? s.Verification, Pmid = s.Pmid, Doi = s.Doi,
            Url = url, ReviewedOn = s.ReviewedOn, ReviewDue = s.ReviewDue,
        };
        var sources = Content.Sources.Select(s => s.Id switch
        {
            "fda-regenerative-2021" => With(s, "https://txortho.com/12792-2"),
            "mautner-2023" => With(s, "https://www.newyorkstemcelltherapy.com/miles"),
            "nice-ng226-2022" => With(s, "https://github.com/geteff1/Osteoarthritis-Benchmark"),
            "kolasinski-2020" => With(s, "https://guidelinecentral.com/guideline/1", verification: "verified"),
            "chahal-2019" => With(s, "https://WWW.ClinicalTrials.gov/study/NCT02351011"),
            _ => s,
        }).ToList();

        var problems = LintOf(StoreMutations.With(Content, sources: sources));

        problems.Should().Contain(p => p.Contains("fda-regenerative-2021 url host 'txortho.com' is not on the source-host allowlist", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("mautner-2023 url host 'newyorkstemcelltherapy.com' is not on the source-host allowlist", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("nice-ng226-2022 is a guideline but host 'github.com' may serve only", StringComparison.Ordinal), "a code repository is never a guideline's URL");
        problems.Should().Contain(p => p.Contains("kolasinski-2020 is marked verified but its host 'guidelinecentral.com' may serve only secondary sources", StringComparison.Ordinal));
        problems.Should().NotContain(p => p.Contains("chahal-2019", StringComparison.Ordinal), "case and www. do not matter");
        BuiltStore.Snapshot.SourceHosts.Should().Contain(h => h.Host == "doi.org" && h.Use == "canonical");
    }

    [Fact]
    public void A_source_without_an_identifier_or_with_an_unconfirmed_status_is_caught()
    {
        var sources = Content.Sources.Select(s => s.Id switch
        {
            "mautner-2023" => new SourceRow { Id = s.Id, Citation = s.Citation, Year = s.Year, Kind = s.Kind, Verification = s.Verification, ReviewedOn = s.ReviewedOn },
            "kolasinski-2020" => new SourceRow { Id = s.Id, Citation = s.Citation, Year = s.Year, Kind = s.Kind, Verification = "unconfirmed", Doi = s.Doi, ReviewedOn = s.ReviewedOn },
            _ => s,
        }).ToList();
        var problems = LintOf(StoreMutations.With(Content, sources: sources));
        problems.Should().Contain(p => p.Contains("mautner-2023 has no pmid, doi or url", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("kolasinski-2020 verification is 'unconfirmed'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_conditional_core_caveat_is_caught()
    {
        var ruleId = "select.caveat.fda-no-approved-product";
        var conditions = Content.RuleConditions.Append(new RuleConditionRow
        {
            RuleId = ruleId, Clause = 0, Ordinal = 0, Field = "jurisdiction", Op = "in", Codes = "US",
        }).ToList();
        LintOf(StoreMutations.With(Content, conditions: conditions)).Should().Contain(p => p.Contains("must be unconditional", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rule_naming_an_unknown_vocabulary_code_is_caught()
    {
        var conditions = Content.RuleConditions.Select(c => c.RuleId == "assessment.not-applicable"
            ? new RuleConditionRow { RuleId = c.RuleId, Clause = c.Clause, Ordinal = c.Ordinal, Field = c.Field, Op = c.Op, Codes = "total-knee-replacement" }
            : c).ToList();
        LintOf(StoreMutations.With(Content, conditions: conditions)).Should().Contain(p => p.Contains("unknown code 'total-knee-replacement'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_seed_claim_check_is_caught()
    {
        var statements = Content.Statements.Where(s => s.SeedClaim != "acc-heparin").ToList();
        var rules = Content.Rules.Where(r => statements.Any(s => s.Id == r.StatementId)).ToList();
        LintOf(StoreMutations.With(Content, statements: statements, rules: rules,
                statementSources: Content.StatementSources.Where(s => statements.Any(st => st.Id == s.StatementId)).ToList(),
                conditions: Content.RuleConditions.Where(c => rules.Any(r => r.Id == c.RuleId)).ToList()))
            .Should().Contain(p => p.Contains("'acc-heparin' has no claim check", StringComparison.Ordinal));
    }

    [Fact]
    public void Assessment_rules_that_leave_a_profile_uncovered_are_caught()
    {
        var conditions = Content.RuleConditions.Where(c => c.RuleId != "assessment.investigational-only").Append(new RuleConditionRow
        {
            RuleId = "assessment.investigational-only", Clause = 0, Ordinal = 0, Field = "klGrade", Op = "between", Min = 2, Max = 3,
        }).ToList();
        LintOf(StoreMutations.With(Content, conditions: conditions)).Should().Contain(p => p.StartsWith("no assessment rule matches", StringComparison.Ordinal));
    }

    [Fact]
    public void Changing_a_threshold_is_a_content_edit_that_changes_the_outcome()
    {
        // BMI threshold 30 -> 35 in the rows alone: a BMI-32 profile without weight management is no longer sent to first-line care.
        var conditions = Content.RuleConditions.Select(c => c.RuleId == "assessment.conventional-care-first" && c.Field == "bmi"
            ? new RuleConditionRow { RuleId = c.RuleId, Clause = c.Clause, Ordinal = c.Ordinal, Field = c.Field, Op = c.Op, Value = 35 }
            : c).ToList();
        var snapshot = RuleStoreSnapshot.FromContent(StoreMutations.With(Content, conditions: conditions), "test");
        var profile = new DecisionApi.RuleStore.Evaluation.PatientProfile(60, 2, ["exercise-therapy", "oral-nsaid"], 32, []);
        new DecisionApi.RuleStore.Evaluation.Evaluator(snapshot, "US").Evaluate(profile, Language.En).Assessment.Category.Should().Be("investigational-only");
        BuiltStore.Evaluator.Evaluate(profile, Language.En).Assessment.Category.Should().Be("conventional-care-first");
    }

    private static EffectRow CopyEffect(
        EffectRow e, string? sourceId = "", double? ciLower = double.NaN, double? ciUpper = double.NaN, string? certainty = "", string? readingZh = null, double? estimate = double.NaN) => new()
    {
        StatementId = e.StatementId, Ordinal = e.Ordinal, Outcome = e.Outcome, ComparatorEn = e.ComparatorEn, ComparatorZh = e.ComparatorZh,
        FollowUpEn = e.FollowUpEn, FollowUpZh = e.FollowUpZh, Measure = e.Measure,
        Estimate = estimate is double x && double.IsNaN(x) ? e.Estimate : estimate,
        CiLower = ciLower is double l && double.IsNaN(l) ? e.CiLower : ciLower,
        CiUpper = ciUpper is double u && double.IsNaN(u) ? e.CiUpper : ciUpper,
        ScaleEn = e.ScaleEn, ScaleZh = e.ScaleZh, Mid = e.Mid, Certainty = certainty == "" ? e.Certainty : certainty, ReadingEn = e.ReadingEn,
        ReadingZh = readingZh ?? e.ReadingZh, SourceId = sourceId == "" ? e.SourceId : sourceId, Verification = e.Verification,
    };

    [Fact]
    public void The_sadeghirad_summary_of_findings_is_in_the_store_with_moderate_certainty_for_pain_and_function()
    {
        var item = BuiltStore.Snapshot.Statements.Single(s => s.Id == "evidence.sadeghirad-2024");
        item.Row.Selection.Should().Be("always");
        item.Effects.Should().Contain(e => e.Row.Outcome == "pain" && e.Row.Certainty == "moderate" && e.Row.Estimate == -0.74
            && e.Row.CiLower == -1.16 && e.Row.CiUpper == -0.33 && e.Row.Mid == 1.5 && e.Row.Verification == "verified");
        item.Effects.Should().Contain(e => e.Row.Outcome == "function" && e.Row.Certainty == "moderate" && e.Row.Mid == 10 && e.Row.Verification == "verified");
        item.Effects.Should().OnlyContain(e => e.Source != null && e.Source.Id == "sadeghirad-2024");
    }

    [Fact]
    public void An_effect_without_a_source_a_confidence_interval_or_a_certainty_is_refused()
    {
        var effects = Content.Effects.Select(e => (e.StatementId, e.Ordinal) switch
        {
            ("evidence.sadeghirad-2024", 0) => CopyEffect(e, sourceId: null),
            ("evidence.sadeghirad-2024", 1) => CopyEffect(e, ciLower: null),
            ("evidence.sadeghirad-2024", 2) => CopyEffect(e, certainty: null),
            ("evidence.sadeghirad-2024", 3) => CopyEffect(e, certainty: "not-graded", readingZh: " "),
            ("evidence.sadeghirad-2024", 4) => CopyEffect(e, sourceId: "whittle-2025"),
            ("evidence.sadeghirad-2024", 5) => CopyEffect(e, estimate: 9),
            _ => e,
        }).ToList();

        var problems = LintOf(StoreMutations.With(Content, effects: effects));

        problems.Should().Contain(p => p.Contains("effect 1 (pain) of evidence.sadeghirad-2024 has no source", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("effect 2 (function) of evidence.sadeghirad-2024 has no 95% confidence interval", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("effect 3 (pain) of evidence.sadeghirad-2024 has no GRADE certainty", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("effect 4 (function) of evidence.sadeghirad-2024 certainty is 'not-graded'", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("effect 4 (function) of evidence.sadeghirad-2024 reading", StringComparison.Ordinal) && p.Contains("zh", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("effect 5 (adverse-events) of evidence.sadeghirad-2024 cites source 'whittle-2025', which its evidence item does not list", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("effect 6 (local-reactions) of evidence.sadeghirad-2024 estimate 9 is outside its confidence interval", StringComparison.Ordinal));
    }

    [Fact]
    public void An_effect_on_a_statement_that_is_not_evidence_is_refused()
    {
        var effect = CopyEffect(Content.Effects[0]);
        var moved = new EffectRow
        {
            StatementId = "safety.harvest-site", Ordinal = 0, Outcome = effect.Outcome, ComparatorEn = effect.ComparatorEn, ComparatorZh = effect.ComparatorZh,
            FollowUpEn = effect.FollowUpEn, FollowUpZh = effect.FollowUpZh, Measure = effect.Measure, Estimate = effect.Estimate, CiLower = effect.CiLower,
            CiUpper = effect.CiUpper, ScaleEn = effect.ScaleEn, ScaleZh = effect.ScaleZh, Mid = effect.Mid, Certainty = effect.Certainty,
            ReadingEn = effect.ReadingEn, ReadingZh = effect.ReadingZh, SourceId = effect.SourceId, Verification = effect.Verification,
        };
        LintOf(StoreMutations.With(Content, effects: [.. Content.Effects, moved]))
            .Should().Contain(p => p.Contains("of safety.harvest-site: only evidence items carry effects", StringComparison.Ordinal));
    }

    [Fact]
    public void Code_repositories_and_ci_builds_are_not_canonical_except_the_generator_whose_data_is_read()
    {
        var hosts = BuiltStore.Snapshot.SourceHosts;
        hosts.Should().Contain(h => h.Host == "github.com" && h.Use == "secondary");
        hosts.Should().Contain(h => h.Host == "build.fhir.org" && h.Use == "secondary");
        SourceHost.Match(hosts, "https://github.com/synthetichealth/synthea/blob/master/src/main/resources/modules/osteoarthritis.json")!.Use.Should().Be("canonical");
        SourceHost.Match(hosts, "https://github.com/someone/synthea-fork")!.Use.Should().Be("secondary");
        SourceHost.Match(hosts, "https://github.com/synthetichealth/synthea-other/x")!.Host.Should().Be("github.com", "a path entry matches whole path segments");
        BuiltStore.Snapshot.Sources.Select(s => SourceHost.HostOf(s.Url ?? "https://doi.org/"))
            .Should().NotContain(["hipaaspace.com", "belso.pointer.hu", "n.global.ssl.fastly.net", "cfu288.github.io"]);

        SourceRow With(SourceRow s, string url) => new()
        {
            Id = s.Id, Citation = s.Citation, Year = s.Year, Kind = s.Kind, Verification = s.Verification, Pmid = s.Pmid, Doi = s.Doi, Url = url, ReviewedOn = s.ReviewedOn, ReviewDue = s.ReviewDue,
        };
        var sources = Content.Sources.Select(s => s.Id switch
        {
            "whocc-atc-m01a" => With(s, "https://github.com/TranslatorSRI/Babel/issues/150"),
            "whocc-atc-n02" => With(s, "https://build.fhir.org/ig/CARA-ch/ch-emed-epr/branches/master/failure/input-cache/txcache/x.cache"),
            _ => s,
        }).ToList();
        var problems = LintOf(StoreMutations.With(Content, sources: sources));
        problems.Should().Contain(p => p.Contains("whocc-atc-m01a is marked verified but its host 'github.com' may serve only secondary sources", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("whocc-atc-n02 is marked verified but its host 'build.fhir.org' may serve only secondary sources", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_statement_and_source_carries_a_review_due_date_and_living_review_items_fall_due_sooner()
    {
        var store = BuiltStore.Snapshot;
        store.Statements.Should().OnlyContain(s => !string.IsNullOrEmpty(s.Row.ReviewDue));
        store.Sources.Should().OnlyContain(s => !string.IsNullOrEmpty(s.ReviewDue));
        store.ReviewIntervalMonths.Should().Be(12);
        store.Statements.Single(s => s.Id == "evidence.sadeghirad-2024").Row.ReviewDue.Should().Be("2027-06-02");
        store.SourcesById["whittle-2025"].ReviewDue.Should().Be("2027-06-02");
        store.Statements.Single(s => s.Id == "evidence.miles-mautner-2023").Row.ReviewDue.Should().Be("2027-12-02", "reviewedOn 2026-12-02 plus 12 months");
    }

    [Fact]
    public void The_review_state_lists_what_is_past_due_on_a_day_and_the_lint_only_warns_about_it()
    {
        var store = BuiltStore.Snapshot;
        var now = store.Review(new DateOnly(2026, 12, 2));
        now.PastDueCount.Should().Be(0);
        now.NextDue.Should().Be("2027-06-02");
        var later = store.Review(new DateOnly(2027, 7, 1));
        later.PastDue.Should().Contain(["evidence.sadeghirad-2024", "source whittle-2025"]).And.NotContain("evidence.miles-mautner-2023");
        StoreLint.Overdue(store, new DateOnly(2027, 7, 1)).Should().Contain(w => w.StartsWith("evidence.sadeghirad-2024 is past its review-due date", StringComparison.Ordinal));
        StoreLint.Check(store).Should().BeEmpty("past-due items are warnings; the release rule compares with the release date");
    }

    [Fact]
    public void A_release_fails_when_a_core_caveat_an_always_item_or_a_source_they_cite_is_past_due()
    {
        var statements = Content.Statements.Select(s => s.Id switch
        {
            "caveat.acr-af-2019" or "evidence.sadeghirad-2024" => StoreMutations.Copy(s, reviewDue: "2026-11-30"),
            "safety.harvest-site" => StoreMutations.Copy(s, reviewDue: "2026-11-01"),
            _ => s,
        }).ToList();
        var sources = Content.Sources.Select(s => s.Id != "whittle-2025" ? s : new SourceRow
        {
            Id = s.Id, Citation = s.Citation, Year = s.Year, Kind = s.Kind, Verification = s.Verification, Pmid = s.Pmid, Doi = s.Doi, Url = s.Url,
            ReviewedOn = s.ReviewedOn, ReviewDue = "2026-12-01",
        }).ToList();

        var problems = LintOf(StoreMutations.With(Content, statements: statements, sources: sources));

        problems.Should().Contain(p => p.StartsWith("caveat caveat.acr-af-2019 is shown in every answer but was due for review on 2026-11-30", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("evidence evidence.sadeghirad-2024 is shown in every answer but was due for review on 2026-11-30", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("source whittle-2025 (cited by evidence.cochrane-living-2024, shown in every answer) was due for review on 2026-12-01", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("safety.harvest-site is due for review (2026-11-01) before it was reviewed", StringComparison.Ordinal));
        problems.Should().NotContain(p => p.StartsWith("safety safety.harvest-site is shown in every answer", StringComparison.Ordinal), "only core caveats and always items fail a release");
    }

    private static List<ProfileBoundRow> BoundsWith(string field, double min, double max, double step) =>
    [
        .. Content.ProfileBounds.Select(b => b.Field != field ? b : new ProfileBoundRow { Field = field, Min = min, Max = max, Step = step }),
    ];

    [Fact]
    public void A_profile_bound_with_min_above_max_is_caught()
    {
        LintOf(StoreMutations.With(Content, bounds: BoundsWith("bmi", 90, 10, 0.1)))
            .Should().Contain(p => p.StartsWith("profileBounds.bmi needs min <= max", StringComparison.Ordinal));
    }

    [Fact]
    public void A_fractional_age_or_KL_bound_and_a_zero_step_are_caught()
    {
        LintOf(StoreMutations.With(Content, bounds: BoundsWith("klGrade", 0, 4.5, 1)))
            .Should().Contain(p => p.StartsWith("profileBounds.klGrade must be whole numbers", StringComparison.Ordinal));
        LintOf(StoreMutations.With(Content, bounds: BoundsWith("bmi", 10, 90, 0)))
            .Should().Contain(p => p.StartsWith("profileBounds.bmi needs a step above 0", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_or_unknown_profile_bound_is_refused()
    {
        LintOf(StoreMutations.With(Content, bounds: [.. Content.ProfileBounds.Where(b => b.Field != "age")]))
            .Should().ContainSingle().Which.Should().Contain("the profile bound of 'age' is missing");
        LintOf(StoreMutations.With(Content, bounds: [.. Content.ProfileBounds, new ProfileBoundRow { Field = "height", Min = 1, Max = 2, Step = 0.01 }]))
            .Should().Contain(p => p.StartsWith("profileBounds names unknown field 'height'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rule_threshold_outside_the_profile_bounds_is_caught()
    {
        // The rule "age atLeast 80" can never match a profile the service accepts when ages stop at 75.
        LintOf(StoreMutations.With(Content, bounds: BoundsWith("age", 18, 75, 1)))
            .Should().Contain(p => p.Contains("condition on age has threshold 80 outside profileBounds.age (18 to 75)", StringComparison.Ordinal));
        // A BMI threshold beyond the bounds, set in a rule.
        var conditions = Content.RuleConditions.Select(c => c.Field == "bmi" && c.Op == "atLeast"
            ? new RuleConditionRow { RuleId = c.RuleId, Clause = c.Clause, Ordinal = c.Ordinal, Field = c.Field, Op = c.Op, Value = 95 }
            : c).ToList();
        LintOf(StoreMutations.With(Content, conditions: conditions))
            .Should().Contain(p => p.Contains("condition on bmi has threshold 95 outside profileBounds.bmi (10 to 90)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_text_naming_an_unknown_profile_bound_is_caught()
    {
        var texts = Content.Texts.Select(t => t.Key != "page.error.bmi" ? t : new TextRow { Key = t.Key, En = "BMI from {bmi.min} to {weight.max}.", Zh = t.Zh }).ToList();
        LintOf(StoreMutations.With(Content, texts: texts))
            .Should().ContainSingle().Which.Should().Be("text page.error.bmi names {weight.max}, which is not a profile bound (profileBounds: age, klGrade, bmi)");
    }
}
