using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos;

internal sealed record TopUpDocument([property: JsonPropertyName("id")] string Id, string AccountId, TopUpRecord Record);

/// <summary>Top-up history, partition /accountId, id = top-up id (created, never replaced).</summary>
public sealed class CosmosTopUpStore(Container container) : ITopUpStore
{
    /// <summary>How a 503 names this store when it fails.</summary>
    private const string Store = "top-up store";

    public async Task<TopUpRecord?> FindAsync(string accountId, string topUpId, CancellationToken cancellationToken) =>
        (await CosmosItems.TryReadAsync<TopUpDocument>(Store, container, topUpId, accountId, "read top-up", cancellationToken))?.Resource.Record;

    public Task<bool> TryCreateAsync(TopUpRecord record, CancellationToken cancellationToken) =>
        CosmosItems.TryCreateAsync(Store, container, new TopUpDocument(record.TopUpId, record.AccountId, record), record.AccountId, "record top-up", cancellationToken);
}
