using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessBilling.Api.Http;

/// <summary>
/// Writes amounts without the trailing zeros that decimal arithmetic carries (1.2100 → 1.21), as API.md shows
/// them; the value is unchanged. Reads JSON numbers as they are.
/// </summary>
public sealed class NormalizedDecimalConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out var value))
        {
            throw new JsonException("an amount must be a JSON number within the range of a decimal");
        }

        var text = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        return IsExact(text, value)
            ? value
            : throw new JsonException("a number must be what a decimal holds exactly (at most 28 digits after the point, 29 in all): this one would be rounded");
    }

    /// <summary>
    /// Whether <paramref name="value"/> is exactly the JSON number <paramref name="text"/>. The reader rounds a number
    /// with more digits than a decimal holds (1.00000000000000000000000000001 is read as 1, 1e-30 as 0), and an amount
    /// is never rounded on the way in: a top-up of that amount was credited 1, and its retry with 1 was taken as the same.
    /// </summary>
    private static bool IsExact(ReadOnlySpan<byte> text, decimal value)
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

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) => WriteNormalized(writer, value);

    /// <summary>The amount without its trailing zeros.</summary>
    public static void WriteNormalized(Utf8JsonWriter writer, decimal value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(Normalized(value));
    }

    /// <summary>
    /// The same value at the smallest scale that holds it (1.2100 → 1.21, 5.000 → 5): what dividing by
    /// 1.0000000000000000000000000000m gives, without a decimal division (every amount of every answer passes here).
    /// </summary>
    public static decimal Normalized(decimal value)
    {
        // Bit for bit from here on (the build checks arithmetic; these casts only reinterpret the parts).
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = unchecked((byte)(bits[3] >> 16));
        if (scale == 0)
        {
            return value;
        }

        var mantissa = unchecked(((UInt128)(uint)bits[2] << 64) | ((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
        while (scale > 0)
        {
            var (quotient, remainder) = UInt128.DivRem(mantissa, 10);
            if (remainder != 0)
            {
                break;
            }

            mantissa = quotient;
            scale--;
        }

        return unchecked(new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), (int)(uint)(mantissa >> 64), bits[3] < 0, scale));
    }
}
