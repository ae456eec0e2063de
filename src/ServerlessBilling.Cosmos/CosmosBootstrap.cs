using Microsoft.Azure.Cosmos;

namespace ServerlessBilling.Cosmos;

/// <summary>Creates the database and containers when asked to (emulators, development); in Azure, Bicep does.</summary>
public static class CosmosBootstrap
{
    public static async Task<Database> EnsureAsync(CosmosClient client, CosmosOptions options, CancellationToken cancellationToken)
    {
        Database database = await client.CreateDatabaseIfNotExistsAsync(options.Database, cancellationToken: cancellationToken);
        await database.CreateContainerIfNotExistsAsync(new ContainerProperties(options.AccountsContainer, "/accountId"), cancellationToken: cancellationToken);
        await database.CreateContainerIfNotExistsAsync(
            new ContainerProperties(options.SessionsContainer, "/id") { DefaultTimeToLive = options.SessionTimeToLiveSeconds },
            cancellationToken: cancellationToken);
        await database.CreateContainerIfNotExistsAsync(new ContainerProperties(options.RateDecksContainer, "/deckId"), cancellationToken: cancellationToken);
        await database.CreateContainerIfNotExistsAsync(new ContainerProperties(options.UsageContainer, "/accountId"), cancellationToken: cancellationToken);
        await database.CreateContainerIfNotExistsAsync(new ContainerProperties(options.QuarantineContainer, "/accountId"), cancellationToken: cancellationToken);
        await database.CreateContainerIfNotExistsAsync(new ContainerProperties(options.TopUpsContainer, "/accountId"), cancellationToken: cancellationToken);
        await database.CreateContainerIfNotExistsAsync(new ContainerProperties(options.AlertsContainer, "/accountId"), cancellationToken: cancellationToken);
        await database.CreateContainerIfNotExistsAsync(new ContainerProperties(options.MonitorsContainer, "/accountId"), cancellationToken: cancellationToken);
        await database.CreateContainerIfNotExistsAsync(new ContainerProperties(options.LeasesContainer, "/id"), cancellationToken: cancellationToken);
        await database.CreateContainerIfNotExistsAsync(new ContainerProperties(options.InvoicesContainer, "/accountId"), cancellationToken: cancellationToken);
        await database.CreateContainerIfNotExistsAsync(new ContainerProperties(options.CountersContainer, "/id"), cancellationToken: cancellationToken);
        return database;
    }
}
