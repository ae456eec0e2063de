using System.Globalization;
using System.Net;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos;

/// <summary>
/// Rate decks in a container partitioned by /deckId. A deck of 200,000 rows exceeds one document, so rows are
/// written in chunks under a new version, and the head document is switched to that version last.
/// </summary>
public sealed class CosmosRateDeckStore(Container container) : IRateDeckStore
{
    /// <summary>How a 503 names this store when it fails.</summary>
    private const string Store = "rate-deck store";

    public const int RowsPerChunk = 2000;

    public async Task PutAsync(RateDeck deck, CancellationToken cancellationToken)
    {
        var key = new PartitionKey(deck.DeckId);
        var version = Guid.NewGuid().ToString("N");
        var chunks = deck.Rows.Chunk(RowsPerChunk).ToList();
        var options = new ItemRequestOptions { EnableContentResponseOnWrite = false };
        await Parallel.ForEachAsync(
            chunks.Select((rows, index) => (rows, index)),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (chunk, ct) => await CosmosFaults.RunAsync(Store, "write deck chunk", () => container.UpsertItemAsync(
                new DeckChunkDocument(ChunkId(deck.DeckId, version, chunk.index), deck.DeckId, chunk.rows.Select(DeckRowDocument.From).ToList()),
                key, options, ct), ct));

        var previous = await ReadHeadAsync(deck.DeckId, cancellationToken);
        await CosmosFaults.RunAsync(Store, "write deck head", () => container.UpsertItemAsync(
            new DeckHeadDocument(HeadId(deck.DeckId), deck.DeckId, version, chunks.Count, deck.Rows.Count), key, options, cancellationToken), cancellationToken);

        if (previous is not null)
        {
            for (var i = 0; i < previous.Chunks; i++)
            {
                await DeleteQuietlyAsync(ChunkId(deck.DeckId, previous.Version, i), key, cancellationToken);
            }
        }
    }

    public async Task<RateDeck?> GetAsync(string deckId, CancellationToken cancellationToken)
    {
        var head = await ReadHeadAsync(deckId, cancellationToken);
        if (head is null)
        {
            return null;
        }

        var key = new PartitionKey(deckId);
        var chunks = await Task.WhenAll(Enumerable.Range(0, head.Chunks).Select(i => CosmosFaults.RunAsync(
            Store,
            "read deck chunk",
            () => container.ReadItemAsync<DeckChunkDocument>(ChunkId(deckId, head.Version, i), key, cancellationToken: cancellationToken),
            cancellationToken)));
        return new RateDeck(deckId, chunks.SelectMany(c => c.Resource.Rows).Select(r => r.ToRow()).ToList());
    }

    public async Task<IReadOnlyList<RateDeckSummary>> ListAsync(CancellationToken cancellationToken)
    {
        // Only the heads: one small document per deck, across partitions; decks are few, so sorted here.
        var query = new QueryDefinition("SELECT * FROM c WHERE STARTSWITH(c.id, @head)").WithParameter("@head", HeadId(""));
        var decks = new List<RateDeckSummary>();
        using var feed = container.GetItemQueryIterator<DeckHeadDocument>(query);
        while (feed.HasMoreResults)
        {
            var response = await CosmosFaults.RunAsync(Store, "list decks", () => feed.ReadNextAsync(cancellationToken), cancellationToken);
            decks.AddRange(response.Select(h => new RateDeckSummary(h.DeckId, h.Rows)));
        }

        return decks.OrderBy(d => d.DeckId, StringComparer.Ordinal).ToList();
    }

    private async Task<DeckHeadDocument?> ReadHeadAsync(string deckId, CancellationToken cancellationToken) =>
        (await CosmosItems.TryReadAsync<DeckHeadDocument>(Store, container, HeadId(deckId), deckId, "read deck head", cancellationToken))?.Resource;

    private async Task DeleteQuietlyAsync(string id, PartitionKey key, CancellationToken cancellationToken)
    {
        try
        {
            await container.DeleteItemAsync<DeckChunkDocument>(id, key, cancellationToken: cancellationToken);
        }
        catch (CosmosException ex) when (CosmosFaults.IsMissingItem(ex))
        {
            // Already gone: another writer cleaned it up.
        }
    }

    private static string HeadId(string deckId) => "head:" + deckId;

    private static string ChunkId(string deckId, string version, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"chunk:{deckId}:{version}:{index}");
}
