using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Storage;

/// <summary>Rate decks by id; putting a deck again replaces it.</summary>
public interface IRateDeckStore
{
    Task PutAsync(RateDeck deck, CancellationToken cancellationToken);

    Task<RateDeck?> GetAsync(string deckId, CancellationToken cancellationToken);
}
