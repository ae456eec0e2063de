using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Cosmos;
using ServerlessBilling.Sqlite;

namespace ServerlessBilling.Local.Hosting;

/// <summary>
/// Which store the local host runs on, by name: <c>Store=memory|sqlite|cosmos</c>. Without a name it is cosmos when
/// Cosmos:Endpoint is set, otherwise sqlite, a file under Local:DataDirectory (./data by default).
/// </summary>
public static class StoreSelection
{
    public const string Key = "Store";

    /// <summary>The stores by name, each with the registration of all its ports. A new store is one line here.</summary>
    private static readonly Dictionary<string, Func<IServiceCollection, IConfiguration, IServiceCollection>> Stores = new(StringComparer.OrdinalIgnoreCase)
    {
        ["memory"] = (services, configuration) => services.AddEmbeddedStores(configuration),
        ["sqlite"] = (services, configuration) => services.AddSqliteStores(
            configuration, configuration[$"{LocalOptions.Section}:{nameof(LocalOptions.DataDirectory)}"] ?? LocalOptions.DefaultDataDirectory),
        ["cosmos"] = (services, configuration) => services.AddCosmosStores(configuration),
    };

    public static IReadOnlyCollection<string> Names => Stores.Keys;

    public static string Choose(IConfiguration configuration)
    {
        if (configuration[Key] is { Length: > 0 } named)
        {
            var name = named.Trim().ToLowerInvariant();
            return Stores.ContainsKey(name)
                ? name
                : throw new InvalidOperationException($"Store settings are invalid: Store must be one of {string.Join(", ", Names)}, not '{named}'"); // worded as the adapters word theirs, so that serve reports it as a setting (exit 3)
        }

        return string.IsNullOrWhiteSpace(configuration[$"{CosmosOptions.Section}:{nameof(CosmosOptions.Endpoint)}"]) ? "sqlite" : "cosmos";
    }

    public static IServiceCollection AddSelectedStores(this IServiceCollection services, IConfiguration configuration) =>
        Stores[Choose(configuration)](services, configuration);
}
