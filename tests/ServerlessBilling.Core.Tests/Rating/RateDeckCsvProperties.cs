using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Rating;

/// <summary>An exported deck imports as the same deck, whatever its destinations hold (separators, quotes, any script).</summary>
public sealed class RateDeckCsvProperties
{
    private static readonly string[] Destinations =
        ["United Kingdom", "Bonaire, Sint Eustatius and Saba", "Côte d'Ivoire", "The \"Big\" Island", "\"quoted\", with comma", "日本 携帯", "a,b,\"c\",d"];

    private static Gen<RateDeckRow> Row(string prefix) =>
        from destination in Gen.Elements(Destinations)
        from tariff in RatingArbitraries.Tariffs
        from scale in Gen.Choose(0, 4)
        from start in Gen.Frequency((2, Gen.Constant<DateOnly?>(null)), (1, Gen.Choose(0, 3000).Select(d => (DateOnly?)new DateOnly(2024, 1, 1).AddDays(d))))
        from days in Gen.Choose(1, 900)
        from open in Gen.Elements(true, false)
        select new RateDeckRow(
            prefix,
            destination,
            // Trailing zeros are part of what was imported ("1.00"): the export keeps them.
            tariff with { RatePerMinute = WithScale(tariff.RatePerMinute, scale) },
            start,
            open ? null : (start ?? new DateOnly(2024, 1, 1)).AddDays(days),
            0);

    private static readonly Gen<RateDeck> Decks =
        from first in Gen.Choose(1, 99_999)
        from more in Gen.Choose(1, 99_999).ArrayOf()
        let prefixes = more.Prepend(first).Distinct().Take(40)
        from rows in Gen.CollectToSequence(prefixes.Select(p => Row(p.ToString(System.Globalization.CultureInfo.InvariantCulture))))
        select new RateDeck("export", rows.ToList());

    [Property(MaxTest = 200)]
    public Property Export_imports_as_the_same_deck_and_exports_the_same_text() =>
        Prop.ForAll(Arb.From(Decks), deck =>
        {
            var csv = string.Join('\n', RateDeckCsv.Lines(deck)) + "\n";
            var import = RateDeckParser.Parse("export", csv);

            Assert.True(import.Succeeded, string.Join("; ", import.Errors));
            Assert.Equal(Shape(deck), Shape(import.Deck!));
            Assert.Equal(csv, string.Join('\n', RateDeckCsv.Lines(import.Deck!)) + "\n");
        });

    [Fact]
    public void A_destination_with_separators_is_quoted_and_the_rest_is_plain()
    {
        var deck = RateDeckParser.Parse("d", "prefix,destination,rate,min_seconds,increment_seconds,effective_from\n44,\"A, \"\"B\"\"\",1.00,60,60,2026-01-01\n").Deck!;

        Assert.Equal(
            [RateDeckCsv.Header, "44,\"A, \"\"B\"\"\",1.00,0,60,60,2026-01-01,"],
            RateDeckCsv.Lines(deck));
    }

    private static IEnumerable<(string, string, decimal, decimal, int, int, DateOnly?, DateOnly?, string)> Shape(RateDeck deck) =>
        deck.Rows.Select(r => (r.Prefix, r.Destination, r.Tariff.RatePerMinute, r.Tariff.ConnectFee, r.Tariff.MinSeconds, r.Tariff.IncrementSeconds,
            r.EffectiveFrom, r.EffectiveTo, r.Tariff.RatePerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static decimal WithScale(decimal value, int extraZeros)
    {
        var scaled = value;
        for (var i = 0; i < extraZeros; i++)
        {
            scaled *= 1.0m;
        }

        return scaled;
    }
}
