using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace DecisionApi.Infrastructure;

/// <summary>
/// 200 with a JSON body, for large answers: the value is written in one synchronous pass straight into the response pipe
/// and flushed once, with the service's JSON options (so the bytes are those of <c>TypedResults.Ok</c>). The framework's
/// own writer flushes every few kilobytes and resumes asynchronously, which for the 109 KB evidence summary costs more
/// than writing it. Declares the same OpenAPI metadata as <c>Ok&lt;T&gt;</c>.
/// </summary>
public sealed class JsonOk<T>(T value) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IEndpointMetadataProvider
{
    public T Value { get; } = value;

    object? IValueHttpResult.Value => Value;

    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented, SkipValidation = true }))
        {
            JsonSerializer.Serialize(writer, Value, options);
        }

        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    // The interface requires a static member on this generic type (as the framework's own Ok<T> has).
#pragma warning disable CA1000
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
    }
#pragma warning restore CA1000
}
