using FsCheck.Xunit;
using ServerlessBilling.Core.Money;

namespace ServerlessBilling.Core.Tests.Money;

public sealed class RoundingTests
{
    [Theory]
    [InlineData("0.00005", "0.0001")]
    [InlineData("-0.00005", "-0.0001")]
    [InlineData("1.23445", "1.2345")]
    [InlineData("-1.23445", "-1.2345")]
    [InlineData("1.23455", "1.2346")]
    [InlineData("0.00625", "0.0063")] // banker's rounding would give 0.0062
    [InlineData("0.00004999", "0")]
    [InlineData("0.000049999999999", "0")]
    [InlineData("1.23444999", "1.2344")]
    [InlineData("2.5", "2.5")]
    [InlineData("0", "0")]
    [InlineData("12.3456", "12.3456")]
    public void Charge_rounds_half_away_from_zero_at_the_fourth_decimal(string amount, string expected)
    {
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Rounding.Charge(Parse(amount)));
    }

    [Theory]
    [InlineData("0.005", "0.01")]
    [InlineData("-0.005", "-0.01")]
    [InlineData("0.015", "0.02")]
    [InlineData("0.025", "0.03")] // banker's rounding would give 0.02
    [InlineData("2.675", "2.68")]
    [InlineData("1.2345", "1.23")]
    [InlineData("1.2350", "1.24")]
    [InlineData("0.00499", "0")]
    [InlineData("-1.235", "-1.24")]
    [InlineData("100", "100")]
    public void Invoice_rounds_half_away_from_zero_at_the_second_decimal(string amount, string expected)
    {
        Assert.Equal(Parse(expected), Rounding.Invoice(Parse(amount)));
    }

    [Fact]
    public void The_decimal_places_are_those_of_the_contract()
    {
        Assert.Equal(4, Rounding.ChargeDecimals);
        Assert.Equal(2, Rounding.InvoiceDecimals);
    }

    [Property]
    public bool Rounding_is_idempotent_and_moves_less_than_half_a_unit(int units, int millionths)
    {
        var amount = units + (millionths % 1_000_000 / 1_000_000m);
        var charge = Rounding.Charge(amount);
        var invoice = Rounding.Invoice(amount);
        return Rounding.Charge(charge) == charge
            && Rounding.Invoice(invoice) == invoice
            && Math.Abs(charge - amount) <= 0.00005m
            && Math.Abs(invoice - amount) <= 0.005m;
    }

    private static decimal Parse(string text) => decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
