using System.Globalization;

namespace ServerlessBilling.Local.Commands.Rate;

/// <summary>
/// Writes a charge exactly as <c>ToString("0.####", InvariantCulture)</c> does, without parsing a custom
/// format for every line: charges are rounded to 4 decimals, so the decimal's own digits are printed with
/// trailing fractional zeros dropped. Other values (negative, more than 4 decimals, above 2^64 units) take
/// the framework's path.
/// </summary>
public static class ChargeText
{
    public const string Format = "0.####";

    /// <summary>Enough for any decimal in <see cref="Format"/>: 29 digits, a sign and a point.</summary>
    public const int MaxLength = 32;

    private const int MaxFastScale = 4;

    private static readonly ulong[] PowersOf10 = [1, 10, 100, 1_000, 10_000];

    public static bool TryFormat(decimal value, Span<char> destination, out int written)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var negative = bits[3] < 0;
        if (negative || bits[2] != 0 || scale > MaxFastScale)
        {
            return value.TryFormat(destination, out written, Format, CultureInfo.InvariantCulture);
        }

        var units = unchecked((uint)bits[0] | ((ulong)(uint)bits[1] << 32));
        while (scale > 0 && units % 10 == 0)
        {
            units /= 10;
            scale--;
        }

        var whole = units / PowersOf10[scale];
        var fraction = units % PowersOf10[scale];
        if (!whole.TryFormat(destination, out written, default, CultureInfo.InvariantCulture))
        {
            return false;
        }

        if (scale == 0)
        {
            return true;
        }

        if (destination.Length < written + 1 + scale)
        {
            written = 0;
            return false;
        }

        destination[written] = '.';
        for (var i = written + scale; i > written; i--)
        {
            destination[i] = (char)('0' + (int)(fraction % 10));
            fraction /= 10;
        }

        written += 1 + scale;
        return true;
    }

    public static string ToString(decimal value)
    {
        Span<char> text = stackalloc char[MaxLength];
        return TryFormat(value, text, out var written) ? new string(text[..written]) : value.ToString(Format, CultureInfo.InvariantCulture);
    }
}
