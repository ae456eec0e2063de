namespace ServerlessBilling.Core.Rating;

/// <summary>An imported rate deck: validated rows and a prefix index over them.</summary>
public sealed class RateDeck
{
    private readonly PrefixIndex _index;

    public RateDeck(string deckId, IReadOnlyList<RateDeckRow> rows)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deckId);
        DeckId = deckId;
        Rows = rows;
        _index = new PrefixIndex(rows);
    }

    public string DeckId { get; }

    public IReadOnlyList<RateDeckRow> Rows { get; }

    /// <summary>The row of the longest prefix of <paramref name="calledNumber"/> effective at <paramref name="at"/>.</summary>
    public RateDeckRow? Find(ReadOnlySpan<char> calledNumber, DateTimeOffset at)
    {
        var digits = CalledNumber.Normalize(calledNumber);
        return digits.IsEmpty ? null : _index.Find(digits, at.UtcTicks);
    }

    /// <summary>Rates one call by the rules of API.md. Allocates nothing.</summary>
    public RatingOutcome Rate(ReadOnlySpan<char> calledNumber, DateTimeOffset start, int durationSeconds, Disposition disposition)
    {
        var digits = CalledNumber.Normalize(calledNumber);
        if (digits.IsEmpty)
        {
            return new RatingOutcome(null, 0, 0m, RatingFailure.InvalidNumber);
        }

        var row = _index.Find(digits, start.UtcTicks);
        if (row is null)
        {
            return new RatingOutcome(null, 0, 0m, RatingFailure.NoMatchingPrefix);
        }

        var billed = Rater.BilledSeconds(durationSeconds, disposition == Disposition.Answered, row.Tariff);
        var charge = row.Units is { } units ? Rater.Charge(units, billed) : Rater.Charge(row.Tariff, billed);
        return new RatingOutcome(row, billed, charge, RatingFailure.None);
    }
}
