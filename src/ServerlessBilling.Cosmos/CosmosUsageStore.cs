using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos;

internal sealed record UsageDocument([property: JsonPropertyName("id")] string Id, string AccountId, long StartMs, UsageRecord Record);

internal sealed record QuarantineDocument([property: JsonPropertyName("id")] string Id, string AccountId, long ReceivedMs, QuarantineRecord Record);

/// <summary>Usage records, partition /accountId, id = CDR id; created, never upserted (409 = already applied).</summary>
public sealed class CosmosUsageStore(Container container) : IUsageStore
{
    /// <summary>How a 503 names this store when it fails.</summary>
    private const string Store = "usage store";

    private const int IdsPerQuery = 200;

    /// <summary>Enough to hide a round trip per create without starving the account writes that share the client.</summary>
    public const int CreatesInFlight = 16;

    /// <summary>Each account group of a batch makes a few round trips in a row; this many groups hide them without crowding the client.</summary>
    public int AccountsInParallel => 4;

    public async Task<IReadOnlyDictionary<string, UsageRecord>> FindExistingAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, UsageRecord>(StringComparer.Ordinal);
        foreach (var chunk in cdrIds.Chunk(IdsPerQuery))
        {
            var query = new QueryDefinition("SELECT * FROM c WHERE ARRAY_CONTAINS(@ids, c.id)").WithParameter("@ids", chunk);
            using var feed = container.GetItemQueryIterator<UsageDocument>(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(accountId) });
            while (feed.HasMoreResults)
            {
                foreach (var document in await CosmosFaults.RunAsync(Store, "find usage", () => feed.ReadNextAsync(cancellationToken), cancellationToken))
                {
                    found[document.Id] = document.Record;
                }
            }
        }

        return found;
    }

    public Task<bool> TryCreateAsync(UsageRecord record, CancellationToken cancellationToken) =>
        CosmosItems.TryCreateAsync(
            Store, container, new UsageDocument(record.CdrId, record.AccountId, record.StartTime.ToUnixTimeMilliseconds(), record), record.AccountId, "create usage", cancellationToken);

    /// <summary>
    /// Concurrent creates, at most <see cref="CreatesInFlight"/> at a time (a batch may span partitions, which a
    /// transactional batch cannot, and one conflict would fail all of one). A copy of an id earlier in the batch is not sent.
    /// </summary>
    public async Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        var created = new bool[records.Count];
        var first = new HashSet<(string, string)>();
        var toSend = Enumerable.Range(0, records.Count).Where(i => first.Add((records[i].AccountId, records[i].CdrId))).ToList();
        await Parallel.ForEachAsync(
            toSend,
            new ParallelOptions { MaxDegreeOfParallelism = CreatesInFlight, CancellationToken = cancellationToken },
            async (i, ct) => created[i] = await TryCreateAsync(records[i], ct));
        return created;
    }

    public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        ListAsync(accountId, from, to, limit, ListOrder.OldestFirst, after: null, cancellationToken);

    public async Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, ListOrder order, ListCursor? after, CancellationToken cancellationToken) =>
        (await CosmosTimeOrder.PageAsync<UsageDocument>(
            Store, container, "startMs", d => d.StartMs, d => ListCursor.After(d.Record), accountId, (from, to), order, after, limit, "list usage", cancellationToken))
            .ConvertAll(d => d.Record);
}

/// <summary>Quarantined CDRs, partition /accountId ("_unknown" when the account could not be read).</summary>
public sealed class CosmosQuarantineStore(Container container) : IQuarantineStore
{
    /// <summary>How a 503 names this store when it fails.</summary>
    private const string Store = "quarantine store";

    public const string UnknownAccount = "_unknown";

    /// <summary>Concurrent creates, at most <see cref="CosmosUsageStore.CreatesInFlight"/> at a time (the records may span partitions).</summary>
    public Task AddManyAsync(IReadOnlyList<QuarantineRecord> records, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            records,
            new ParallelOptions { MaxDegreeOfParallelism = CosmosUsageStore.CreatesInFlight, CancellationToken = cancellationToken },
            async (record, ct) => await AddAsync(record, ct));

    /// <summary>A record quarantined before (the same record delivered again) is kept once.</summary>
    public Task AddAsync(QuarantineRecord record, CancellationToken cancellationToken) =>
        CosmosItems.TryCreateAsync(
            Store, container,
            new QuarantineDocument(record.QuarantineId, record.AccountId ?? UnknownAccount, record.ReceivedAt.ToUnixTimeMilliseconds(), record),
            record.AccountId ?? UnknownAccount,
            "quarantine",
            cancellationToken);

    public Task<IReadOnlyList<QuarantineRecord>> ListAsync(string? accountId, int limit, CancellationToken cancellationToken) =>
        ListAsync(accountId, limit, after: null, cancellationToken);

    public async Task<IReadOnlyList<QuarantineRecord>> ListAsync(string? accountId, int limit, ListCursor? after, CancellationToken cancellationToken) =>
        (await CosmosTimeOrder.PageAsync<QuarantineDocument>(
            Store, container, "receivedMs", d => d.ReceivedMs, d => ListCursor.After(d.Record), accountId, within: null, ListOrder.NewestFirst, after, limit, "list quarantine", cancellationToken))
            .ConvertAll(d => d.Record);
}
