using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;

namespace DecisionApi.Infrastructure;

/// <summary>
/// The production log sink: each event as one compact JSON line (<see cref="CompactJsonFormatter"/>'s format), encoded
/// once to UTF-8 on the logging thread, put on a lock-free queue without waking anyone, and written to stdout by one
/// background writer every <see cref="WriteIntervalMilliseconds"/> ms, one write per 64 KB. The console logger wakes its
/// writer and writes (and flushes) every line on its own, which under load cost the service about a quarter of its
/// throughput (tracker issue 11). The queue is bounded: when the writer falls behind by <see cref="Capacity"/> lines,
/// logging waits rather than dropping audit lines. Disposed with the host, after the queue is written out, so the last
/// lines (a start-up failure's included) are never lost.
/// Selected with <c>Logging:Console:FormatterName</c> = <c>compact</c> (it replaces the console logger).
/// </summary>
[ProviderAlias("Console")]
public sealed class CompactJsonLoggerProvider : ILoggerProvider
{
    public const int Capacity = 20_000;
    public const int WriteIntervalMilliseconds = 10;
    private const int BatchBytes = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? lineBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? lineWriter;

    private readonly ConcurrentQueue<byte[]> queue = new();
    private readonly CancellationTokenSource stopping = new();
    private int queued;
    private int disposed;
    private readonly Stream output;
    private readonly Thread writer;
    private readonly ConcurrentDictionary<string, Logger> loggers = new(StringComparer.Ordinal);

    public CompactJsonLoggerProvider()
        : this(Console.OpenStandardOutput())
    {
    }

    public CompactJsonLoggerProvider(Stream output)
    {
        this.output = output;
        writer = new Thread(WriteLines) { IsBackground = true, Name = "compact-json-log" };
        writer.Start();
        // A process that ends without disposing the host (Environment.Exit, SIGKILL aside) still writes what is queued.
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();

    public ILogger CreateLogger(string categoryName) => loggers.GetOrAdd(categoryName, name => new Logger(name, this));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        stopping.Cancel();
        writer.Join(TimeSpan.FromSeconds(5));
        stopping.Dispose();
    }

    private void Enqueue<TState>(LogLevel level, string category, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var buffer = lineBuffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var json = lineWriter ??= new Utf8JsonWriter(buffer, CompactJsonFormatter.WriterOptions);
        json.Reset(buffer);
        CompactJsonFormatter.WriteEntry(json, level, category, eventId, state, exception, formatter);
        json.Flush();
        buffer.Write("\n"u8);
        var line = buffer.WrittenSpan.ToArray();
        // Back-pressure, not loss: a producer far ahead of the writer waits for it.
        while (Volatile.Read(ref queued) >= Capacity && !stopping.IsCancellationRequested)
        {
            Thread.Sleep(1);
        }

        Interlocked.Increment(ref queued);
        queue.Enqueue(line);
    }

    private void WriteLines()
    {
        var batch = new ArrayBufferWriter<byte>(BatchBytes);
        try
        {
            while (true)
            {
                var last = stopping.IsCancellationRequested;
                while (!queue.IsEmpty)
                {
                    batch.ResetWrittenCount();
                    while (batch.WrittenCount < BatchBytes && queue.TryDequeue(out var line))
                    {
                        Interlocked.Decrement(ref queued);
                        batch.Write(line);
                    }

                    output.Write(batch.WrittenSpan);
                }

                output.Flush();
                if (last)
                {
                    return;
                }

                stopping.Token.WaitHandle.WaitOne(WriteIntervalMilliseconds);
            }
        }
        catch (IOException)
        {
            // stdout closed: nothing left to write to.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private sealed class Logger(string category, CompactJsonLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        // Levels are filtered by the logger factory (Logging:LogLevel); this sink takes what passes.
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel != LogLevel.None)
            {
                provider.Enqueue(logLevel, category, eventId, state, exception, formatter);
            }
        }
    }
}
