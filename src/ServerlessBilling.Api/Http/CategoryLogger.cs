using Microsoft.Extensions.Logging;

namespace ServerlessBilling.Api.Http;

/// <summary>
/// The logger of one category, made once per logger factory. <see cref="ILoggerFactory.CreateLogger"/> takes the
/// factory's lock on every call, which concurrent requests on the hot path would queue on; a handler asks this instead.
/// A process with several hosts (tests) has several factories: the cache follows the last one seen.
/// </summary>
public sealed class CategoryLogger(string category)
{
    private Made? _made;

    public string Category { get; } = category;

    public ILogger For(ILoggerFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var made = Volatile.Read(ref _made);
        if (made is null || !ReferenceEquals(made.Factory, factory))
        {
            made = new Made(factory, factory.CreateLogger(Category));
            Volatile.Write(ref _made, made);
        }

        return made.Logger;
    }

    private sealed record Made(ILoggerFactory Factory, ILogger Logger);
}
