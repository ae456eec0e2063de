using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Monitoring;

namespace ServerlessBilling.Cosmos;

/// <summary>
/// The accounts container's change feed, read by the SDK's change feed processor (leases in their own container, so
/// several instances share the work), handed to spend monitoring in batches. A batch that throws is delivered again,
/// which the monitoring rules make harmless. In Azure the Functions app's Cosmos DB trigger calls the same handler.
/// </summary>
public sealed class CosmosMonitoringFeed(Database database, CosmosOptions options)
{
    public const string ProcessorName = "monitoring";

    /// <summary>
    /// Starts reading the feed where its leases left off; stop the returned processor to end. With no leases yet (the
    /// first start, or a new lease container) it reads the feed from the beginning: every account written before is
    /// judged once (monitoring skips revisions already judged), not left until its next write. The processor's name
    /// (<paramref name="processorName"/>) keys its leases.
    /// </summary>
    public async Task<ChangeFeedProcessor> StartAsync(MonitoringService monitoring, string instanceName, CancellationToken cancellationToken, string processorName = ProcessorName)
    {
        var processor = database.GetContainer(options.AccountsContainer)
            .GetChangeFeedProcessorBuilder<AccountDocument>(processorName, async (changes, ct) =>
                await monitoring.HandleAsync(changes.Select(d => d.State), ct))
            .WithInstanceName(instanceName)
            .WithStartTime(DateTime.MinValue.ToUniversalTime())
            .WithLeaseContainer(database.GetContainer(options.LeasesContainer))
            .WithPollInterval(TimeSpan.FromMilliseconds(options.MonitoringPollMilliseconds))
            .WithMaxItems(1000)
            .Build();
        await processor.StartAsync();
        cancellationToken.ThrowIfCancellationRequested();
        return processor;
    }
}

/// <summary>
/// A changed account document as the Functions app's Cosmos DB trigger hands it over; <see cref="ToAccount"/> reads
/// the state with the same JSON settings the store writes it with.
/// </summary>
public sealed record AccountFeedDocument(
    [property: System.Text.Json.Serialization.JsonPropertyName("id")] string Id,
    string AccountId,
    System.Text.Json.JsonElement State)
{
    public Core.Accounts.AccountState ToAccount() =>
        System.Text.Json.JsonSerializer.Deserialize<Core.Accounts.AccountState>(State, CosmosJson.Options)
        ?? throw new System.Text.Json.JsonException($"account document '{Id}' has no state");

    /// <summary>The document as the accounts container stores it (for tests and tools).</summary>
    public static string Serialize(Core.Accounts.AccountState account) =>
        System.Text.Json.JsonSerializer.Serialize(AccountDocument.From(account), CosmosJson.Options);
}
