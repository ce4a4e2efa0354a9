using System.Net;
using System.Text.Json.Nodes;
using DecisionApi.Features.CdsHooks;
using DecisionApi.RuleStore;
using DecisionApi.Tests.CdsHooks;
using DecisionApi.Tests.Support;
using Microsoft.AspNetCore.Hosting;

namespace DecisionApi.Tests.Integration;

/// <summary>
/// The profile bounds are held once, in the store (store.yaml profileBounds): a store with other bounds changes the
/// request validator, the OpenAPI document's minimum/maximum, the evidence page's form and the chart reader together.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class ProfileBoundsTests(DecisionApiFactory factory)
{
    private const string ShippedBounds = """
          age: { min: 18, max: 120, step: 1 }
          klGrade: { min: 0, max: 4, step: 1 }
          bmi: { min: 10, max: 90, step: 0.1 }
        """;

    private const string OtherBounds = """
          age: { min: 16, max: 110, step: 1 }
          klGrade: { min: 0, max: 4, step: 1 }
          bmi: { min: 12, max: 80, step: 0.5 }
        """;

    [Fact]
    public void The_shipped_bounds_are_the_ones_the_store_holds()
    {
        var bounds = BuiltStore.Snapshot.Bounds;
        (bounds.Age.Min, bounds.Age.Max, bounds.KlGrade.Min, bounds.KlGrade.Max, bounds.Bmi.Min, bounds.Bmi.Max, bounds.Bmi.Step)
            .Should().Be((18d, 120d, 0d, 4d, 10d, 90d, 0.1d), "store.yaml profileBounds (this test restates them only to notice an unintended change)");
    }

    [Fact]
    public async Task A_store_with_other_bounds_changes_the_validator_the_document_the_page_form_and_the_chart_reader()
    {
        using var content = new ContentCopy().Replace("store.yaml", ShippedBounds, OtherBounds);
        var path = content.Compile();
        using var other = factory.WithWebHostBuilder(b => b.UseSetting("RuleStore:Path", path));
        var client = other.CreateClient();

        // The validator: 17 is now an accepted age, 111 is not; BMI 11 is refused with the store's range in the message.
        (await client.PostAsync("/v1/evaluations", HttpAssertions.Json("""{"age":17,"klGrade":2,"priorTreatments":[]}""")))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        var tooOld = await client.PostAsync("/v1/evaluations", HttpAssertions.Json("""{"age":111,"klGrade":2,"priorTreatments":[]}"""));
        tooOld.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tooOld.Content.ReadAsStringAsync()).Should().Contain("110 or less");
        var thin = await client.PostAsync("/v1/evaluations", HttpAssertions.Json("""{"age":62,"klGrade":2,"priorTreatments":[],"bmi":11}"""));
        thin.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await thin.Content.ReadAsStringAsync()).Should().Contain("between 12 and 80");

        // The OpenAPI document: minimum and maximum on the request schema.
        var document = await ProductionDocument.GetAsync(other);
        var properties = document["components"]!["schemas"]!["EvaluationRequest"]!["properties"]!;
        Range(properties["age"]!).Should().Be((16, 110));
        Range(properties["klGrade"]!).Should().Be((0, 4));
        Range(properties["bmi"]!).Should().Be((12, 80));

        // The page form.
        var form = await client.GetStringAsync("/summary?lang=en");
        form.Should().Contain("""id="age" name="age" type="number" min="16" max="90" """.TrimEnd(), "the form's age stops at the link's de-identification cap (90)")
            .And.Contain("""id="bmi" name="bmi" type="number" step="0.5" min="12" max="80" """.TrimEnd());
        form.Should().Contain("Age (years, 16 or older;", "the store's texts name the bounds as {age.min}");
        (await client.GetAsync("/summary?age=17&kl=2&treatments=&lang=en")).StatusCode.Should().Be(HttpStatusCode.OK);
        var refused = await client.GetAsync("/summary?age=62&kl=2&treatments=&bmi=85&lang=en");
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()).Should().Contain("BMI must be a number from 12 to 80 (kg/m²).");

        // The /v1/about input descriptions.
        var about = await client.GetStringAsync("/v1/about");
        about.Should().Contain("16–110").And.Contain("12–80");
    }

    [Fact]
    public void The_chart_reader_uses_a_BMI_from_FHIR_only_within_the_store_s_bounds()
    {
        using var content = new ContentCopy().Replace("store.yaml", ShippedBounds, OtherBounds);
        var other = RuleStoreSnapshot.Load(content.Compile());
        var prefetch = CdsFixtures.Prefetch();
        prefetch["bmiObservations"] = CdsFixtures.Bundle(CdsFixtures.Bmi(85));

        Reader(BuiltStore.Snapshot).Read(ChartRecognitionTests.Resolve(prefetch)).Profile.Bmi.Should().Be(85, "85 is within the shipped 10–90");
        var reading = Reader(other).Read(ChartRecognitionTests.Resolve(prefetch));
        reading.Profile.Bmi.Should().BeNull("85 is outside the other store's 12–80");
        reading.Unknowns.Should().Contain(u => u.Key == "cds.unknown.bmi");
    }

    private static ChartReader Reader(RuleStoreSnapshot store) =>
        new(new FhirCodeMap(store), new TreatmentRecogniser(store), new FixedTimeProvider(CdsHooksFactory.Today));

    private static (double Min, double Max) Range(JsonNode property) =>
        (property["minimum"]!.GetValue<double>(), property["maximum"]!.GetValue<double>());

    /// <summary>The prose docs state the bounds too (for readers without the service): they must say what the store holds.</summary>
    [Fact]
    public void The_docs_state_the_store_s_bounds()
    {
        var (age, kl, bmi) = (BuiltStore.Snapshot.Bounds.Age, BuiltStore.Snapshot.Bounds.KlGrade, BuiltStore.Snapshot.Bounds.Bmi);
        string Doc(string path) => File.ReadAllText(Path.Combine(RepositoryPaths.Root, path));
        Doc("README.md").Should().Contain($"covers adults ({age.Min}+)").And.Contain($"`valueInteger` {kl.Min}–{kl.Max}")
            .And.Contain($"`kg/m2`, {bmi.Min}–{bmi.Max}").And.Contain($"({age.Min} years or older)");
        Doc("docs/portal-quickstart.md").Should().Contain($"integer {age.Min}–{age.Max}").And.Contain($"integer {kl.Min}–{kl.Max}")
            .And.Contain($"optional, {bmi.Min}–{bmi.Max} kg/m²");
        Doc("docs/ehr-quickstart.md").Should().Contain($"`valueInteger` ({kl.Min}–{kl.Max})");
    }
}
