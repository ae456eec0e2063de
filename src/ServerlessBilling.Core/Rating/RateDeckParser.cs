using System.Globalization;
using ServerlessBilling.Core.Csv;
using ServerlessBilling.Core.Validation;

namespace ServerlessBilling.Core.Rating;

/// <summary>A rejected rate-deck line: its 1-based line number (the header is line 1) and why.</summary>
public sealed record DeckLineError(int Line, string Reason)
{
    public override string ToString() => $"line {Line}: {Reason}";
}

/// <summary>The outcome of an import: a deck, or every bad line with its reason (never a partial deck).</summary>
public sealed record RateDeckImport(RateDeck? Deck, IReadOnlyList<DeckLineError> Errors)
{
    public bool Succeeded => Deck is not null;
}

/// <summary>Imports the rate-deck CSV of API.md: header required, columns in any order, extra columns ignored.</summary>
public static class RateDeckParser
{
    public static readonly IReadOnlyList<string> RequiredColumns = ["prefix", "destination", "rate", "min_seconds", "increment_seconds"];

    public const int MaxStepSeconds = 86_400;

    /// <summary>The longest destination name a deck may give (room for a country, a network and a tariff, in any script).</summary>
    public const int MaxDestinationLength = 200;

    public static RateDeckImport Parse(string deckId, string csv) => Parse(deckId, new StringReader(csv));

    public static RateDeckImport Parse(string deckId, TextReader reader)
    {
        var errors = new List<DeckLineError>();
        var header = CsvHeader.TryCreate(reader.ReadLine(), RequiredColumns, out var headerError, refuseDuplicates: true);
        if (header is null)
        {
            return new RateDeckImport(null, [new DeckLineError(1, headerError!)]);
        }

        var columns = new Columns(header);
        var rows = new List<RateDeckRow>();
        var destinations = new Dictionary<string, string>(StringComparer.Ordinal);
        var csvRow = new CsvRow();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (!csvRow.Split(line))
            {
                errors.Add(new DeckLineError(lineNumber, csvRow.Error!));
                continue;
            }

            var row = ParseRow(csvRow, columns, lineNumber, destinations, out var reason);
            if (row is null)
            {
                errors.Add(new DeckLineError(lineNumber, reason!));
            }
            else
            {
                rows.Add(row);
            }
        }

        if (rows.Count == 0 && errors.Count == 0)
        {
            errors.Add(new DeckLineError(2, "the deck has no rows"));
        }

        errors.AddRange(FindOverlaps(rows));
        if (errors.Count > 0)
        {
            errors.Sort((a, b) => a.Line.CompareTo(b.Line));
            return new RateDeckImport(null, errors);
        }

        return new RateDeckImport(new RateDeck(deckId, rows), []);
    }

    private static RateDeckRow? ParseRow(CsvRow csv, Columns c, int line, Dictionary<string, string> destinations, out string? reason)
    {
        if (csv.Count != c.Count)
        {
            reason = $"expected {c.Count} columns (as in the header), found {csv.Count}";
            return null;
        }

        var prefix = csv[c.Prefix].Trim();
        if (prefix.IsEmpty)
        {
            reason = "prefix is empty";
            return null;
        }

        if (prefix.ContainsAnyExceptInRange('0', '9') || prefix.Length > CalledNumber.MaxDigits)
        {
            reason = $"prefix '{Clip(prefix)}' must be 1 to {CalledNumber.MaxDigits} digits";
            return null;
        }

        var destinationSpan = csv[c.Destination].Trim();
        if (destinationSpan.IsEmpty)
        {
            reason = "destination is empty";
            return null;
        }

        // Every usage record of the destination and the account's totals by destination hold the name: one of megabytes
        // would be stored again with each call, and take an account document past what a store item may hold.
        if (destinationSpan.Length > MaxDestinationLength)
        {
            reason = $"destination '{Clip(destinationSpan)}' is longer than {MaxDestinationLength} characters";
            return null;
        }

        // The name goes on usage records, invoices and statements as it is (DisplayText says what it may not hold),
        // and U+FFFD is what the reader made of bytes that are not UTF-8 (a deck saved as Windows-1252: "R�union").
        if (DisplayText.Unfit(destinationSpan) is { } what)
        {
            reason = $"destination '{Clip(destinationSpan)}' holds {what}";
            return null;
        }

        if (destinationSpan.Contains('\uFFFD'))
        {
            reason = $"destination '{Clip(destinationSpan)}' is not valid UTF-8 (save the deck as UTF-8)";
            return null;
        }

        if ((reason = ParseAmount(csv, c.Rate, "rate", required: true, out var rate)) is not null
            || (reason = ParseAmount(csv, c.ConnectFee, "connect_fee", required: false, out var connectFee)) is not null
            || (reason = ParseSeconds(csv, c.MinSeconds, "min_seconds", out var minSeconds)) is not null
            || (reason = ParseSeconds(csv, c.IncrementSeconds, "increment_seconds", out var incrementSeconds)) is not null
            || (reason = ParseDate(csv, c.EffectiveFrom, "effective_from", out var from)) is not null
            || (reason = ParseDate(csv, c.EffectiveTo, "effective_to", out var to)) is not null)
        {
            return null;
        }

        if (incrementSeconds == 0)
        {
            reason = "increment_seconds must be at least 1";
            return null;
        }

        if (minSeconds > MaxStepSeconds || incrementSeconds > MaxStepSeconds)
        {
            reason = $"min_seconds and increment_seconds must be at most {MaxStepSeconds} (one day)";
            return null;
        }

        if (from is { } f && to is { } t && t <= f)
        {
            reason = $"effective_to {t:yyyy-MM-dd} must be after effective_from {f:yyyy-MM-dd}";
            return null;
        }

        var destinationKey = destinationSpan.ToString();
        if (!destinations.TryGetValue(destinationKey, out var destination))
        {
            destinations[destinationKey] = destination = destinationKey;
        }

        reason = null;
        return new RateDeckRow(prefix.ToString(), destination, new Tariff(rate, connectFee, minSeconds, incrementSeconds), from, to, line);
    }

    private static string? ParseAmount(CsvRow csv, int column, string name, bool required, out decimal value)
    {
        value = 0m;
        var text = column < 0 || column >= csv.Count ? [] : csv[column].Trim();
        if (text.IsEmpty)
        {
            return required ? $"{name} is empty" : null;
        }

        if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value))
        {
            // "1e3" and digits past a decimal are numbers all the same: say what is wrong rather than that they are none.
            return !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || !text.ContainsAnyInRange('0', '9') ? $"{name} '{Clip(text)}' is not a number"
                : text.ContainsAny('e', 'E') ? $"{name} '{Clip(text)}' must be written in digits with an optional decimal point (e.g. 0.0100), without an exponent"
                : text.StartsWith('-') ? $"{name} {Clip(text)} must not be negative"
                : $"{name} {Clip(text)} must be at most {Bounds.MaxAmount.ToString(CultureInfo.InvariantCulture)}";
        }

        // Only a sign, digits and a point got here: ASCII, judged as a JSON amount is (the parser rounds past 28 decimals).
        Span<byte> ascii = text.Length <= 128 ? stackalloc byte[text.Length] : new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            ascii[i] = (byte)text[i];
        }

        if (!ExactDecimal.Holds(ascii, value))
        {
            return $"{name} '{Clip(text)}' {ExactDecimal.Refusal}";
        }

        if (value < 0m)
        {
            return $"{name} {value.ToString(CultureInfo.InvariantCulture)} must not be negative";
        }

        return value > Bounds.MaxAmount
            ? $"{name} {value.ToString(CultureInfo.InvariantCulture)} must be at most {Bounds.MaxAmount.ToString(CultureInfo.InvariantCulture)}"
            : null;
    }

    private static string? ParseSeconds(CsvRow csv, int column, string name, out int value)
    {
        var text = csv[column].Trim();
        if (text.IsEmpty)
        {
            value = 0;
            return $"{name} is empty";
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return WhyNotDigits(text, name);
        }

        return value < 0 ? $"{name} {value} must not be negative" : null;
    }

    /// <summary>
    /// Why a step that is not an int in digits is refused: "1e3" and "60.0" are whole, written another way, so the reason
    /// must not call them fractions; nor digits past an int, which are a step longer than a day.
    /// </summary>
    private static string WhyNotDigits(ReadOnlySpan<char> text, string name)
    {
        if (Cdrs.CdrValidation.Integral(text) is { } whole)
        {
            return whole.StartsWith('-') ? $"{name} {Clip(text)} must not be negative"
                : whole.Length > 9 || int.Parse(whole, CultureInfo.InvariantCulture) > MaxStepSeconds ? $"{name} {Clip(text)} must be at most {MaxStepSeconds} (one day)"
                : $"{name} '{Clip(text)}' must be written as a whole number in digits (e.g. 60), without a decimal point or exponent";
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? $"{name} '{Clip(text)}' is not a whole number of seconds"
            : $"{name} '{Clip(text)}' is not a number written in digits 0-9";
    }

    private static string? ParseDate(CsvRow csv, int column, string name, out DateOnly? value)
    {
        value = null;
        var text = column < 0 || column >= csv.Count ? [] : csv[column].Trim();
        if (text.IsEmpty)
        {
            return null;
        }

        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return $"{name} '{Clip(text)}' is not a date (yyyy-MM-dd)";
        }

        value = date;
        return null;
    }

    private static IEnumerable<DeckLineError> FindOverlaps(List<RateDeckRow> rows)
    {
        foreach (var group in rows.GroupBy(r => r.Prefix, StringComparer.Ordinal).Where(g => g.Skip(1).Any()))
        {
            var ordered = group.OrderBy(r => r.FromTicks).ThenBy(r => r.Line).ToList();
            var reach = ordered[0];
            for (var i = 1; i < ordered.Count; i++)
            {
                var row = ordered[i];
                if (row.Overlaps(reach))
                {
                    yield return new DeckLineError(row.Line, $"effective range of prefix {row.Prefix} overlaps line {reach.Line}");
                }

                if (row.ToTicks > reach.ToTicks)
                {
                    reach = row;
                }
            }
        }
    }

    private static string Clip(ReadOnlySpan<char> text) => Excerpt.Of(text, 40);

    private sealed class Columns(CsvHeader header)
    {
        public int Count { get; } = header.Count;
        public int Prefix { get; } = header.IndexOf("prefix");
        public int Destination { get; } = header.IndexOf("destination");
        public int Rate { get; } = header.IndexOf("rate");
        public int ConnectFee { get; } = header.IndexOf("connect_fee");
        public int MinSeconds { get; } = header.IndexOf("min_seconds");
        public int IncrementSeconds { get; } = header.IndexOf("increment_seconds");
        public int EffectiveFrom { get; } = header.IndexOf("effective_from");
        public int EffectiveTo { get; } = header.IndexOf("effective_to");

    }
}
