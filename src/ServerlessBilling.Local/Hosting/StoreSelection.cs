using ServerlessBilling.Api;
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

    public static readonly IReadOnlyList<string> Names = ["memory", "sqlite", "cosmos"];

    public static string Choose(IConfiguration configuration)
    {
        if (configuration[Key] is { Length: > 0 } named)
        {
            var name = named.Trim().ToLowerInvariant();
            return Names.Contains(name)
                ? name
                : throw new InvalidOperationException($"Store must be one of {string.Join(", ", Names)}, not '{named}'");
        }

        return string.IsNullOrWhiteSpace(configuration[$"{CosmosOptions.Section}:{nameof(CosmosOptions.Endpoint)}"]) ? "sqlite" : "cosmos";
    }

    public static IServiceCollection AddSelectedStores(this IServiceCollection services, IConfiguration configuration) =>
        Choose(configuration) switch
        {
            "memory" => services.AddEmbeddedStores(configuration),
            "cosmos" => services.AddCosmosStores(configuration),
            _ => services.AddSqliteStores(configuration, configuration[$"{LocalOptions.Section}:{nameof(LocalOptions.DataDirectory)}"] ?? LocalOptions.DefaultDataDirectory),
        };
}
