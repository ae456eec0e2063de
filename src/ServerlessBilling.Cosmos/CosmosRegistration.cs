using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos;

public static class CosmosRegistration
{
    /// <summary>The store ports on Cosmos DB, from configuration section "Cosmos".</summary>
    public static IServiceCollection AddCosmosStores(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(CosmosOptions.Section).Get<CosmosOptions>() ?? new CosmosOptions();
        var errors = options.Validate().ToList();
        var creditControl = configuration.GetSection(CreditControlOptions.Section).Get<CreditControlOptions>() ?? new CreditControlOptions();
        if (CosmosOptions.SessionsFit(creditControl) is { } tooBig)
        {
            errors.Add(tooBig);
        }

        if (options.HistoryTooShortFor(creditControl) is { } tooShort)
        {
            errors.Add(tooShort);
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Cosmos settings are invalid: " + string.Join("; ", errors));
        }

        services.AddSingleton(options);
        services.AddSingleton(_ => CosmosClientFactory.Create(options));
        services.AddSingleton(sp =>
        {
            var client = sp.GetRequiredService<CosmosClient>();
            return options.CreateIfNotExists
                ? CosmosBootstrap.EnsureAsync(client, options, CancellationToken.None).GetAwaiter().GetResult()
                : client.GetDatabase(options.Database);
        });
        services.AddSingleton(sp => new CosmosAccountStore(sp.GetRequiredService<Database>().GetContainer(options.AccountsContainer)));
        services.AddSingleton<IAccountStore>(sp => sp.GetRequiredService<CosmosAccountStore>());
        services.AddSingleton<IAccountDirectory>(sp => sp.GetRequiredService<CosmosAccountStore>());
        services.AddSingleton<ISessionIndex>(sp => new CosmosSessionIndex(sp.GetRequiredService<Database>().GetContainer(options.SessionsContainer), sp.GetRequiredService<TimeProvider>(), options.SessionTimeToLiveSeconds));
        services.AddSingleton<IRateDeckStore>(sp => new CosmosRateDeckStore(sp.GetRequiredService<Database>().GetContainer(options.RateDecksContainer)));
        services.AddSingleton<IUsageStore>(sp => new CosmosUsageStore(sp.GetRequiredService<Database>().GetContainer(options.UsageContainer)));
        services.AddSingleton<IQuarantineStore>(sp => new CosmosQuarantineStore(sp.GetRequiredService<Database>().GetContainer(options.QuarantineContainer)));
        services.AddSingleton<ITopUpStore>(sp => new CosmosTopUpStore(sp.GetRequiredService<Database>().GetContainer(options.TopUpsContainer)));
        services.AddSingleton<IAlertStore>(sp => new CosmosAlertStore(sp.GetRequiredService<Database>().GetContainer(options.AlertsContainer)));
        services.AddSingleton<IMonitorStore>(sp => new CosmosMonitorStore(sp.GetRequiredService<Database>().GetContainer(options.MonitorsContainer)));
        services.AddSingleton(sp => new CosmosMonitoringFeed(sp.GetRequiredService<Database>(), options));
        services.AddSingleton<IInvoiceStore>(sp => new CosmosInvoiceStore(sp.GetRequiredService<Database>().GetContainer(options.InvoicesContainer)));
        services.AddSingleton<IInvoiceCounterStore>(sp => new CosmosInvoiceCounterStore(sp.GetRequiredService<Database>().GetContainer(options.CountersContainer)));
        return services;
    }
}
