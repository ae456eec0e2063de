using System.Globalization;
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
        output.WriteLine(CheckCharge());
        output.WriteLine(CheckStartTime());
    }

    public static string CheckCharge(int cases = 2_000_000)
    {
        var random = new Random(11);
        for (var i = 0; i < cases; i++)
        {
            var tariff = new Tariff(random.Next(0, 100_000) / 10_000m, random.Next(4) == 0 ? random.Next(0, 1_000) / 10_000m : 0m, 60, 60);
            var billed = random.Next(8) == 0 ? random.Next(-1, 2) : random.Next(0, 7 * 24 * 3600);
            if (!IntegerCharge.TryCreate(tariff, out var exact))
            {
                throw new InvalidOperationException($"not exact: {tariff}");
            }

            var expected = Rater.Charge(tariff, billed);
            var actual = exact.Charge(billed);
            if (actual != expected)
            {
                throw new InvalidOperationException($"charge differs for {tariff}, {billed} s: Core {expected}, proposal {actual}");
            }
        }

        if (IntegerCharge.TryCreate(new Tariff(0.00001m, 0m, 1, 1), out _))
        {
            throw new InvalidOperationException("a rate with 5 decimals must keep the decimal path");
        }

        return $"charge: {cases:N0} cases identical";
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

    public static string CheckStartTime(int cases = 1_000_000)
    {
        var random = new Random(3);
        var start = new DateTimeOffset(1999, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < cases; i++)
        {
            var instant = start.AddSeconds(random.NextInt64(0, 110L * 365 * 24 * 3600));
            var offset = TimeSpan.FromMinutes(random.Next(-14 * 4, (14 * 4) + 1) * 15);
            var text = (random.Next(4) == 0
                ? instant.ToOffset(offset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)
                : instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).ToCharArray();
            if (random.Next(3) == 0)
            {
                // Damage one character: a digit, a separator, the zone.
                text[random.Next(text.Length)] = "0123456789-:T Z+zx"[random.Next(18)];
            }

            var expectedOk = FastStartTime.TryParseExact(text, out var expected);
            var actualOk = FastStartTime.TryParse(text, out var actual);
            if (expectedOk != actualOk || expected != actual || expected.Offset != actual.Offset)
            {
                throw new InvalidOperationException($"start time differs for '{new string(text)}': Core {expectedOk} {expected:O}, proposal {actualOk} {actual:O}");
            }
        }

        return $"start time: {cases:N0} texts identical (a third of them damaged)";
    }
}
