using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerlessBilling.Core.Monitoring;

namespace ServerlessBilling.Core.Storage.InMemory;

public static class InMemoryRegistration
{
    /// <summary>The embedded, in-process stores (Store=memory): for tests and demos; nothing survives the process.</summary>
    public static IServiceCollection AddEmbeddedStores(this IServiceCollection services)
    {
        services.AddSingleton<InMemoryAccountStore>();
        services.AddSingleton<IAccountStore>(sp => sp.GetRequiredService<InMemoryAccountStore>());
        services.AddSingleton<ISessionIndex, InMemorySessionIndex>();
        services.AddSingleton<IRateDeckStore, InMemoryRateDeckStore>();
        services.AddSingleton<IUsageStore, InMemoryUsageStore>();
        services.AddSingleton<ITopUpStore, InMemoryTopUpStore>();
        services.AddSingleton<IQuarantineStore, InMemoryQuarantineStore>();
        services.AddSingleton<IAlertStore, InMemoryAlertStore>();
        services.AddSingleton<IMonitorStore, InMemoryMonitorStore>();
        services.AddEmbeddedChangeStream();
        services.AddSingleton<IAccountDirectory>(sp => sp.GetRequiredService<InMemoryAccountStore>());
        services.AddSingleton<IInvoiceStore, InMemoryInvoiceStore>();
        services.AddSingleton<IInvoiceCounterStore, InMemoryInvoiceCounterStore>();
        services.TryAddSingleton<IDocumentSink, InMemoryDocumentSink>();
        return services;
    }
}
