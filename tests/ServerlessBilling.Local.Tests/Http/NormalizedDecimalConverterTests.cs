using System.Globalization;
using System.Text.Json;
using ServerlessBilling.Api.Http;

namespace ServerlessBilling.Local.Tests.Http;

/// <summary>Amounts are written without trailing zeros, exactly as dividing by 1.0000000000000000000000000000m writes them.</summary>
public sealed class NormalizedDecimalConverterTests
{
    private const decimal One = 1.0000000000000000000000000000m;

    public static TheoryData<decimal> Edges() =>
    [
        0m, 0.0m, 0.000m, 1m, 1.2100m, -1.50m, 5.000m, 100m, 100.00m, 0.0100m, 98.750m,
        decimal.MaxValue, decimal.MinValue, 7.9228162514264337593543950335m, 0.0000000000000000000000000001m,
        0.0000000000000000000000000010m, 1000000000000000000000000000.0m, -12.3400m, 99.832m, 0.168m, 1.2m, 0.24m,
    ];

    [Theory]
    [MemberData(nameof(Edges))]
    public void Normalizes_as_the_division_does(decimal value) => AssertSame(value);

    [Fact]
    public void Normalizes_negative_zeros_as_the_division_does()
    {
        foreach (var scale in new byte[] { 0, 1, 3, 28 })
        {
            AssertSame(new decimal(0, 0, 0, isNegative: true, scale));
        }
    }

    [Fact]
    public void Normalizes_as_the_division_does_for_amounts_of_every_scale_and_size()
    {
        var random = new Random(15);
        for (var i = 0; i < 20_000; i++)
        {
            var scale = (byte)random.Next(0, 29);
            var hi = i % 3 == 0 ? random.Next() : 0;
            var mid = i % 2 == 0 ? random.Next() : 0;
            var value = new decimal(random.Next(), mid, hi, random.Next(2) == 0, scale);
            // Trailing zeros of every count: amounts computed at a fixed scale (0.1680, 5.000).
            var zeros = random.Next(0, 29 - scale);
            AssertSame(value);
            AssertSame(decimal.Round(value, Math.Max(0, scale - zeros)));
        }
    }

    private static void AssertSame(decimal value)
    {
        var expected = value / One;
        var normalized = NormalizedDecimalConverter.Normalized(value);
        Assert.Equal(decimal.GetBits(expected), decimal.GetBits(normalized));
        Assert.Equal(Written(w => w.WriteNumberValue(expected)), Written(w => NormalizedDecimalConverter.WriteNormalized(w, value)));
        Assert.Equal(expected.ToString(CultureInfo.InvariantCulture), normalized.ToString(CultureInfo.InvariantCulture));
    }

    private static string Written(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
