using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos;

/// <summary>Account documents in Cosmos DB, partition key /accountId; writes are conditional on the ETag (If-Match).</summary>
public sealed class CosmosAccountStore(Container container) : IAccountStore, IAccountDirectory
{
    /// <summary>How a 503 names this store when it fails.</summary>
    private const string Store = "account store";

    public async Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) =>
        await CosmosItems.TryReadAsync<AccountDocument>(Store, container, accountId, accountId, "read account", cancellationToken) is { } response
            ? new Versioned<AccountState>(response.Resource.State, response.ETag)
            : null;

    public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken) =>
        CosmosFaults.RunAsync(Store, "create account", async () =>
        {
            try
            {
                var response = await container.CreateItemAsync(AccountDocument.From(account), new PartitionKey(account.AccountId), NoContent, cancellationToken);
                return response.ETag;
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
            {
                return null;
            }
        }, cancellationToken);

    public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken) =>
        CosmosFaults.RunAsync(Store, "replace account", async () =>
        {
            try
            {
                var options = new ItemRequestOptions { IfMatchEtag = ifMatch, EnableContentResponseOnWrite = false };
                var response = await container.ReplaceItemAsync(AccountDocument.From(account), account.AccountId, new PartitionKey(account.AccountId), options, cancellationToken);
                return response.ETag;
            }
            catch (CosmosException ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed || CosmosFaults.IsMissingItem(ex))
            {
                return null;
            }
        }, cancellationToken);

    public async IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT VALUE c.accountId FROM c WHERE c.nextExpiryMs <= @now")
            .WithParameter("@now", instant.ToUnixTimeMilliseconds());
        using var feed = container.GetItemQueryIterator<string>(query);
        while (feed.HasMoreResults)
        {
            var page = await CosmosFaults.RunAsync(Store, "query expiring accounts", () => feed.ReadNextAsync(cancellationToken), cancellationToken);
            foreach (var id in page)
            {
                yield return id;
            }
        }
    }

    public async IAsyncEnumerable<string> ListAccountIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var feed = container.GetItemQueryIterator<string>(new QueryDefinition("SELECT VALUE c.accountId FROM c"));
        while (feed.HasMoreResults)
        {
            foreach (var id in await CosmosFaults.RunAsync(Store, "list accounts", () => feed.ReadNextAsync(cancellationToken), cancellationToken))
            {
                yield return id;
            }
        }
    }

    public async Task<IReadOnlyList<AccountState>> ListPageAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);

        // A key range on id (= the account id), not the SDK's continuation token: the page query is the same on every
        // store, and id is indexed whatever the container's policy (this one indexes only nextExpiryMs). Every id is
        // non-empty, so "" starts at the first.
        var query = new QueryDefinition("SELECT TOP @limit * FROM c WHERE c.id > @after ORDER BY c.id")
            .WithParameter("@limit", limit).WithParameter("@after", after ?? "");
        var page = new List<AccountState>(Math.Min(limit, 1000));
        using var feed = container.GetItemQueryIterator<AccountDocument>(query, requestOptions: new QueryRequestOptions { MaxItemCount = limit });
        while (feed.HasMoreResults && page.Count < limit)
        {
            var response = await CosmosFaults.RunAsync(Store, "list accounts", () => feed.ReadNextAsync(cancellationToken), cancellationToken);
            page.AddRange(response.Select(d => d.State).Take(limit - page.Count));
        }

        return page;
    }

    private static readonly ItemRequestOptions NoContent = new() { EnableContentResponseOnWrite = false };
}
