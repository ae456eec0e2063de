using System.Collections.Concurrent;
using System.Net;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos;

/// <summary>
/// Session id → account id, in a container partitioned by /id (the session's document id, <see cref="CosmosSessionIds"/>). The mapping never changes once written, so it
/// is cached in process (bounded): interim and terminate then cost one account read and one write.
/// The container forgets a document <paramref name="timeToLiveSeconds"/> after it was last written, so an open call's
/// claim is written again when its interim or terminate finds it older than half that: one more write per half time to
/// live of a long call, none for a short one.
/// </summary>
public sealed class CosmosSessionIndex(Container container, TimeProvider clock, int timeToLiveSeconds = CosmosSessionIndex.DefaultTimeToLiveSeconds) : ISessionIndex
{
    /// <summary>The container's time to live unless configured (<see cref="CosmosOptions.SessionTimeToLiveSeconds"/>).</summary>
    public const int DefaultTimeToLiveSeconds = 7 * 24 * 3600;

    /// <summary>How a 503 names this store when it fails.</summary>
    private const string Store = "session index";

    private const int CacheCapacity = 100_000;
    private static readonly ItemRequestOptions NoContent = new() { EnableContentResponseOnWrite = false };
    private readonly ConcurrentDictionary<string, Known> _known = new(StringComparer.Ordinal);

    /// <summary>An open claim older than this is written again when found; none when documents do not expire.</summary>
    private readonly TimeSpan _keepAliveAfter = timeToLiveSeconds > 0 ? TimeSpan.FromSeconds(timeToLiveSeconds / 2.0) : TimeSpan.MaxValue;

    public async Task<SessionClaim> ClaimAsync(string sessionId, string accountId, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(sessionId, out var known))
        {
            return new SessionClaim(known.AccountId, false);
        }

        var id = CosmosSessionIds.DocumentId(sessionId);
        for (var attempt = 1; ; attempt++)
        {
            var now = clock.GetUtcNow();
            if (await CosmosItems.TryCreateAsync(Store, container, new SessionDocument(id, accountId, now, WrittenAt: now), id, "record session", cancellationToken))
            {
                Remember(sessionId, new Known(accountId, now, Open: true));
                return new SessionClaim(accountId, true);
            }

            if ((await CosmosItems.TryReadAsync<SessionDocument>(Store, container, id, id, "read session", cancellationToken))?.Resource is { } existing)
            {
                Remember(sessionId, Known.Of(existing));
                return new SessionClaim(existing.AccountId, false);
            }

            // The claim met was let go in between (its account does not exist): the id is free again, and this claim is
            // stored, not answered as if it were (another account could then claim the id too).
            if (attempt >= ClaimAttempts)
            {
                throw new StoreUnavailableException($"record session: the claim of session '{sessionId}' kept being let go") { Store = Store };
            }
        }
    }

    /// <summary>How many times a claim is tried while the claim each try meets is let go before it can be read.</summary>
    private const int ClaimAttempts = 5;

    public async Task<string?> FindAccountAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(sessionId, out var known) && !Aging(known.Open, known.WrittenAt))
        {
            return known.AccountId;
        }

        var id = CosmosSessionIds.DocumentId(sessionId);
        for (var attempt = 0; ; attempt++)
        {
            if (await CosmosItems.TryReadAsync<SessionDocument>(Store, container, id, id, "find session", cancellationToken) is not { Resource: { } found } read)
            {
                _known.TryRemove(sessionId, out _);
                return null;
            }

            if (attempt < 2 && Aging(found.Closed is null, found.LastWritten))
            {
                // An open call past half its claim's time to live: written again (as read, so that a close or a
                // release meanwhile is not undone), to live another whole time to live.
                var now = clock.GetUtcNow();
                if (!await TryRewriteAsync(found with { WrittenAt = now }, read.ETag, cancellationToken))
                {
                    continue;
                }

                found = found with { WrittenAt = now };
            }

            Remember(sessionId, Known.Of(found));
            return found.AccountId;
        }
    }

    /// <summary>
    /// Deletes the claim only as read (If-Match): a claim replaced or taken meanwhile, or one that now holds a closed
    /// session, stays. Other processes may still remember the claim; whoever acts on it finds its account missing and
    /// lets it go again (<see cref="SessionClaims"/>), which drops it there.
    /// </summary>
    public async Task ReleaseAsync(string sessionId, string accountId, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(sessionId, out var known) && known.AccountId == accountId)
        {
            _known.TryRemove(new KeyValuePair<string, Known>(sessionId, known));
        }

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

    public async Task RecordClosedAsync(ClosedSession closed, CancellationToken cancellationToken)
    {
        var id = CosmosSessionIds.DocumentId(closed.SessionId);
        var now = clock.GetUtcNow();
        await CosmosFaults.RunAsync(Store, "record closed session", () => container.UpsertItemAsync(
            new SessionDocument(id, closed.AccountId, now, closed, now),
            new PartitionKey(id),
            NoContent,
            cancellationToken), cancellationToken);
        if (_known.TryGetValue(closed.SessionId, out var known))
        {
            _known.TryUpdate(closed.SessionId, new Known(closed.AccountId, now, Open: false), known);
        }
    }

    public async Task<ClosedSession?> FindClosedAsync(string sessionId, CancellationToken cancellationToken)
    {
        var id = CosmosSessionIds.DocumentId(sessionId);
        return (await CosmosItems.TryReadAsync<SessionDocument>(Store, container, id, id, "find closed session", cancellationToken))?.Resource.Closed;
    }

    /// <summary>Whether an open claim last written then is past half its time to live.</summary>
    private bool Aging(bool open, DateTimeOffset writtenAt) => open && clock.GetUtcNow() - writtenAt > _keepAliveAfter;

    /// <summary>Replaces the document if it is still as read; false when it was changed or removed meanwhile.</summary>
    private Task<bool> TryRewriteAsync(SessionDocument document, string etag, CancellationToken cancellationToken) =>
        CosmosFaults.RunAsync(Store, "keep session", async () =>
        {
            try
            {
                await container.ReplaceItemAsync(
                    document, document.Id, new PartitionKey(document.Id), new ItemRequestOptions { IfMatchEtag = etag, EnableContentResponseOnWrite = false }, cancellationToken);
                return true;
            }
            catch (CosmosException ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed || CosmosFaults.IsMissingItem(ex))
            {
                return false;
            }
        }, cancellationToken);

    private void Remember(string sessionId, Known known)
    {
        if (_known.Count >= CacheCapacity)
        {
            _known.Clear();
        }

        _known[sessionId] = known;
    }

    /// <summary>What this process knows of a claim: its account, and when its document was last written.</summary>
    private sealed record Known(string AccountId, DateTimeOffset WrittenAt, bool Open)
    {
        public static Known Of(SessionDocument document) => new(document.AccountId, document.LastWritten, document.Closed is null);
    }
}
