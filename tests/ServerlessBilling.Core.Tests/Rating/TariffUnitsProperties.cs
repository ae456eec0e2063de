using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Rating;

/// <summary>The integer charge path must give exactly what the decimal rule gives.</summary>
public sealed class TariffUnitsProperties
{
    [Property(Arbitrary = [typeof(RatingArbitraries)], MaxTest = 2000)]
    public Property The_integer_charge_equals_the_decimal_rule(ValidTariff tariff, CallSeconds duration)
    {
        var t = tariff.Value;
        var units = TariffUnits.Of(t);
        var billed = Rater.BilledSeconds(duration.Value, answered: true, t);
        return Prop.When(units is not null, () => Rater.Charge(units!.Value, billed) == Rater.Charge(t, billed));
    }

    [Theory]
    [InlineData("0.0080", "0", 36, "0.0048")]
    [InlineData("0.2400", "0.01", 342, "1.378")]
    [InlineData("0.0001", "0", 30, "0.0001")]   // 0.00005 rounds half away from zero
    [InlineData("0.0001", "0", 29, "0")]        // 0.0000483 rounds down
    [InlineData("1.0000", "0.0500", 0, "0")]    // nothing billed, no connect fee
    public void Worked_examples(string rate, string fee, int billed, string expected)
    {
        var tariff = new Tariff(decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture), decimal.Parse(fee, System.Globalization.CultureInfo.InvariantCulture), 1, 1);
        var units = TariffUnits.Of(tariff)!.Value;
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Rater.Charge(units, billed));
        Assert.Equal(Rater.Charge(tariff, billed), Rater.Charge(units, billed));
    }

    [Fact]
    public void Amounts_with_more_than_four_decimals_keep_the_decimal_path()
    {
        Assert.Null(TariffUnits.Of(new Tariff(0.00001m, 0m, 1, 1)));
        Assert.Null(TariffUnits.Of(new Tariff(0.01m, 0.00005m, 1, 1)));
    }
}
