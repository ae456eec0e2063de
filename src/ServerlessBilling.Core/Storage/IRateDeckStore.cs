using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Storage;

/// <summary>Rate decks by id; putting a deck again replaces it.</summary>
public interface IRateDeckStore
{
    Task PutAsync(RateDeck deck, CancellationToken cancellationToken);

    Task<RateDeck?> GetAsync(string deckId, CancellationToken cancellationToken);

    /// <summary>Every deck's id and row count, by deck id, without reading the rows.</summary>
    Task<IReadOnlyList<RateDeckSummary>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>A stored deck as the list shows it.</summary>
public sealed record RateDeckSummary(string DeckId, int Rows);
