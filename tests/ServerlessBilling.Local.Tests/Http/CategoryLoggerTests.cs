using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBilling.Api.Http;

namespace ServerlessBilling.Local.Tests.Http;

/// <summary>A handler's logger is made once per logger factory, not once per request.</summary>
public sealed class CategoryLoggerTests
{
    [Fact]
    public void The_same_factory_makes_the_logger_once()
    {
        var log = new CategoryLogger("ServerlessBilling.Test");
        var factory = new CountingFactory();

        var first = log.For(factory);
        var second = log.For(factory);

        Assert.Same(first, second);
        Assert.Equal(["ServerlessBilling.Test"], factory.Created);
    }

    [Fact]
    public void Another_factory_gets_a_logger_of_its_own()
    {
        var log = new CategoryLogger("ServerlessBilling.Test");
        var one = new CountingFactory();
        var two = new CountingFactory();

        var fromOne = log.For(one);
        var fromTwo = log.For(two);

        Assert.NotSame(fromOne, fromTwo);
        Assert.Single(one.Created);
        Assert.Single(two.Created);
    }

    private sealed class CountingFactory : ILoggerFactory
    {
        public List<string> Created { get; } = [];

        public ILogger CreateLogger(string categoryName)
        {
            Created.Add(categoryName);
            return new NamedLogger(categoryName);
        }

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }

    private sealed class NamedLogger(string category) : ILogger
    {
        public string Category { get; } = category;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => NullLogger.Instance.Log(logLevel, eventId, state, exception, formatter);
    }
}
