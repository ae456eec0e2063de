using System.Globalization;

namespace ServerlessBilling.Core.Rating;

/// <summary>
/// A deck written back as the CSV that <see cref="RateDeckParser"/> reads: every column of the format, rows in deck
/// order, amounts with the scale they were imported with, so that an export imported again is the same deck.
/// </summary>
public static class RateDeckCsv
{
    public const string Header = "prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to";

    public static string Line(RateDeckRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return string.Join(',',
            row.Prefix,
            Field(row.Destination),
            row.Tariff.RatePerMinute.ToString(CultureInfo.InvariantCulture),
            row.Tariff.ConnectFee.ToString(CultureInfo.InvariantCulture),
            row.Tariff.MinSeconds.ToString(CultureInfo.InvariantCulture),
            row.Tariff.IncrementSeconds.ToString(CultureInfo.InvariantCulture),
            Date(row.EffectiveFrom),
            Date(row.EffectiveTo));
    }

    /// <summary>The header and one line per row, each without its line break.</summary>
    public static IEnumerable<string> Lines(RateDeck deck)
    {
        ArgumentNullException.ThrowIfNull(deck);
        yield return Header;
        foreach (var row in deck.Rows)
        {
            yield return Line(row);
        }
    }

    // The parser trims fields, so a destination never starts or ends with a space; only separators and quotes need quoting.
    private static string Field(string text) =>
        text.AsSpan().IndexOfAny(',', '"') < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";
}
