using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos;

/// <summary>
/// A page of documents in the order of a millisecond timestamp property, oldest or newest first (<see cref="ListOrder"/>),
/// ties by id, continuing after a cursor: the one place the Cosmos stores put their listings in order. TOP cuts among
/// documents of one millisecond in no set order, so every document of the last millisecond taken is fetched too; a
/// page's first millisecond may hold documents up to the cursor (and the range's ends may fall inside a millisecond),
/// which are left out, and when too few are left the query takes twice as many. The page is then sorted by the
/// entries' own times and ids (<see cref="ListPage"/>): every document it gives precedes, in that order, every one it does not.
/// </summary>
internal static class CosmosTimeOrder
{
    /// <param name="key">The entry's time and id, as <see cref="ListCursor"/> orders them.</param>
    /// <param name="within">Only entries with a time in [From, To); any time without it.</param>
    public static async Task<List<T>> PageAsync<T>(
        string store, Container container, string msProperty, Func<T, long> ms, Func<T, ListCursor> key, string? partition,
        (DateTimeOffset From, DateTimeOffset To)? within, ListOrder order, ListCursor? after, int limit, string operation, CancellationToken cancellationToken)
    {
        // The milliseconds [atLeast, below) hold every entry of the range that comes after the cursor (stored ms are floored).
        var (atLeast, below) = within is { } range ? (Floor(range.From), Ceiling(range.To)) : (long.MinValue, long.MaxValue);
        if (after is not null)
        {
            (atLeast, below) = order == ListOrder.NewestFirst ? (atLeast, Math.Min(below, after.At.ToUnixTimeMilliseconds() + 1)) : (Math.Max(atLeast, after.At.ToUnixTimeMilliseconds()), below);
        }

        var documents = await QueryAsync(
            store, container, msProperty, ms, partition, order == ListOrder.NewestFirst, atLeast, below,
            d => key(d) is var k && (within is not { } w || (k.At >= w.From && k.At < w.To)) && (after is null || after.IsBefore(order, k.At, k.Id)),
            limit, operation, cancellationToken);
        return ListPage.Of(documents, key, order, after, limit);
    }

    private static long Floor(DateTimeOffset instant) => instant == DateTimeOffset.MinValue ? long.MinValue : instant.ToUnixTimeMilliseconds();

    /// <summary>The first millisecond every instant before <paramref name="instant"/> is before.</summary>
    private static long Ceiling(DateTimeOffset instant) =>
        instant == DateTimeOffset.MaxValue ? long.MaxValue : instant.ToUnixTimeMilliseconds() + (instant.UtcTicks % TimeSpan.TicksPerMillisecond == 0 ? 0 : 1);

    /// <summary>At least <paramref name="wanted"/> documents of [atLeast, below) that <paramref name="keep"/> keeps (all there are when fewer), in no set order.</summary>
    private static async Task<List<T>> QueryAsync<T>(
        string store, Container container, string msProperty, Func<T, long> ms, string? partition, bool newestFirst,
        long atLeast, long below, Func<T, bool> keep, int wanted, string operation, CancellationToken cancellationToken)
    {
        var options = partition is null ? null : new QueryRequestOptions { PartitionKey = new PartitionKey(partition) };
        var range = string.Join(" AND ", new[]
        {
            atLeast == long.MinValue ? null : $"c.{msProperty} >= @atLeast",
            below == long.MaxValue ? null : $"c.{msProperty} < @below",
        }.OfType<string>());
        range = range.Length == 0 ? "" : "WHERE " + range;
        for (var taken = wanted; ; taken = (int)Math.Min(int.MaxValue, 2L * taken))
        {
            var query = new QueryDefinition($"SELECT TOP @taken * FROM c {range} ORDER BY c.{msProperty} {(newestFirst ? "DESC" : "ASC")}").WithParameter("@taken", taken);
            query = atLeast == long.MinValue ? query : query.WithParameter("@atLeast", atLeast);
            query = below == long.MaxValue ? query : query.WithParameter("@below", below);
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
