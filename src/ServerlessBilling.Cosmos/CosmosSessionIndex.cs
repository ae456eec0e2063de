using System.Collections.Concurrent;
using System.Net;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos;

/// <summary>
/// Session id → account id, in a container partitioned by /id. The mapping never changes once written, so it
/// is cached in process (bounded): interim and terminate then cost one account read and one write.
/// </summary>
public sealed class CosmosSessionIndex(Container container, TimeProvider clock) : ISessionIndex
{
    private const int CacheCapacity = 100_000;
    private readonly ConcurrentDictionary<string, string> _known = new(StringComparer.Ordinal);

    public async Task<string> GetOrAddAsync(string sessionId, string accountId, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(sessionId, out var known))
        {
            return known;
        }

        var owner = await CosmosFaults.RunAsync("record session", async () =>
        {
            try
            {
                await container.CreateItemAsync(
                    new SessionDocument(sessionId, accountId, clock.GetUtcNow()),
                    new PartitionKey(sessionId),
                    new ItemRequestOptions { EnableContentResponseOnWrite = false },
                    cancellationToken);
                return accountId;
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
            {
                var existing = await container.ReadItemAsync<SessionDocument>(sessionId, new PartitionKey(sessionId), cancellationToken: cancellationToken);
                return existing.Resource.AccountId;
            }
        }, cancellationToken);
        Remember(sessionId, owner);
        return owner;
    }

    public async Task<string?> FindAccountAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(sessionId, out var known))
        {
            return known;
        }

        var owner = await CosmosFaults.RunAsync("find session", async () =>
        {
            try
            {
                var response = await container.ReadItemAsync<SessionDocument>(sessionId, new PartitionKey(sessionId), cancellationToken: cancellationToken);
                return response.Resource.AccountId;
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);
        if (owner is not null)
        {
            Remember(sessionId, owner);
        }

        return owner;
    }

    private void Remember(string sessionId, string accountId)
    {
        if (_known.Count >= CacheCapacity)
        {
            _known.Clear();
        }

        _known[sessionId] = accountId;
    }
}
