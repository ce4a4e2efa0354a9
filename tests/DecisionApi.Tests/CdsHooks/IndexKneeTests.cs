using System.Text.Json.Nodes;
using DecisionApi.Tests.Support;
using static DecisionApi.Tests.CdsHooks.CdsFixtures;
using static DecisionApi.Tests.CdsHooks.ChartFixtures;

namespace DecisionApi.Tests.CdsHooks;

/// <summary>
/// Issue #20, the index knee: the ordered side (the draft order's bodySite) decides which knee's grade and replacement
/// count; a fact about the other knee is reported, never applied; an order without a side says so.
/// </summary>
public sealed class IndexKneeTests(CdsHooksFactory factory) : IClassFixture<CdsHooksFactory>
{
    private static JsonObject Site(string text, string? display = null) =>
        display is null ? new JsonObject { ["text"] = text } : CodeableConcept(Snomed, null, display, text);

    private static JsonObject SidedOrder(JsonObject? site)
    {
        var order = MscOrder();
        if (site is not null)
        {
            order["bodySite"] = new JsonArray(site);
        }

        return order;
    }

    private static JsonObject SidedKl(int grade, string? side, string date)
    {
        var observation = KlGrade(grade, date: date);
        if (side is not null)
        {
            observation["bodySite"] = Site(side);
        }

        return observation;
    }

    private static JsonObject Tka(string? side)
    {
        var procedure = Procedure(Snomed, "609588000");
        if (side is not null)
        {
            procedure["bodySite"] = new JsonArray(Site(side));
        }

        return procedure;
    }

    /// <summary>Right knee replaced and KL 4; left knee KL 2; physical therapy and naproxen tried.</summary>
    private static JsonObject BothKnees()
    {
        var chart = ChartWith(procedures: [ProcedureOf("proc-pt", CodeableConcept(Snomed, "91251008", "Physical therapy procedure (regime/therapy)")), Tka("Right knee")],
            requests: [MedicationRequest("mr-naproxen", CodeableConcept(RxNorm, "849574", "Naproxen sodium 220 MG Oral Tablet"))]);
        chart["klGradeObservations"] = Bundle(SidedKl(4, "Right knee", "2026-06-01"), SidedKl(2, "Left knee", "2026-03-01"));
        return chart;
    }

    [Fact]
    public async Task A_left_knee_order_is_not_decided_by_the_replaced_right_knee_or_its_grade()
    {
        var (category, detail) = await Card(BothKnees(), SidedOrder(Site("Left knee", "Structure of left knee joint")));

        category.Should().Be("investigational-only", "the left knee is KL 2 and not replaced");
        detail.Should().Contain("KL grade 4 is recorded for the other knee: not applied to this order.")
            .And.Contain("The other knee has been replaced: not applied to this order.");
        detail.Should().NotContain("Knee already replaced").And.NotContain("has been replaced: MSC");
    }

    [Fact]
    public async Task A_right_knee_order_gets_the_replaced_knee_answer()
    {
        var (category, detail) = await Card(BothKnees(), SidedOrder(Site("Right knee")));

        category.Should().Be("not-applicable");
        detail.Should().Contain("KL grade 2 is recorded for the other knee");
    }

    [Fact]
    public async Task A_side_in_Chinese_is_read()
    {
        var (category, _) = await Card(BothKnees(), SidedOrder(Site("右膝")));

        category.Should().Be("not-applicable");
    }

    [Fact]
    public async Task An_order_without_a_side_says_so_and_uses_no_one_sided_fact()
    {
        var (category, detail) = await Card(BothKnees(), SidedOrder(null));

        detail.Should().Contain("The order does not say which knee: only facts that do not depend on the side were used.");
        detail.Should().Contain("KL grade 4 is recorded for one knee: not applied, as the order does not say which knee.")
            .And.Contain("A knee replacement is recorded for one knee: not applied");
        category.Should().Be("investigational-only", "without a usable KL grade the grade is unknown, and no replacement applies");
        detail.Should().NotContain("KL grade 2 is recorded", "only the most recent grade not applied is reported");
    }

    [Fact]
    public async Task Facts_without_a_side_apply_when_no_fact_names_the_other_knee()
    {
        var chart = ChartWith(kl: 4, procedures: [ProcedureOf("proc-pt", CodeableConcept(Snomed, "91251008", "Physical therapy procedure (regime/therapy)")), Tka(null)]);

        var (category, detail) = await Card(chart, SidedOrder(Site("Left knee")));

        category.Should().Be("not-applicable", "an unsided replacement with no other knee recorded applies");
        detail.Should().NotContain("side not stated");
    }

    [Fact]
    public async Task A_fact_without_a_side_is_reported_when_the_other_knee_has_one()
    {
        var chart = BothKnees();
        chart["klGradeObservations"] = Bundle(SidedKl(4, "Right knee", "2026-06-01"), SidedKl(3, null, "2026-07-01"), SidedKl(2, "Left knee", "2026-03-01"));

        var (category, detail) = await Card(chart, SidedOrder(Site("Left knee")));

        category.Should().Be("investigational-only");
        detail.Should().Contain("KL grade 3 is recorded without a side: not applied (side not stated).");
    }

    private async Task<(string Category, string Detail)> Card(JsonObject prefetch, JsonObject order)
    {
        var card = await factory.CreateClient().OrderSignCard(prefetch, order);
        return (card.Category, card.Detail);
    }
}
