using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBilling.Testing;

/// <summary>
/// Every store of a host behind one switch that freezes them all, as one database behind a network partition does:
/// while frozen, each call of a store interface (<c>ServerlessBilling.Core.Storage.I*Store</c>, the account directory
/// and the session index) that returns a task or an async stream waits until the thaw, ignoring cancellation.
/// </summary>
public sealed class FreezingStores
{
    private volatile TaskCompletionSource? _thaw;
    private volatile TaskCompletionSource _stalled = NewSource();

    /// <summary>Completes when a store call is first held after <see cref="Freeze"/>.</summary>
    public Task Stalled => _stalled.Task;

    /// <summary>Wraps every store registered so far in <paramref name="services"/>.</summary>
    public void Wrap(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        for (var i = 0; i < services.Count; i++)
        {
            var d = services[i];
            if (!d.IsKeyedService && IsStore(d.ServiceType))
            {
                services[i] = new ServiceDescriptor(d.ServiceType, sp => FreezingStoreProxy.Create(d.ServiceType, Resolve(d, sp), this), d.Lifetime);
            }
        }
    }

    /// <summary>One store of interface <typeparamref name="T"/> behind the switch (the others of a test stay as they are).</summary>
    public T Wrap<T>(T store)
        where T : class => (T)FreezingStoreProxy.Create(typeof(T), store, this);

    public void Freeze()
    {
        _stalled = NewSource();
        _thaw = NewSource();
    }

    public void Thaw() => Interlocked.Exchange(ref _thaw, null)?.TrySetResult();

    /// <summary>What a store call waits for before it runs: null while thawed.</summary>
    internal Task? Hold()
    {
        if (_thaw?.Task is not { } held)
        {
            return null;
        }

        _stalled.TrySetResult();
        return held;
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static bool IsStore(Type type) =>
        type.IsInterface && type.Namespace == "ServerlessBilling.Core.Storage"
        && (type.Name.EndsWith("Store", StringComparison.Ordinal) || type.Name is "IAccountDirectory" or "ISessionIndex");

    private static object Resolve(ServiceDescriptor d, IServiceProvider sp) =>
        d.ImplementationInstance ?? d.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType!);
}

/// <summary>The proxy of one store (public and not sealed: <see cref="DispatchProxy"/> derives from it).</summary>
public class FreezingStoreProxy : DispatchProxy
{
    private static readonly MethodInfo HoldTaskOf = typeof(FreezingStoreProxy).GetMethod(nameof(HoldTaskAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo HoldValueTaskOf = typeof(FreezingStoreProxy).GetMethod(nameof(HoldValueTaskAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo HoldStreamOf = typeof(FreezingStoreProxy).GetMethod(nameof(HoldStream), BindingFlags.NonPublic | BindingFlags.Static)!;

    private object _inner = null!;
    private FreezingStores _stores = null!;

    internal static object Create(Type storeType, object inner, FreezingStores stores)
    {
        var proxy = (FreezingStoreProxy)DispatchProxy.Create(storeType, typeof(FreezingStoreProxy));
        proxy._inner = inner;
        proxy._stores = stores;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var type = targetMethod.ReturnType;
        if (_stores.Hold() is not { } held)
        {
            return Call(targetMethod, args);
        }

        Func<object?> call = () => Call(targetMethod, args);
        if (type == typeof(Task))
        {
            return HoldAsync(held, call);
        }

        if (type == typeof(ValueTask))
        {
            return new ValueTask(HoldAsync(held, call));
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var hold = definition == typeof(Task<>) ? HoldTaskOf
                : definition == typeof(ValueTask<>) ? HoldValueTaskOf
                : definition == typeof(IAsyncEnumerable<>) ? HoldStreamOf
                : null;
            if (hold is not null)
            {
                return hold.MakeGenericMethod(type.GetGenericArguments()[0]).Invoke(null, [held, call]);
            }
        }

        return call();
    }

    private object? Call(MethodInfo method, object?[]? args)
    {
        try
        {
            return method.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    private static async Task HoldAsync(Task held, Func<object?> call)
    {
        await held;
        switch (call())
        {
            case Task task:
                await task;
                break;
            case ValueTask valueTask:
                await valueTask;
                break;
        }
    }

    private static async Task<T> HoldTaskAsync<T>(Task held, Func<object?> call)
    {
        await held;
        return await (Task<T>)call()!;
    }

    private static ValueTask<T> HoldValueTaskAsync<T>(Task held, Func<object?> call) =>
        new(HoldAndAwaitAsync<T>(held, call));

    private static async Task<T> HoldAndAwaitAsync<T>(Task held, Func<object?> call)
    {
        await held;
        return await (ValueTask<T>)call()!;
    }

    private static async IAsyncEnumerable<T> HoldStream<T>(Task held, Func<object?> call)
    {
        await held;
        await foreach (var item in (IAsyncEnumerable<T>)call()!)
        {
            yield return item;
        }
    }
}
