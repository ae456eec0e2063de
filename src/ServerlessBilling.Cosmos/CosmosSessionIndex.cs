using System.Collections.Concurrent;
using System.Net;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos;

/// <summary>
/// Session id → account id, in a container partitioned by /id (the session's document id, <see cref="CosmosSessionIds"/>). The mapping never changes once written, so it
/// is cached in process (bounded): interim and terminate then cost one account read and one write.
/// </summary>
public sealed class CosmosSessionIndex(Container container, TimeProvider clock) : ISessionIndex
{
    /// <summary>How a 503 names this store when it fails.</summary>
    private const string Store = "session index";

    private const int CacheCapacity = 100_000;
    private readonly ConcurrentDictionary<string, string> _known = new(StringComparer.Ordinal);

    public async Task<SessionClaim> ClaimAsync(string sessionId, string accountId, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(sessionId, out var known))
        {
            return new SessionClaim(known, false);
        }

        var id = CosmosSessionIds.DocumentId(sessionId);
        var created = await CosmosItems.TryCreateAsync(Store, container, new SessionDocument(id, accountId, clock.GetUtcNow()), id, "record session", cancellationToken);
        var owner = created
            ? accountId
            : (await CosmosItems.TryReadAsync<SessionDocument>(Store, container, id, id, "read session", cancellationToken))?.Resource.AccountId ?? accountId;
        Remember(sessionId, owner);
        return new SessionClaim(owner, created);
    }

    public async Task<string?> FindAccountAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(sessionId, out var known))
        {
            return known;
        }

        var id = CosmosSessionIds.DocumentId(sessionId);
        var owner = (await CosmosItems.TryReadAsync<SessionDocument>(Store, container, id, id, "find session", cancellationToken))?.Resource.AccountId;
        if (owner is not null)
        {
            Remember(sessionId, owner);
        }

        return owner;
    }

    /// <summary>
    /// Deletes the claim only as read (If-Match): a claim replaced or taken meanwhile, or one that now holds a closed
    /// session, stays. Other processes may still remember the claim; whoever acts on it finds its account missing and
    /// lets it go again (<see cref="SessionClaims"/>), which drops it there.
    /// </summary>
    public async Task ReleaseAsync(string sessionId, string accountId, CancellationToken cancellationToken)
    {
        _known.TryRemove(new KeyValuePair<string, string>(sessionId, accountId));
        var id = CosmosSessionIds.DocumentId(sessionId);
        if (await CosmosItems.TryReadAsync<SessionDocument>(Store, container, id, id, "read session", cancellationToken) is not { Resource: { Closed: null } claim } read
            || claim.AccountId != accountId)
        {
            return;
        }

        await CosmosFaults.RunAsync(Store, "release session", async () =>
        {
            try
            {
                await container.DeleteItemAsync<SessionDocument>(id, new PartitionKey(id), new ItemRequestOptions { IfMatchEtag = read.ETag }, cancellationToken);
            }
            catch (CosmosException ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed || CosmosFaults.IsMissingItem(ex))
            {
                // Changed or gone meanwhile: no longer this bare claim.
            }

            return true;
        }, cancellationToken);
    }

    public Task RecordClosedAsync(ClosedSession closed, CancellationToken cancellationToken)
    {
        var id = CosmosSessionIds.DocumentId(closed.SessionId);
        return CosmosFaults.RunAsync(Store, "record closed session", () => container.UpsertItemAsync(
            new SessionDocument(id, closed.AccountId, clock.GetUtcNow(), closed),
            new PartitionKey(id),
            new ItemRequestOptions { EnableContentResponseOnWrite = false },
            cancellationToken), cancellationToken);
    }

    public async Task<ClosedSession?> FindClosedAsync(string sessionId, CancellationToken cancellationToken)
    {
        var id = CosmosSessionIds.DocumentId(sessionId);
        return (await CosmosItems.TryReadAsync<SessionDocument>(Store, container, id, id, "find closed session", cancellationToken))?.Resource.Closed;
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
