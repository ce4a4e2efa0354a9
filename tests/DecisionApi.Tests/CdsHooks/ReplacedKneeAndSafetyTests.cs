using System.Text.Json.Nodes;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using DecisionApi.Tests.Support;
using static DecisionApi.Tests.CdsHooks.CdsFixtures;
using static DecisionApi.Tests.CdsHooks.ChartFixtures;

namespace DecisionApi.Tests.CdsHooks;

/// <summary>
/// Issue #20: a replaced knee however recorded (Procedure by SNOMED CT or CPT, text, a problem-list Condition), never
/// from a referral; the replaced-knee card lists no OA options; the anticoagulated, 80-year-old KL 4 and 17-year-old
/// patients get the safe answers on REST and CDS alike.
/// </summary>
public sealed class ReplacedKneeAndSafetyTests(CdsHooksFactory factory) : IClassFixture<CdsHooksFactory>
{
    private static JsonObject PhysicalTherapy() => ProcedureOf("proc-pt", CodeableConcept(Snomed, "91251008", "Physical therapy procedure (regime/therapy)"));

    private static JsonObject Naproxen() => MedicationRequest("mr-naproxen", CodeableConcept(RxNorm, "849574", "Naproxen sodium 220 MG Oral Tablet"));

    private static JsonObject ProblemListEntry(JsonObject code) => new()
    {
        ["resourceType"] = "Condition",
        ["id"] = "cond-tka",
        ["category"] = new JsonArray(Coding("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item")),
        ["clinicalStatus"] = Coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
        ["code"] = code,
        ["subject"] = new JsonObject { ["reference"] = "Patient/" + PatientId },
    };

    public static TheoryData<string, string> ReplacedKnees() => new()
    {
        { "Procedure, SNOMED CT 609588000", "procedure-snomed" },
        { "Procedure, CPT 27447", "procedure-cpt" },
        { "Procedure, text only", "procedure-text" },
        { "Problem-list Condition, text only", "condition-text" },
        { "Problem-list Condition, SNOMED CT display", "condition-display" },
    };

    [Theory]
    [MemberData(nameof(ReplacedKnees))]
    public async Task A_replaced_knee_is_recognised_however_recorded_and_its_card_lists_no_OA_options(string name, string how)
    {
        var chart = ChartWith(kl: 4, procedures: [PhysicalTherapy()], requests: [Naproxen()]);
        switch (how)
        {
            case "procedure-snomed":
                chart["procedures"] = Bundle(PhysicalTherapy(), Procedure(Snomed, "609588000"));
                break;
            case "procedure-cpt":
                chart["procedures"] = Bundle(PhysicalTherapy(), Procedure(Cpt, "27447"));
                break;
            case "procedure-text":
                chart["procedures"] = Bundle(PhysicalTherapy(), ProcedureOf("proc-tka", CodeableConcept(null, null, null, "Total knee arthroplasty")));
                break;
            case "condition-text":
                chart["conditions"] = Bundle(ProblemListEntry(CodeableConcept(null, null, null, "Status post total knee arthroplasty")));
                break;
            case "condition-display":
                chart["conditions"] = Bundle(ProblemListEntry(CodeableConcept(Snomed, "609588000", "Prosthetic total arthroplasty of knee joint (procedure)")));
                break;
        }

        var (category, summary, detail, _) = await Card(chart);

        category.Should().Be("not-applicable", name);
        summary.Should().StartWith("Knee already replaced");
        detail.Should().Contain("First-line osteoarthritis options are not listed: the knee has been replaced.")
            .And.NotContain("First-line options not yet documented");
    }

    public static TheoryData<string, string> NotDoneReplacements() => new()
    {
        { "Procedure in preparation (planned)", "procedure-preparation" },
        { "Procedure in progress", "procedure-in-progress" },
        { "Procedure stopped", "procedure-stopped" },
        { "Provisional problem-list Condition", "condition-provisional" },
        { "Problem-list text after a not-done cue (evaluate for)", "condition-evaluate" },
        { "Problem-list text after a not-done cue (no)", "condition-no" },
        { "Procedure display after a not-done cue (possible)", "procedure-possible" },
    };

    [Theory]
    [MemberData(nameof(NotDoneReplacements))]
    public async Task A_knee_replacement_not_recorded_as_done_is_not_applied_and_is_reported_as_not_checked(string name, string how)
    {
        var chart = ChartWith(kl: 4, procedures: [PhysicalTherapy()], requests: [Naproxen()]);
        switch (how)
        {
            case "procedure-preparation":
                chart["procedures"] = Bundle(PhysicalTherapy(), ProcedureOf("proc-tka", CodeableConcept(Snomed, "609588000", null), "preparation"));
                break;
            case "procedure-in-progress":
                chart["procedures"] = Bundle(PhysicalTherapy(), ProcedureOf("proc-tka", CodeableConcept(Cpt, "27447", null), "in-progress"));
                break;
            case "procedure-stopped":
                chart["procedures"] = Bundle(PhysicalTherapy(), ProcedureOf("proc-tka", CodeableConcept(null, null, null, "Total knee arthroplasty"), "stopped"));
                break;
            case "condition-provisional":
                var provisional = ProblemListEntry(CodeableConcept(null, null, null, "Total knee arthroplasty"));
                provisional["verificationStatus"] = Coding("http://terminology.hl7.org/CodeSystem/condition-ver-status", "provisional");
                chart["conditions"] = Bundle(provisional);
                break;
            case "condition-evaluate":
                chart["conditions"] = Bundle(ProblemListEntry(CodeableConcept(null, null, null, "Evaluate for total knee arthroplasty")));
                break;
            case "condition-no":
                chart["conditions"] = Bundle(ProblemListEntry(CodeableConcept(null, null, null, "No prior  knee arthroplasty")));
                break;
            case "procedure-possible":
                chart["procedures"] = Bundle(PhysicalTherapy(), ProcedureOf("proc-tka", CodeableConcept(Snomed, "999999999", "Possible knee arthroplasty")));
                break;
        }

        var (category, summary, detail, _) = await Card(chart);

        category.Should().Be("arthroplasty-evaluation", name + ": KL 4 with first-line care tried, knee not replaced");
        summary.Should().NotStartWith("Knee already replaced");
        detail.Should().Contain("**Could not be checked:**")
            .And.Contain("A knee replacement is mentioned but not recorded as done (planned, possible or negated): not applied; please check.");
    }

    [Fact]
    public async Task A_completed_replacement_with_the_cue_after_the_term_is_applied()
    {
        var chart = ChartWith(kl: 4, procedures: [PhysicalTherapy(), ProcedureOf("proc-tka", CodeableConcept(null, null, null, "Total knee arthroplasty, no complications"))],
            requests: [Naproxen()]);

        var (category, _, detail, _) = await Card(chart);

        category.Should().Be("not-applicable", "a cue after the term does not make the replacement not done");
        detail.Should().NotContain("not recorded as done");
    }

    [Fact]
    public async Task A_referral_for_knee_arthroplasty_is_not_a_replaced_knee()
    {
        var chart = ChartWith(kl: 4, procedures: [PhysicalTherapy()], requests: [Naproxen()],
            serviceRequests: [CompletedServiceRequest("sr-ref", CodeableConcept(null, null, null, "Referral for knee arthroplasty assessment"))]);

        var (category, _, _, _) = await Card(chart);

        category.Should().Be("arthroplasty-evaluation");
    }

    [Fact]
    public async Task Discovery_asks_for_every_condition_the_problem_list_included()
    {
        var body = await (await factory.CreateClient().GetAsync("/cds-services")).ReadJsonAsync();
        body.GetProperty("services")[0].GetProperty("prefetch").GetProperty("conditions").GetString()
            .Should().Be("Condition?patient={{context.patientId}}");
    }

    [Fact]
    public async Task An_anticoagulated_patient_is_pointed_to_a_topical_NSAID_first_with_a_caution_on_oral_NSAIDs()
    {
        // Exercise and acetaminophen tried, warfarin in the medication list, no NSAID.
        var chart = ChartWith(kl: 3, procedures: [PhysicalTherapy()],
            requests: [MedicationRequest("mr-warfarin", CodeableConcept(RxNorm, "855332", "Warfarin Sodium 5 MG Oral Tablet")),
                MedicationRequest("mr-apap", CodeableConcept(null, null, null, "acetaminophen 500 mg"))]);

        var (category, _, detail, _) = await Card(chart);

        category.Should().Be("conventional-care-first");
        detail.Should().Contain("Anticoagulant or bleeding disorder recorded: consider a topical NSAID first; weigh an oral NSAID with care (bleeding risk).");
        detail.IndexOf("Topical NSAID", StringComparison.Ordinal).Should().BeLessThan(detail.IndexOf("Oral NSAID", StringComparison.Ordinal), "topical NSAIDs come first");

        var rest = BuiltStore.Evaluator.Evaluate(new PatientProfile(68, 3, ["exercise-therapy", "acetaminophen"], null, ["anticoagulant-therapy"], "US"), Language.En);
        rest.Assessment.Notes.Should().Contain(n => n.Id == "note.nsaid-bleeding-risk" && n.Sources.Any(s => s.Id == "choosing-wisely-ascp-2021"));
        rest.ConventionalOptions.Select(o => o.Treatment).Distinct().ToList().IndexOf("topical-nsaid")
            .Should().BeLessThan(rest.ConventionalOptions.Select(o => o.Treatment).Distinct().ToList().IndexOf("oral-nsaid"));
    }

    [Theory]
    [InlineData("Apixaban 5 MG Oral Tablet")]
    [InlineData("rivaroxaban 20 mg tablet")]
    [InlineData("Edoxaban 60 MG Oral Tablet")]
    public async Task A_patient_on_a_factor_Xa_inhibitor_gets_the_same_NSAID_caution_as_one_on_warfarin(string drug)
    {
        var chart = ChartWith(kl: 3, procedures: [PhysicalTherapy()],
            requests: [MedicationRequest("mr-doac", CodeableConcept(null, null, null, drug)), MedicationRequest("mr-apap", CodeableConcept(null, null, null, "acetaminophen 500 mg"))]);

        var (category, _, detail, _) = await Card(chart);

        category.Should().Be("conventional-care-first");
        detail.Should().Contain("Anticoagulant or bleeding disorder recorded: consider a topical NSAID first; weigh an oral NSAID with care (bleeding risk).");
    }

    [Fact]
    public async Task An_80_year_old_with_KL_4_whose_first_line_care_was_tried_gets_the_joint_replacement_pointer()
    {
        var chart = ChartWith(kl: 4, procedures: [PhysicalTherapy()], requests: [Naproxen()]);
        chart["patient"] = Patient("1946-01-15");

        var (category, summary, detail, _) = await Card(chart);

        category.Should().Be("outside-evidence-base");
        summary.Should().StartWith("Age 80 is above");
        detail.Should().Contain("KL 4 with first-line care tried: assessment for joint replacement may be considered (2023 ACR/AAHKS).");
        detail.Should().NotContain("KL grade 0 is not radiographic osteoarthritis");

        var rest = BuiltStore.Evaluator.Evaluate(new PatientProfile(80, 4, ["exercise-therapy", "oral-nsaid", "weight-management"], 27, [], "US"), Language.En);
        rest.Assessment.Category.Should().Be("outside-evidence-base");
        rest.Assessment.Notes.Should().Contain(n => n.Id == "note.arthroplasty-assessment-after-first-line" && n.Sources.Any(s => s.Pmid == "37743767"));
    }

    [Fact]
    public async Task A_17_year_olds_card_says_the_service_covers_adults_and_links_nowhere()
    {
        var chart = ChartWith(kl: 2, procedures: [PhysicalTherapy()], requests: [Naproxen()]);
        chart["patient"] = Patient("2009-05-01");

        var (category, summary, detail, hasLinks) = await Card(chart);

        category.Should().Be("outside-evidence-base");
        summary.Should().StartWith("This service covers adults only;").And.Contain("FDA").And.Contain("ACR/AF");
        detail.Should().Contain("age 17: this service covers adults (18 or older) only");
        hasLinks.Should().BeFalse("the evidence page answers adults only");
        detail.Should().NotContain("/summary?");
    }

    private async Task<(string Category, string Summary, string Detail, bool HasLinks)> Card(JsonObject prefetch)
    {
        var card = await factory.CreateClient().OrderSignCard(prefetch, MscOrder());
        return (card.Category, card.Summary, card.Detail, card.HasLinks);
    }
}
