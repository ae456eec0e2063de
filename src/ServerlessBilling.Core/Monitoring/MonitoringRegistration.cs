using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Monitoring;

public static class MonitoringRegistration
{
    /// <summary>
    /// For stores without a change feed of their own (memory, SQLite): every account write is told to an in-process
    /// <see cref="AccountChangeStream"/>, which the host's monitoring worker reads. Call after the store is registered.
    /// </summary>
    public static IServiceCollection AddEmbeddedChangeStream(this IServiceCollection services)
    {
        var store = services.LastOrDefault(d => d.ServiceType == typeof(IAccountStore))
            ?? throw new InvalidOperationException("register the account store before its change stream");
        services.AddSingleton<AccountChangeStream>();
        services.Replace(ServiceDescriptor.Singleton<IAccountStore>(sp =>
            new ObservedAccountStore(Resolve(sp, store), sp.GetRequiredService<AccountChangeStream>())));
        return services;
    }

    private static IAccountStore Resolve(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IAccountStore)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.GetServiceOrCreateInstance(services, descriptor.ImplementationType!));
}

/// <summary>The sink when nothing beyond the store and the log is configured.</summary>
public sealed class NoAlertSink : IAlertSink
{
    public Task PublishAsync(Alert alert, CancellationToken cancellationToken) => Task.CompletedTask;
}
