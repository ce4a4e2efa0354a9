using System.Text;
using System.Text.Json;
using DecisionApi.Infrastructure;
using FluentAssertions;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DecisionApi.Tests.Unit;

/// <summary>The batched compact log sink: every line written, whole, in order per thread, also past its queue bound.</summary>
public sealed partial class CompactJsonLoggerTests
{
    [Fact]
    public async Task Every_line_is_written_whole_and_in_order_even_beyond_the_queue_bound()
    {
        var output = new MemoryStream();
        const int Threads = 4;
        const int PerThread = (CompactJsonLoggerProvider.Capacity / 2) + 1_000;
        using (var provider = new CompactJsonLoggerProvider(output))
        {
            var logger = provider.CreateLogger("DecisionApi.Infrastructure.RequestLogMiddleware");
            await Task.WhenAll(Enumerable.Range(0, Threads).Select(thread => Task.Run(() =>
            {
                for (var i = 0; i < PerThread; i++)
                {
                    LogLine(logger, thread, i, "POST");
                }
            })));
        }

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(Threads * PerThread, "nothing is dropped, also when producers outrun the writer");
        var next = new int[Threads];
        foreach (var line in lines)
        {
            var json = JsonDocument.Parse(line).RootElement;
            json.GetProperty("level").GetString().Should().Be("Information");
            json.GetProperty("eventId").GetInt32().Should().Be(7);
            var thread = json.GetProperty("thread").GetInt32();
            json.GetProperty("sequence").GetInt32().Should().Be(next[thread]++, "one thread's lines keep their order");
        }
    }

    [Fact]
    public void A_framework_event_is_its_message_and_an_exception_is_kept()
    {
        var output = new MemoryStream();
        using (var provider = new CompactJsonLoggerProvider(output))
        {
            var lifetime = provider.CreateLogger("Microsoft.Hosting.Lifetime");
            var service = provider.CreateLogger("DecisionApi.Test");
            var failure = new InvalidOperationException("boom");
            LogListening(lifetime, "http://[::]:8080");
            LogFailed(service, failure);
        }

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(2);
        JsonDocument.Parse(lines[0]).RootElement.GetProperty("message").GetString().Should().Be("Now listening on: http://[::]:8080");
        JsonDocument.Parse(lines[1]).RootElement.GetProperty("exception").GetString().Should().Contain("boom");
    }

    [Fact]
    public void A_value_named_like_a_field_of_the_line_does_not_repeat_its_key()
    {
        var state = new List<KeyValuePair<string, object?>>
        {
            new("Category", "investigational-only"), new("Level", 3), new("Message", "m"), new("Time", "t"), new("EventId", 9), new("Exception", "e"),
            new("{OriginalFormat}", "{Category} {Level} {Message} {Time} {EventId} {Exception}"),
        };
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            CompactJsonFormatter.WriteEntry(writer, LogLevel.Information, "DecisionApi.Test", new EventId(7), state, null, null);
        }

        var line = JsonDocument.Parse(buffer.WrittenMemory).RootElement;
        line.EnumerateObject().Select(p => p.Name).Should().OnlyHaveUniqueItems();
        line.GetProperty("category").GetString().Should().Be("DecisionApi.Test");
        line.GetProperty("categoryValue").GetString().Should().Be("investigational-only");
        line.GetProperty("level").GetString().Should().Be("Information");
        line.GetProperty("levelValue").GetInt32().Should().Be(3);
        line.GetProperty("eventId").GetInt32().Should().Be(7);
        line.GetProperty("eventIdValue").GetInt32().Should().Be(9);
    }

    [Fact]
    public void Disposing_twice_is_harmless_and_lines_after_it_are_not_written()
    {
        var output = new MemoryStream();
        var provider = new CompactJsonLoggerProvider(output);
        var logger = provider.CreateLogger("DecisionApi.Test");
        LogLine(logger, 0, 0, "GET");
        provider.Dispose();
        provider.Dispose();
        LogLine(logger, 0, 1, "GET");
        Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().ContainSingle();
    }

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "Now listening on: {Address}")]
    private static partial void LogListening(ILogger logger, string address);

    [LoggerMessage(EventId = 99, Level = LogLevel.Error, Message = "failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "{Method} line {Thread} {Sequence}")]
    private static partial void LogLine(ILogger logger, int thread, int sequence, string method);
}
