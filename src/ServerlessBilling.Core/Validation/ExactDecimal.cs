using System.Globalization;

namespace ServerlessBilling.Core.Validation;

/// <summary>Whether a decimal that a parser read holds the number written exactly: money in a request is read exactly or refused.</summary>
public static class ExactDecimal
{
    /// <summary>What a request is told when it is not (after the field's name).</summary>
    public const string Refusal = "must be what a decimal holds exactly (at most 28 digits after the point, 29 in all): this one would be rounded";

    /// <summary>
    /// Whether <paramref name="value"/> is exactly the number <paramref name="text"/> (a JSON number, or a deck's amount:
    /// the same grammar without the exponent). Parsers round a number with more digits than a decimal holds
    /// (1.00000000000000000000000000001 is read as 1, 1e-30 as 0), and an amount is never rounded on the way in: a
    /// top-up of that amount was credited 1, and its retry with 1 was taken as the same.
    /// </summary>
    public static bool Holds(ReadOnlySpan<byte> text, decimal value)
    {
        // The JSON number (-?int(.frac)?([eE][+-]?digits)?): its significant digits, first to last, read in place (a
        // number may be as long as the body), and the power of ten of the last.
        var end = text.IndexOfAny((byte)'e', (byte)'E');
        var mantissa = end < 0 ? text : text[..end];
        var point = mantissa.IndexOf((byte)'.');
        point = point < 0 ? mantissa.Length : point;
        var first = mantissa.IndexOfAnyInRange((byte)'1', (byte)'9');
        var last = mantissa.LastIndexOfAnyInRange((byte)'1', (byte)'9');
        var exponent = 0L;
        if (end >= 0)
        {
            var digits = text[(end + 1)..];
            var negative = digits[0] == (byte)'-';
            foreach (var digit in digits.TrimStart("+-"u8))
            {
                exponent = Math.Min((exponent * 10) + (digit - '0'), 1_000_000L);
            }

            exponent = negative ? -exponent : exponent;
        }

        // The decimal the same way: its mantissa's significant digits and the power of ten of the last.
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var held = unchecked(((UInt128)(uint)bits[2] << 64) | ((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
        var heldExponent = -(long)unchecked((byte)(bits[3] >> 16));
        for (; held != 0 && held % 10 == 0; held /= 10)
        {
            heldExponent++;
        }

        if (first < 0 || held == 0)
        {
            return first < 0 && held == 0;
        }

        var count = last - first + 1 - (first < point && point < last ? 1 : 0);
        Span<byte> heldDigits = stackalloc byte[40];
        if (count > heldDigits.Length || !held.TryFormat(heldDigits, out var heldCount, default, CultureInfo.InvariantCulture) || count != heldCount
            || exponent + (last < point ? point - last - 1 : point - last) != heldExponent)
        {
            return false;
        }

        for (int i = first, j = 0; i <= last; i++)
        {
            if (i != point && mantissa[i] != heldDigits[j++])
            {
                return false;
            }
        }

        return true;
    }
}
