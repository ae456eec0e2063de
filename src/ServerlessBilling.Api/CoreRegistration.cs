using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Monitoring;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;

namespace ServerlessBilling.Api;

/// <summary>Registers the core use cases. The host chooses the store: the embedded one, or an adapter's.</summary>
public static class CoreRegistration
{
    public static IServiceCollection AddServerlessBillingCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<CreditControlOptions>()
            .Bind(configuration.GetSection(CreditControlOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<CreditControlOptions>>(new NamedValidation<CreditControlOptions>(o => o.Validate()));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<CreditControlOptions>>().Value);
        services.AddSingleton(sp => new RateDeckCache(sp.GetRequiredService<IRateDeckStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CreditControlService>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<IngestionService>();
        services.AddSingleton<MonitoringService>();
        services.TryAddSingleton<IAlertSink, NoAlertSink>();
        services.AddOptions<InvoiceRunOptions>()
            .Bind(configuration.GetSection(InvoiceRunOptions.Section))
            .Validate(o => o.Validate().Count == 0, "Invoicing settings are invalid")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<InvoiceRunOptions>>().Value);
        services.AddSingleton<InvoiceRunService>();
        services.AddSingleton<InvoiceReader>();
        return services;
    }

    /// <summary>The embedded, in-process stores, bounded by the "Memory" settings (defaults without a configuration).</summary>
    public static IServiceCollection AddEmbeddedStores(this IServiceCollection services, IConfiguration? configuration = null)
    {
        var memory = services.AddOptions<MemoryStoreOptions>();
        if (configuration is not null)
        {
            memory.Bind(configuration.GetSection(MemoryStoreOptions.Section));
        }

        memory.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MemoryStoreOptions>>(new NamedValidation<MemoryStoreOptions>(o => o.Validate())));
        services.AddSingleton<InMemoryAccountStore>();
        services.AddSingleton<IAccountStore>(sp => sp.GetRequiredService<InMemoryAccountStore>());
        services.AddSingleton<ISessionIndex>(sp => new InMemorySessionIndex(MemoryOptionsOf(sp), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRateDeckStore, InMemoryRateDeckStore>();
        services.AddSingleton<IUsageStore>(sp => new InMemoryUsageStore(MemoryOptionsOf(sp)));
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

    private static MemoryStoreOptions MemoryOptionsOf(IServiceProvider services) => services.GetRequiredService<IOptions<MemoryStoreOptions>>().Value;

    /// <summary>Names every invalid setting (e.g. "CreditControl:ValiditySeconds must be at least 1"), so that a failed start says which.</summary>
    private sealed class NamedValidation<T>(Func<T, IReadOnlyList<string>> validate) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            validate(options) is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
    }
}
