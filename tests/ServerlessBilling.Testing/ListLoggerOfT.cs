using Microsoft.Extensions.Logging;

namespace ServerlessBilling.Testing;

/// <summary>A <see cref="ListLogger"/> of a category, for a service that takes an <see cref="ILogger{TCategoryName}"/>.</summary>
public sealed class ListLogger<T>(LogLevel minimum) : ILogger<T>
{
    private readonly ListLogger _lines = new(minimum);

    public List<(LogLevel Level, string Message)> Lines => _lines.Lines;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _lines.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _lines.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Log(logLevel, eventId, state, exception, formatter);
}
