using Microsoft.Azure.Cosmos;
using ServerlessBilling.Cosmos;

namespace ServerlessBilling.LoadBench.Infrastructure;

/// <summary>
/// The local Cosmos-compatible emulator (infra/cosmos/start.sh): its endpoint, refused unless on 127.0.0.1, and a
/// fresh database per run, deleted at the end.
/// </summary>
internal static class CosmosEmulator
{
    /// <summary>The emulator's published development key, not a secret.</summary>
    private const string WellKnownKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    /// <summary>--endpoint, else $COSMOS_ENDPOINT; null when neither is set.</summary>
    public static Uri? Endpoint(string? option)
    {
        var text = option ?? Environment.GetEnvironmentVariable("COSMOS_ENDPOINT");
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var endpoint) && endpoint.Host == "127.0.0.1"
            ? endpoint
            : throw new ArgumentException($"--endpoint must be a 127.0.0.1 URL (this bench never sends traffic elsewhere), not '{text}'");
    }

    /// <summary>Options for a new database <c>{prefix}-{guid}</c>; the key is --key, else $COSMOS_KEY, else the emulator's.</summary>
    public static CosmosOptions Options(Uri endpoint, string? key, string databasePrefix) => new()
    {
        Endpoint = endpoint.ToString(),
        Key = key ?? (Environment.GetEnvironmentVariable("COSMOS_KEY") is { Length: > 0 } k ? k : WellKnownKey),
        Database = $"{databasePrefix}-{Guid.NewGuid():N}",
        AcceptLoopbackCertificate = true,
        CreateIfNotExists = true,
    };

    /// <summary>Creates the database and its containers, runs <paramref name="body"/> on it, and deletes the database whatever happens.</summary>
    public static async Task WithDatabaseAsync(CosmosOptions options, Func<Database, Task> body, CancellationToken cancellationToken)
    {
        using var client = CosmosClientFactory.Create(options);
        Database? database = null;
        try
        {
            database = await CosmosBootstrap.EnsureAsync(client, options, cancellationToken);
            await body(database);
        }
        finally
        {
            if (database is not null)
            {
                await database.DeleteAsync(cancellationToken: CancellationToken.None);
                Console.WriteLine($"\n  deleted database {options.Database}");
            }
        }
    }

    /// <summary>The stored size of a document in bytes, or -1 when it cannot be read.</summary>
    public static async Task<long> DocumentBytesAsync(Container container, string id, CancellationToken cancellationToken)
    {
        using var response = await container.ReadItemStreamAsync(id, new PartitionKey(id), cancellationToken: cancellationToken);
        if (!response.IsSuccessStatusCode || response.Content is null)
        {
            return -1;
        }

        using var buffer = new MemoryStream();
        await response.Content.CopyToAsync(buffer, cancellationToken);
        return buffer.Length;
    }
}
