using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

public static class SqliteRegistration
{
    /// <summary>
    /// The store ports on one SQLite file, from configuration section "Sqlite"; <paramref name="dataDirectory"/>,
    /// when given, is the folder of the file (the local host passes its Local:DataDirectory). The settings are
    /// validated here, and the file is opened (and migrated) when the first store is resolved.
    /// </summary>
    public static IServiceCollection AddSqliteStores(this IServiceCollection services, IConfiguration configuration, string? dataDirectory = null)
    {
        var options = configuration.GetSection(SqliteOptions.Section).Get<SqliteOptions>() ?? new SqliteOptions();
        if (!string.IsNullOrWhiteSpace(dataDirectory))
        {
            options.DataDirectory = dataDirectory;
        }

        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("SQLite settings are invalid: " + string.Join("; ", errors));
        }

        services.AddSingleton(options);
        services.AddSingleton(sp => SqliteDatabase.Open(options, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SqliteAccountStore>();
        services.AddSingleton<IAccountStore>(sp => sp.GetRequiredService<SqliteAccountStore>());
        services.AddSingleton<IAccountDirectory>(sp => sp.GetRequiredService<SqliteAccountStore>());
        services.AddSingleton<ISessionIndex, SqliteSessionIndex>();
        services.AddSingleton<IRateDeckStore, SqliteRateDeckStore>();
        services.AddSingleton<IUsageStore, SqliteUsageStore>();
        services.AddSingleton<IQuarantineStore, SqliteQuarantineStore>();
        services.AddSingleton<ITopUpStore, SqliteTopUpStore>();
        services.AddSingleton<IAlertStore, SqliteAlertStore>();
        services.AddSingleton<IMonitorStore, SqliteMonitorStore>();
        services.AddSingleton<IInvoiceStore, SqliteInvoiceStore>();
        services.AddSingleton<IInvoiceCounterStore, SqliteInvoiceCounterStore>();
        services.AddEmbeddedChangeStream(); // SQLite has no change feed: monitoring hears of account writes in process
        return services;
    }
}
