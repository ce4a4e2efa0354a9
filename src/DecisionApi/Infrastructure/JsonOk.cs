using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace DecisionApi.Infrastructure;

/// <summary>
/// 200 with a JSON body, for large answers: the value is encoded in one synchronous pass into a per-thread scratch buffer
/// with the service's JSON options (so the bytes are those of <c>TypedResults.Ok</c>), the response is started with its
/// Content-Length, the bytes are copied into the response pipe once and flushed once. The framework's own writer flushes
/// every few kilobytes and resumes asynchronously, which for the 115 KB evidence summary costs more than writing it. An
/// answer already encoded (<see cref="EncodedAnswer"/>, from the answer memo) is written as it is, with its
/// Content-Length and, for a card, a fresh uuid. Declares the same OpenAPI metadata as <c>Ok&lt;T&gt;</c>.
/// </summary>
public sealed class JsonOk<T> : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    private readonly T? value;
    private readonly EncodedAnswer? encoded;

    /// <summary>Serialises <paramref name="value"/> when the result is executed.</summary>
    public JsonOk(T value) => this.value = value;

    /// <summary>Writes an answer encoded before (<see cref="JsonAnswer.Encode{T}"/>).</summary>
    public JsonOk(EncodedAnswer encoded) => this.encoded = encoded;

    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = "application/json; charset=utf-8";
        // The headers go into the response first (Kestrel keeps bytes written before them aside and copies them again).
        if (encoded is { } answer)
        {
            response.ContentLength = answer.Body.Length;
            await response.StartAsync(httpContext.RequestAborted);
            JsonAnswer.Write(response.BodyWriter, answer);
        }
        else
        {
            // Encoded into a per-thread scratch buffer first, so the answer goes out with its Content-Length in one copy;
            // the scratch is copied out before the first await.
            var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            var body = JsonAnswer.EncodeToScratch(value, options);
            response.ContentLength = body.WrittenCount;
            var startTask = response.StartAsync(httpContext.RequestAborted);
            if (!startTask.IsCompletedSuccessfully)
            {
                // Not expected (Kestrel starts a response synchronously); the scratch may not outlive an await.
                var copy = body.WrittenSpan.ToArray();
                await startTask;
                response.BodyWriter.Write(copy);
            }
            else
            {
                response.BodyWriter.Write(body.WrittenSpan);
            }
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

/// <summary>Answers encoded once: the same bytes <see cref="JsonOk{T}"/> writes, kept by the answer memo.</summary>
public static class JsonAnswer
{
    /// <summary>The placeholder a card is encoded with; <see cref="Write"/> puts a fresh uuid in its place.</summary>
    public const string UuidPlaceholder = "00000000-0000-0000-0000-000000000000";

    public static JsonWriterOptions WriterOptions(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented, SkipValidation = true };
    }

    // Scratch space for encoding, one per thread; an unusually large answer's buffer is not kept.
    private const int ScratchKeptBytes = 1024 * 1024;
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? scratch;

    public static byte[] Encode<T>(T value, JsonSerializerOptions options) => EncodeToScratch(value, options).WrittenSpan.ToArray();

    /// <summary>
    /// Encodes into this thread's scratch buffer. The result is valid only until the next encode on the same thread, so
    /// it must be copied out before any await.
    /// </summary>
    public static ArrayBufferWriter<byte> EncodeToScratch<T>(T value, JsonSerializerOptions options)
    {
        var buffer = scratch ??= new ArrayBufferWriter<byte>(128 * 1024);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions(options)))
        {
            JsonSerializer.Serialize(writer, value, options);
        }

        if (buffer.Capacity > ScratchKeptBytes)
        {
            scratch = null; // the caller still has it; the thread does not keep it
        }

        return buffer;
    }

    /// <summary>Where the (only) uuid placeholder starts in an encoded card, or -1.</summary>
    public static int UuidOffset(byte[] body) => body.AsSpan().IndexOf("00000000-0000-0000-0000-000000000000"u8);

    /// <summary>Copies the answer into the response, with a fresh uuid where the placeholder is.</summary>
    public static void Write(IBufferWriter<byte> output, EncodedAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(answer);
        var body = answer.Body.AsSpan();
        if (answer.UuidOffset < 0)
        {
            output.Write(body);
            return;
        }

        output.Write(body[..answer.UuidOffset]);
        var uuid = output.GetSpan(UuidPlaceholder.Length);
        Guid.NewGuid().TryFormat(uuid, out var written, "D");
        output.Advance(written);
        output.Write(body[(answer.UuidOffset + UuidPlaceholder.Length)..]);
    }
}
