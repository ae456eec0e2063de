using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core;

/// <summary>Registers the core use cases, whatever the host. The host chooses the store: the embedded one, or an adapter's.</summary>
public static class CoreRegistration
{
    public static IServiceCollection AddServerlessBillingCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddValidatedOptions<CreditControlOptions>(configuration);
        services.AddValidatedOptions<AccountWriteOptions>(configuration);
        services.AddValidatedOptions<InvoiceRunOptions>(configuration);
        services.AddSingleton<AccountUpdater>();
        services.AddSingleton(sp => new RateDeckCache(sp.GetRequiredService<IRateDeckStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CreditControlService>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<IngestionService>();
        services.AddSingleton<MonitoringService>();
        services.TryAddSingleton<IAlertSink, NoAlertSink>();
        services.AddSingleton<InvoiceRunService>();
        services.AddSingleton<InvoiceReader>();
        return services;
    }
}
