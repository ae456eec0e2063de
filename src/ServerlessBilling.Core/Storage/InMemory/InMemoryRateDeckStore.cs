using System.Collections.Concurrent;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Storage.InMemory;

public sealed class InMemoryRateDeckStore : IRateDeckStore
{
    private readonly ConcurrentDictionary<string, RateDeck> _decks = new(StringComparer.Ordinal);

    public Task PutAsync(RateDeck deck, CancellationToken cancellationToken)
    {
        _decks[deck.DeckId] = deck;
        return Task.CompletedTask;
    }

    public Task<RateDeck?> GetAsync(string deckId, CancellationToken cancellationToken) =>
        Task.FromResult(_decks.GetValueOrDefault(deckId));

    public Task<IReadOnlyList<RateDeckSummary>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<RateDeckSummary>>(
            _decks.Values.Select(d => new RateDeckSummary(d.DeckId, d.Rows.Count)).OrderBy(d => d.DeckId, StringComparer.Ordinal).ToList());
}
