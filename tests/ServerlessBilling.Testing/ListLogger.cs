using Microsoft.Extensions.Logging;

namespace ServerlessBilling.Testing;

/// <summary>A logger that keeps each line it is given at <paramref name="minimum"/> or above, for assertions.</summary>
public sealed class ListLogger(LogLevel minimum) : ILogger
{
    public List<(LogLevel Level, string Message)> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel))
        {
            Lines.Add((logLevel, formatter(state, exception)));
        }
    }
}
