using System.Globalization;

namespace ServerlessBilling.Core.Validation;

/// <summary>
/// The one rule for a time a request or a CDR carries (API.md: ISO 8601 with an offset): <c>yyyy-MM-dd</c>, <c>T</c> or a
/// space, <c>HH:mm:ss</c>, an optional fraction of a second, then <c>Z</c> or <c>±hh:mm</c>. An authorize's
/// <c>startTime</c> and its CDR's <c>start_time</c> are read by it, so that a call the platform granted is a call its CDR
/// can charge. ISO 8601 bounds no fraction: one of more than seven digits (a switch logging nanoseconds writes nine) is
/// read to the nearest 100 ns, as the general parser the authorize used did; the exact parser stops at seven, so such a
/// CDR was quarantined while its authorize was granted. Bounds (the years, how far ahead) are the caller's.
/// </summary>
public static class IsoTime
{
    /// <summary>The longest text read as a time: fourteen fractional digits with an offset.</summary>
    public const int MaxLength = 40;

    /// <summary>The fraction digits a tick holds (100 ns).</summary>
    private const int TickDigits = 7;

    /// <summary>Where a fraction starts: after <c>yyyy-MM-ddTHH:mm:ss</c> and its point.</summary>
    private const int FractionStart = 20;

    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>Reads <paramref name="text"/> (white space around it passed over) as a time with its offset.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        value = default;
        text = text.Trim();
        if (text.IsEmpty || text.Length > MaxLength || !HasOffset(text))
        {
            return false;
        }

        if (text[^1] == 'z')
        {
            // RFC 3339 allows a lower-case z (the exact parser does not): read as the upper-case one.
            Span<char> upper = stackalloc char[text.Length];
            text.CopyTo(upper);
            upper[^1] = 'Z';
            return TryParseUpper(upper, out value);
        }

        return TryParseUpper(text, out value);
    }

    private static bool TryParseUpper(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        if (TryParseCommonShape(text, out value))
        {
            return true;
        }

        var digits = FractionDigits(text);
        if (digits <= TickDigits)
        {
            return DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
        }

        // The first seven digits by the exact parser, the eighth rounds half up (the rest cannot change that rounding).
        var kept = string.Concat(text[..(FractionStart + TickDigits)], text[(FractionStart + digits)..]);
        if (!DateTimeOffset.TryParseExact(kept, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value))
        {
            return false;
        }

        if (text[FractionStart + TickDigits] >= '5' && value.Year < 9999)
        {
            value = value.AddTicks(1); // far from the end of the calendar; a year past 2099 is refused by its bounds anyway
        }

        return true;
    }

    /// <summary>How many digits the fraction of a second has (0 without one).</summary>
    private static int FractionDigits(ReadOnlySpan<char> text)
    {
        if (text.Length <= FractionStart || text[FractionStart - 1] != '.')
        {
            return 0;
        }

        var rest = text[FractionStart..];
        var end = rest.IndexOfAnyExceptInRange('0', '9');
        return end < 0 ? rest.Length : end;
    }

    /// <summary>
    /// The shape switches write, <c>yyyy-MM-ddTHH:mm:ss</c> then <c>Z</c> or <c>±hh:mm</c>, read by position
    /// (about 15 ns instead of 200); anything else goes to the exact parser, so what is accepted does not change.
    /// </summary>
    private static bool TryParseCommonShape(ReadOnlySpan<char> t, out DateTimeOffset value)
    {
        value = default;
        if ((t.Length != 20 && t.Length != 25) || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':')
        {
            return false;
        }

        if (!TwoDigits(t, 0, out var century) || !TwoDigits(t, 2, out var yy) || !TwoDigits(t, 5, out var month)
            || !TwoDigits(t, 8, out var day) || !TwoDigits(t, 11, out var hour) || !TwoDigits(t, 14, out var minute)
            || !TwoDigits(t, 17, out var second))
        {
            return false;
        }

        var year = (century * 100) + yy;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var offset = TimeSpan.Zero;
        if (t.Length == 20)
        {
            if (t[19] != 'Z')
            {
                return false;
            }
        }
        else
        {
            if (t[19] is not ('+' or '-') || t[22] != ':' || !TwoDigits(t, 20, out var oh) || !TwoDigits(t, 23, out var om) || oh > 14 || om > 59 || (oh == 14 && om > 0))
            {
                return false;
            }

            offset = t[19] == '-' ? -new TimeSpan(oh, om, 0) : new TimeSpan(oh, om, 0);
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
        var utc = local.Ticks - offset.Ticks;
        if (utc < DateTime.MinValue.Ticks || utc > DateTime.MaxValue.Ticks)
        {
            return false; // the exact parser decides at the edges of the range
        }

        value = new DateTimeOffset(local, offset);
        return true;
    }

    private static bool TwoDigits(ReadOnlySpan<char> t, int at, out int value)
    {
        var a = t[at] - '0';
        var b = t[at + 1] - '0';
        value = (a * 10) + b;
        return unchecked((uint)a <= 9 && (uint)b <= 9);
    }

    private static bool HasOffset(ReadOnlySpan<char> text) =>
        text[^1] is 'Z' or 'z' || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
}
