using ServerlessBilling.Benchmarks.Data;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Benchmarks.Proposals;

/// <summary>Shows that each prototype gives exactly Core's results, on many generated cases; throws on the first difference.</summary>
public static class ProposalChecks
{
    public static void Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var synthetic = SyntheticDeck.Create();
        var deck = RateDeckParser.Parse("check", synthetic.ToCsv()).Deck ?? throw new InvalidOperationException("the synthetic deck does not import");
        output.WriteLine(CheckIndex(deck, SyntheticCdrs.Calls(synthetic, 100_000)));
    }

    public static string CheckIndex(RateDeck deck, IReadOnlyList<SyntheticCall> calls)
    {
        ArgumentNullException.ThrowIfNull(deck);
        ArgumentNullException.ThrowIfNull(calls);
        var index = new CompactPrefixIndex(deck.Rows);
        var random = new Random(5);
        var checkedCases = 0;
        foreach (var call in calls)
        {
            // The call's own time and the effective-date edges of the deck.
            foreach (var at in new[] { call.Start, new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(random.Next(-1, 1)), new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero) })
            {
                var expected = deck.Find(call.CalledNumber, at);
                var digits = CalledNumber.Normalize(call.CalledNumber);
                var actual = digits.IsEmpty ? null : index.Find(digits, at.UtcTicks);
                if (!ReferenceEquals(expected, actual))
                {
                    throw new InvalidOperationException($"lookup differs for {call.CalledNumber} at {at:O}: Core line {expected?.Line}, proposal line {actual?.Line}");
                }

                var expectedRating = deck.Rate(call.CalledNumber, at, call.DurationSeconds, call.Disposition);
                var actualRating = index.Rate(call.CalledNumber, at, call.DurationSeconds, call.Disposition);
                if (expectedRating != actualRating)
                {
                    throw new InvalidOperationException($"rating differs for {call.CalledNumber} at {at:O}: Core {expectedRating}, proposal {actualRating}");
                }

                checkedCases++;
            }
        }

        return $"prefix index and rating: {checkedCases:N0} lookups and ratings identical";
    }
}
