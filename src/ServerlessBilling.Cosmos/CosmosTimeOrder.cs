using Microsoft.Azure.Cosmos;

namespace ServerlessBilling.Cosmos;

/// <summary>
/// Documents in the order of a millisecond timestamp property, oldest or newest first, for listings that order ties by
/// id and continue after a cursor. TOP cuts among documents of one millisecond in no set order, so every document of the
/// last millisecond taken is fetched too; a page's first millisecond may hold documents up to the cursor, which
/// <c>keep</c> leaves out, and when too few are left the query takes twice as many. The caller sorts (time, then id) and
/// applies the limit: every document it is given precedes, in that order, every one it is not.
/// </summary>
internal static class CosmosTimeOrder
{
    /// <param name="from">Oldest first: the earliest millisecond (inclusive); newest first: the latest (inclusive).</param>
    /// <param name="to">Oldest first only: the millisecond the listing ends before.</param>
    public static async Task<List<T>> QueryAsync<T>(
        string store, Container container, string msProperty, Func<T, long> ms, string? partition, bool newestFirst,
        long? from, long? to, Func<T, bool> keep, int wanted, string operation, CancellationToken cancellationToken)
    {
        var options = partition is null ? null : new QueryRequestOptions { PartitionKey = new PartitionKey(partition) };
        var range = (from, to, newestFirst) switch
        {
            (null, null, _) => "",
            (_, null, true) => $"WHERE c.{msProperty} <= @from",
            (_, null, false) => $"WHERE c.{msProperty} >= @from",
            (null, _, _) => $"WHERE c.{msProperty} < @to",
            _ => $"WHERE c.{msProperty} >= @from AND c.{msProperty} < @to",
        };
        for (var taken = wanted; ; taken = (int)Math.Min(int.MaxValue, 2L * taken))
        {
            var query = new QueryDefinition($"SELECT TOP @taken * FROM c {range} ORDER BY c.{msProperty} {(newestFirst ? "DESC" : "ASC")}").WithParameter("@taken", taken);
            query = from is { } start ? query.WithParameter("@from", start) : query;
            query = to is { } end ? query.WithParameter("@to", end) : query;
            var first = await ReadAsync<T>(store, container, query, options, taken, operation, cancellationToken);
            if (first.Count < taken)
            {
                return [.. first.Where(keep)];
            }

            var boundary = newestFirst ? first.Min(ms) : first.Max(ms);
            var tied = await ReadAsync<T>(store, container, new QueryDefinition($"SELECT * FROM c WHERE c.{msProperty} = @boundary").WithParameter("@boundary", boundary), options, int.MaxValue, operation, cancellationToken);
            List<T> page = [.. first.Where(d => ms(d) != boundary).Concat(tied).Where(keep)];
            if (page.Count >= wanted || taken == int.MaxValue)
            {
                return page;
            }
        }
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
