using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MetaRec.Functions.Tests;

/// <summary>The app's log lines, through the real logging pipeline (an <see cref="ILoggerProvider"/> the app's factory also writes to).</summary>
public sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> _lines = new();

    public IReadOnlyList<LogLine> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>The first line containing <paramref name="text"/> (30 s at most).</summary>
    public Task<LogLine> WaitForAsync(string text) =>
        EndToEndTests.EventuallyAsync(() => Task.FromResult(_lines.FirstOrDefault(l => l.Message.Contains(text, StringComparison.Ordinal))));

    public void Dispose()
    {
    }

    private sealed class Logger(LogRecorder recorder, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            recorder._lines.Enqueue(new LogLine(logLevel, category, formatter(state, exception), exception));
    }
}

public sealed record LogLine(LogLevel Level, string Category, string Message, Exception? Error);
