using System.Collections.Concurrent;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Rating;

/// <summary>
/// A short-lived in-process cache of rate decks: decks are large and change rarely, and pricing reads them
/// on every call. Money is never cached.
/// </summary>
public sealed class RateDeckCache(IRateDeckStore store, TimeProvider clock, TimeSpan? lifetime = null)
{
    private readonly TimeSpan _lifetime = lifetime ?? TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (RateDeck? Deck, DateTimeOffset Until)> _entries = new(StringComparer.Ordinal);

    public async ValueTask<RateDeck?> GetAsync(string deckId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_entries.TryGetValue(deckId, out var entry) && entry.Until > now)
        {
            return entry.Deck;
        }

        var deck = await store.GetAsync(deckId, cancellationToken);
        _entries[deckId] = (deck, now + _lifetime);
        return deck;
    }

    public async Task PutAsync(RateDeck deck, CancellationToken cancellationToken)
    {
        await store.PutAsync(deck, cancellationToken);
        _entries[deck.DeckId] = (deck, clock.GetUtcNow() + _lifetime);
    }
}
