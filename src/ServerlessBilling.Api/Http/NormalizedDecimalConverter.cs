using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessBilling.Core.Validation;

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
        return ExactDecimal.Holds(text, value)
            ? value
            : throw new JsonException("a number " + ExactDecimal.Refusal);
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
