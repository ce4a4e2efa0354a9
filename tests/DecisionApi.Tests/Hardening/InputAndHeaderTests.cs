using System.Net;
using System.Text;
using System.Text.Json;
using DecisionApi.Features.Evaluations;
using DecisionApi.Infrastructure;
using DecisionApi.Tests.CdsHooks;
using DecisionApi.Tests.Support;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace DecisionApi.Tests.Hardening;

/// <summary>Tracker issue 9 (items 1, 5, 6): content types, encodings, CDS Hooks error bodies, honest logs, headers.</summary>
public sealed class InputAndHeaderTests(CdsHooksFactory factory) : IClassFixture<CdsHooksFactory>
{
    private const string Profile = """{"age":62,"klGrade":3,"priorTreatments":[]}""";

    private static ByteArrayContent Body(string text, string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    private static ByteArrayContent Bytes(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        return content;
    }

    private static async Task<JsonElement> OperationOutcomeOf(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/fhir+json");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        body.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        body.GetProperty("issue")[0].GetProperty("diagnostics").GetString().Should().NotBeNullOrWhiteSpace();
        return body;
    }

    [Theory]
    [InlineData("application/json; charset=\"utf-8\"")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json;charset=utf-8")]
    [InlineData("Application/JSON; Charset=\"UTF-8\"")]
    [InlineData("application/json")]
    public async Task Utf8_in_any_case_or_quoting_is_accepted(string contentType)
    {
        var client = factory.CreateClient();
        (await client.PostAsync("/v1/evaluations", Body(Profile, contentType))).StatusCode.Should().Be(HttpStatusCode.OK);
        var cds = await client.PostAsync("/cds-services/msc-knee-oa", Body(CdsFixtures.OrderSign(CdsFixtures.Prefetch(), CdsFixtures.MscOrder()).ToJsonString(), contentType));
        cds.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("application/json; charset=latin1")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/json; charset=utf8")]
    [InlineData("application/json; charset=\"\"")]
    [InlineData("text/plain")]
    [InlineData("application/json; charset")]
    public async Task Other_charsets_and_media_types_are_415_in_the_right_error_format(string contentType)
    {
        var client = factory.CreateClient();
        var rest = await client.PostAsync("/v1/evaluations", Body(Profile, contentType));
        rest.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        rest.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await rest.Content.ReadAsStringAsync()).Should().NotContain(contentType.Contains("latin1", StringComparison.Ordinal) ? "latin1" : "\u0000");

        var cds = await client.PostAsync("/cds-services/msc-knee-oa", Body("{}", contentType));
        cds.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await OperationOutcomeOf(cds)).GetProperty("issue")[0].GetProperty("code").GetString().Should().Be("not-supported");
    }

    [Theory]
    [InlineData("{\"hook\":\"order-sign\",\"hookInstance\":\"\\ud800\",\"context\":{}}")]
    [InlineData("{\"hook\":\"order-sign\",\"hookInstance\":\"x\",\"context\":{\"\\udc00\":1}}")]
    public async Task Unpaired_surrogate_escapes_are_400_operation_outcomes(string json)
    {
        var response = await factory.CreateClient().PostAsync("/cds-services/msc-knee-oa", Body(json, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await OperationOutcomeOf(response)).GetProperty("issue")[0].GetProperty("code").GetString().Should().Be("invalid");
    }

    [Fact]
    public async Task Invalid_utf8_is_400_on_every_json_endpoint()
    {
        var client = factory.CreateClient();
        var cds = Encoding.UTF8.GetBytes("{\"hook\":\"order-sign\",\"hookInstance\":\"AB\",\"context\":{}}");
        cds[Array.IndexOf(cds, (byte)'A')] = 0xFF;
        (await client.PostAsync("/cds-services/msc-knee-oa", Bytes(cds))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var feedback = Encoding.UTF8.GetBytes("{\"feedback\":[{\"card\":\"AB\"}]}");
        feedback[Array.IndexOf(feedback, (byte)'A')] = 0xC3;
        var answer = await client.PostAsync("/cds-services/msc-knee-oa/feedback", Bytes(feedback));
        answer.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        await OperationOutcomeOf(answer);
        var rest = Encoding.UTF8.GetBytes("{\"age\":62,\"klGrade\":3,\"priorTreatments\":[\"AB\"]}");
        rest[Array.IndexOf(rest, (byte)'A')] = 0xFE;
        (await client.PostAsync("/v1/evaluations", Bytes(rest))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Framework_errors_under_cds_services_are_operation_outcomes()
    {
        var client = factory.CreateClient();
        var wrongMethod = await client.PutAsync("/cds-services/msc-knee-oa", Body("{}", "application/json"));
        wrongMethod.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        (await OperationOutcomeOf(wrongMethod)).GetProperty("issue")[0].GetProperty("code").GetString().Should().Be("not-supported");

        var nowhere = await client.GetAsync("/cds-services/msc-knee-oa/feedback/extra");
        nowhere.StatusCode.Should().Be(HttpStatusCode.NotFound);
        await OperationOutcomeOf(nowhere);

        var big = await client.PostAsync("/cds-services/msc-knee-oa", Body(new string(' ', 2 * 1024 * 1024), "application/json"));
        big.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await OperationOutcomeOf(big)).GetProperty("issue")[0].GetProperty("code").GetString().Should().Be("too-costly");

        var rest = await client.PutAsync("/v1/evaluations", Body("{}", "application/json"));
        rest.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        rest.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json", "REST errors stay problem details");
    }

    [Fact]
    public async Task Responses_carry_nosniff_no_server_banner_and_no_store_on_clinical_answers()
    {
        var client = factory.CreateClient();
        var evaluation = await client.PostAsync("/v1/evaluations", Body(Profile, "application/json"));
        evaluation.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        evaluation.Headers.CacheControl!.NoStore.Should().BeTrue();
        evaluation.Headers.Server.Should().BeEmpty();

        var error = await client.PostAsync("/v1/evaluations", Body("{", "application/json"));
        error.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        error.Headers.CacheControl!.NoStore.Should().BeTrue();

        var health = await client.GetAsync("/health/live");
        health.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
    }

    [Fact]
    public async Task The_request_log_records_the_status_actually_sent_and_a_500_its_trace_id()
    {
        using var failing = factory.WithWebHostBuilder(b => b.ConfigureServices(services =>
            services.AddSingleton<IValidator<EvaluationRequest>, ThrowingValidator>()));
        var client = failing.CreateClient();
        var response = await client.PostAsync("/v1/evaluations", Body(Profile, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        var traceId = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("traceId").GetString()!;
        (await response.Content.ReadAsStringAsync()).Should().NotContain("ThrowingValidator", "no internals in the body");

        factory.Logs.Messages.Should().Contain(m => m.StartsWith("POST /v1/evaluations 500 ", StringComparison.Ordinal) && m.Contains("trace=" + traceId, StringComparison.Ordinal));
        factory.Logs.Messages.Should().Contain(m => m.Contains("Unhandled exception", StringComparison.Ordinal) && m.Contains("traceId=" + traceId, StringComparison.Ordinal));

        await client.PostAsync("/v1/evaluations", Body("{\"age\":", "application/json"));
        factory.Logs.Messages.Should().Contain(m => m.StartsWith("POST /v1/evaluations 400 ", StringComparison.Ordinal), "a binding 400 is logged as 400");
        await client.PostAsync("/v1/evaluations", Body(new string(' ', 100_000), "application/json"));
        factory.Logs.Messages.Should().Contain(m => m.StartsWith("POST /v1/evaluations 413 ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_compact_formatter_writes_each_value_once_on_one_line()
    {
        var state = new List<KeyValuePair<string, object?>>
        {
            new("Method", "POST"), new("Status", 200), new("ElapsedMs", 0.41234), new("{OriginalFormat}", "{Method} {Status} {ElapsedMs} ms"),
        };
        var line = Line(json => CompactJsonFormatter.WriteEntry(json, LogLevel.Information, "DecisionApi.Infrastructure.RequestLogMiddleware", new EventId(1000), state, null, (s, _) => "POST 200 0.41234 ms"));
        line.Should().NotContain("\n");
        var json = JsonDocument.Parse(line).RootElement;
        json.GetProperty("method").GetString().Should().Be("POST");
        json.GetProperty("status").GetInt32().Should().Be(200);
        json.GetProperty("elapsedMs").GetDouble().Should().Be(0.412);
        json.GetProperty("eventId").GetInt32().Should().Be(1000);
        json.TryGetProperty("message", out _).Should().BeFalse("the values are not repeated as text");
        line.Should().NotContain("OriginalFormat");

        line = Line(json => CompactJsonFormatter.WriteEntry(json, LogLevel.Information, "Microsoft.Hosting.Lifetime", default, "x", null, (_, _) => "Now listening on: http://[::]:8080"));
        JsonDocument.Parse(line).RootElement.GetProperty("message").GetString().Should().Be("Now listening on: http://[::]:8080");
    }

    private static string Line(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private sealed class ThrowingValidator : AbstractValidator<EvaluationRequest>
    {
        public override ValidationResult Validate(ValidationContext<EvaluationRequest> context) =>
            throw new InvalidOperationException("ThrowingValidator: a defect");

        public override Task<ValidationResult> ValidateAsync(ValidationContext<EvaluationRequest> context, CancellationToken cancellation = default) =>
            throw new InvalidOperationException("ThrowingValidator: a defect");
    }
}
