using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Monitoring;

namespace ServerlessBilling.Core.Storage.InMemory;

public static class InMemoryRegistration
{
    /// <summary>
    /// The embedded, in-process stores (Store=memory): for tests and demos; nothing survives the process, and what
    /// they keep is bounded by the "Memory" settings (their defaults without a configuration).
    /// </summary>
    public static IServiceCollection AddEmbeddedStores(this IServiceCollection services, IConfiguration? configuration = null)
    {
        services.AddValidatedOptions<MemoryStoreOptions>(configuration ?? new ConfigurationBuilder().Build());
        services.AddSingleton<IValidateOptions<MemoryStoreOptions>>(sp => new HistoryOutlivesSessions(sp));
        services.AddSingleton(sp => new InMemoryAccountStore(MemoryOptionsOf(sp)));
        services.AddSingleton<IAccountStore>(sp => sp.GetRequiredService<InMemoryAccountStore>());
        services.AddSingleton<ISessionIndex>(sp => new InMemorySessionIndex(MemoryOptionsOf(sp), sp.GetRequiredService<TimeProvider>(), LoggerOf(sp)));
        services.AddSingleton<IRateDeckStore, InMemoryRateDeckStore>();
        services.AddSingleton<IUsageStore>(sp => new InMemoryUsageStore(MemoryOptionsOf(sp), LoggerOf(sp)));
        services.AddSingleton<ITopUpStore, InMemoryTopUpStore>();
        services.AddSingleton<IQuarantineStore>(sp => new InMemoryQuarantineStore(MemoryOptionsOf(sp), LoggerOf(sp)));
        services.AddSingleton<IAlertStore, InMemoryAlertStore>();
        services.AddSingleton<IMonitorStore>(sp => new InMemoryMonitorStore(MemoryOptionsOf(sp)));
        services.AddEmbeddedChangeStream();
        services.AddSingleton<IAccountDirectory>(sp => sp.GetRequiredService<InMemoryAccountStore>());
        services.AddSingleton<IInvoiceStore, InMemoryInvoiceStore>();
        services.AddSingleton<IInvoiceCounterStore, InMemoryInvoiceCounterStore>();
        services.TryAddSingleton<IDocumentSink, InMemoryDocumentSink>();
        return services;
    }

    private static ILogger? LoggerOf(IServiceProvider services) => services.GetService<ILoggerFactory>()?.CreateLogger("ServerlessBilling.Storage.Memory");

    /// <summary>Checks the memory store's session history against the credit-control settings, at start with the others.</summary>
    private sealed class HistoryOutlivesSessions(IServiceProvider services) : IValidateOptions<MemoryStoreOptions>
    {
        public ValidateOptionsResult Validate(string? name, MemoryStoreOptions options) =>
            options.HistoryTooShortFor(services.GetService<CreditControlOptions>() ?? new CreditControlOptions()) is { } error
                ? ValidateOptionsResult.Fail(error)
                : ValidateOptionsResult.Success;
    }

    private static MemoryStoreOptions MemoryOptionsOf(IServiceProvider services) => services.GetRequiredService<IOptions<MemoryStoreOptions>>().Value;
}
