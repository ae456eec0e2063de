using System.Globalization;
using ServerlessBilling.Local.Commands.Rate;

namespace ServerlessBilling.Local.Tests.Rate;

public sealed class ChargeTextTests
{
    [Theory]
    [InlineData("1.3920", "1.392")]
    [InlineData("0.0100", "0.01")]
    [InlineData("0.0000", "0")]
    [InlineData("0", "0")]
    [InlineData("0.0001", "0.0001")]
    [InlineData("12345.6789", "12345.6789")]
    [InlineData("100", "100")]
    [InlineData("100.10", "100.1")]
    [InlineData("18446744073709551615", "18446744073709551615")]
    [InlineData("1844674407370955.1616", "1844674407370955.1616")]
    public void Prints_at_most_4_decimals_without_trailing_zeros(string value, string expected)
    {
        var charge = decimal.Parse(value, CultureInfo.InvariantCulture);

        Assert.Equal(expected, ChargeText.ToString(charge));
    }

    [Fact]
    public void Agrees_with_the_framework_format_on_every_kind_of_decimal()
    {
        var random = new Random(42);
        var values = new List<decimal> { decimal.MaxValue, decimal.MinValue, -0.0001m, -1m, 0.00005m, 0.99995m, 9.99999m, 1e-28m };
        for (var i = 0; i < 20_000; i++)
        {
            var units = random.NextInt64(0, i % 3 == 0 ? 1_000 : long.MaxValue);
            values.Add(new decimal(unchecked((int)units), unchecked((int)(units >> 32)), i % 7 == 0 ? random.Next() : 0, isNegative: i % 11 == 0, scale: (byte)random.Next(0, 9)));
        }

        Span<char> text = stackalloc char[ChargeText.MaxLength];
        foreach (var value in values)
        {
            Assert.True(ChargeText.TryFormat(value, text, out var written));
            Assert.Equal(value.ToString(ChargeText.Format, CultureInfo.InvariantCulture), new string(text[..written]));
        }
    }

    [Fact]
    public void Reports_a_destination_that_is_too_short()
    {
        Assert.False(ChargeText.TryFormat(123.45m, new char[5], out _));
        Assert.False(ChargeText.TryFormat(123.45m, new char[2], out _));
        Assert.True(ChargeText.TryFormat(123.45m, new char[6], out var written));
        Assert.Equal(6, written);
    }
}
