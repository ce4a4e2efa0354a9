using System.Net;
using System.Text;
using DecisionApi.Tests.Support;

namespace DecisionApi.Tests.Integration;

[Collection(ApiTestGroup.Name)]
public sealed class ErrorResponseTests(DecisionApiFactory factory)
{
    private readonly HttpClient client = factory.CreateClient();

    private Task<HttpResponseMessage> Post(string json) => client.PostAsync("/v1/evaluations", HttpAssertions.Json(json));

    [Fact]
    public async Task Unknown_property_is_named() =>
        await (await Post("""{"age":62,"klGrade":3,"priorTreatments":[],"kneeSide":"left"}"""))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "kneeSide", "not a field");

    [Theory]
    [InlineData("""{"age":"62","klGrade":3,"priorTreatments":[]}""", "age")]
    [InlineData("""{"age":62.5,"klGrade":3,"priorTreatments":[]}""", "age")]
    [InlineData("""{"age":62,"klGrade":true,"priorTreatments":[]}""", "klGrade")]
    [InlineData("""{"age":62,"klGrade":3,"priorTreatments":"exercise-therapy"}""", "priorTreatments")]
    [InlineData("""{"age":62,"klGrade":3,"priorTreatments":[7]}""", "priorTreatments[0]")]
    [InlineData("""{"age":62,"klGrade":3,"priorTreatments":[],"bmi":"thirty"}""", "bmi")]
    [InlineData("""{"age":99999999999,"klGrade":3,"priorTreatments":[]}""", "age")]
    public async Task Wrong_types_are_400_on_the_field(string json, string field) =>
        await (await Post(json)).ShouldBeProblemAsync(HttpStatusCode.BadRequest, field);

    [Theory]
    [InlineData("""{"age":62,""")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("")]
    public async Task Malformed_or_missing_bodies_are_400_on_body(string json) =>
        await (await Post(json)).ShouldBeProblemAsync(HttpStatusCode.BadRequest, "body");

    [Fact]
    public async Task A_duplicated_property_is_rejected() =>
        await (await Post("""{"age":62,"age":40,"klGrade":3,"priorTreatments":[]}""")).ShouldBeProblemAsync(HttpStatusCode.BadRequest, "age");

    [Theory]
    [InlineData("""{"age":17,"klGrade":3,"priorTreatments":[]}""", "age", "adults")]
    [InlineData("""{"age":121,"klGrade":3,"priorTreatments":[]}""", "age", "120")]
    [InlineData("""{"klGrade":3,"priorTreatments":[]}""", "age", "required")]
    [InlineData("""{"age":62,"klGrade":5,"priorTreatments":[]}""", "klGrade", "0 to 4")]
    [InlineData("""{"age":62,"klGrade":-1,"priorTreatments":[]}""", "klGrade", "0 to 4")]
    [InlineData("""{"age":62,"klGrade":3}""", "priorTreatments", "required")]
    [InlineData("""{"age":62,"klGrade":3,"priorTreatments":[],"bmi":9.9}""", "bmi", "10 and 90")]
    [InlineData("""{"age":62,"klGrade":3,"priorTreatments":[],"bmi":90.1}""", "bmi", "10 and 90")]
    [InlineData("""{"age":62,"klGrade":3,"priorTreatments":[],"jurisdiction":"USA"}""", "jurisdiction", "alpha-2")]
    [InlineData("""{"age":62,"klGrade":3,"priorTreatments":[null]}""", "priorTreatments", "non-empty")]
    public async Task Out_of_range_values_are_400_with_a_clear_message(string json, string field, string messagePart) =>
        await (await Post(json)).ShouldBeProblemAsync(HttpStatusCode.BadRequest, field, messagePart);

    [Fact]
    public async Task Unknown_codes_are_each_named_and_point_to_the_vocabulary()
    {
        var body = await (await Post("""{"age":62,"klGrade":3,"priorTreatments":["exercise-therapy","stem-cells","yoga"],"conditions":["diabetes"]}"""))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "priorTreatments", "/v1/treatments");
        var treatments = body.GetProperty("errors").GetProperty("priorTreatments")[0].GetString();
        treatments.Should().Contain("'stem-cells'").And.Contain("'yoga'").And.NotContain("'exercise-therapy'");
        body.GetProperty("errors").GetProperty("conditions")[0].GetString().Should().Contain("'diabetes'").And.Contain("/v1/conditions");
    }

    [Fact]
    public async Task Wrong_content_type_is_415()
    {
        var response = await client.PostAsync("/v1/evaluations", new StringContent("""{"age":62}""", Encoding.UTF8, "text/plain"));
        await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_413()
    {
        var json = "{\"age\":62,\"klGrade\":3,\"priorTreatments\":[],\"jurisdiction\":\"" + new string('A', 70_000) + "\"}";
        var response = await Post(json);
        await response.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_body_just_under_the_limit_is_read_and_validated()
    {
        var padding = string.Join(",", Enumerable.Repeat("\"exercise-therapy\"", 3000));
        var json = "{\"age\":62,\"klGrade\":3,\"priorTreatments\":[" + padding + "]}";
        Encoding.UTF8.GetByteCount(json).Should().BeLessThan(64 * 1024);
        await (await Post(json)).ShouldBeProblemAsync(HttpStatusCode.BadRequest, "priorTreatments", "too many");
    }

    [Theory]
    [InlineData("/v1/nothing-here", HttpStatusCode.NotFound)]
    [InlineData("/v1/sources/no-such-source", HttpStatusCode.NotFound)]
    [InlineData("/v1/rules/no-such-rule", HttpStatusCode.NotFound)]
    public async Task Unknown_addresses_are_problem_404s(string url, HttpStatusCode status) =>
        await (await client.GetAsync(url)).ShouldBeProblemAsync(status);

    [Fact]
    public async Task A_wrong_method_is_a_problem_405() =>
        await (await client.DeleteAsync("/v1/treatments")).ShouldBeProblemAsync(HttpStatusCode.MethodNotAllowed);
}
