using Microsoft.Azure.Cosmos;

namespace ServerlessBilling.Cosmos;

/// <summary>
/// The newest documents by a millisecond timestamp property, for listings that must order ties by id. TOP cuts
/// among documents of the same millisecond in no set order, so every document of the last millisecond returned is
/// fetched too; the caller sorts (time, then id) and applies the limit.
/// </summary>
internal static class CosmosNewestFirst
{
    public static async Task<List<T>> QueryAsync<T>(
        string store, Container container, string msProperty, Func<T, long> ms, string? partition, int limit, string operation, CancellationToken cancellationToken)
    {
        var options = partition is null ? null : new QueryRequestOptions { PartitionKey = new PartitionKey(partition) };
        var newest = await ReadAsync<T>(store, container, new QueryDefinition($"SELECT TOP @limit * FROM c ORDER BY c.{msProperty} DESC").WithParameter("@limit", limit), options, limit, operation, cancellationToken);
        if (newest.Count < limit)
        {
            return newest;
        }

        var boundary = newest.Min(ms);
        var tied = await ReadAsync<T>(store, container, new QueryDefinition($"SELECT * FROM c WHERE c.{msProperty} = @boundary").WithParameter("@boundary", boundary), options, int.MaxValue, operation, cancellationToken);
        return [.. newest.Where(d => ms(d) != boundary), .. tied];
    }

    private static async Task<List<T>> ReadAsync<T>(string store, Container container, QueryDefinition query, QueryRequestOptions? options, int limit, string operation, CancellationToken cancellationToken)
    {
        var documents = new List<T>();
        using var feed = container.GetItemQueryIterator<T>(query, requestOptions: options);
        while (feed.HasMoreResults && documents.Count < limit)
        {
            documents.AddRange(await CosmosFaults.RunAsync(store, operation, () => feed.ReadNextAsync(cancellationToken), cancellationToken));
        }

        return documents;
    }
}
