using System.Net;
using System.Text;
using DecisionApi.Tests.Support;
using FluentAssertions;
using Xunit;

namespace DecisionApi.Tests.Integration;

/// <summary>
/// The README's run command starts the service in Development, where the DI container checks that no scoped service is
/// taken from the root provider. The in-memory tests run as "Testing" and the other process tests as Production, so
/// this one runs the real service as Development and asks for what a developer opens first.
/// </summary>
public sealed class DevelopmentRunTests
{
    [Fact]
    public async Task Swagger_ui_the_document_an_evaluation_and_a_card_work_in_development()
    {
        await using var service = await RunningService.StartAsync(new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        using var client = new HttpClient { BaseAddress = service.BaseUrl };

        using (var page = await client.GetAsync(new Uri("/swagger/index.html", UriKind.Relative)))
        {
            page.StatusCode.Should().Be(HttpStatusCode.OK, service.Output);
        }

        var document = await client.GetAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));
        document.StatusCode.Should().Be(HttpStatusCode.OK, service.Output);
        (await document.Content.ReadAsStringAsync()).Should().Contain("\"EvaluateProfile\"");

        using var evaluation = await client.PostAsync(new Uri("/v1/evaluations", UriKind.Relative), new StringContent(
            """{"age":62,"klGrade":3,"priorTreatments":["exercise-therapy"]}""", Encoding.UTF8, "application/json"));
        evaluation.StatusCode.Should().Be(HttpStatusCode.OK, service.Output);
        var answer = await evaluation.Content.ReadAsByteArrayAsync();
        evaluation.Headers.TransferEncodingChunked.Should().NotBe(true, "a first answer is encoded, then sent with its length");
        evaluation.Content.Headers.ContentLength.Should().Be(answer.Length);

        using var discovery = await client.GetAsync(new Uri("/cds-services", UriKind.Relative));
        discovery.StatusCode.Should().Be(HttpStatusCode.OK, service.Output);
        service.Output.Should().NotContain("Cannot resolve scoped service");
    }
}
