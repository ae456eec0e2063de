using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Rating;

public sealed class RaterTests
{
    [Theory]
    [InlineData(30, 6, 10, 30)]   // API.md: 30/6, 10 s → 30
    [InlineData(30, 6, 31, 36)]   // API.md: 30/6, 31 s → 36
    [InlineData(30, 6, 30, 30)]
    [InlineData(30, 6, 36, 36)]
    [InlineData(30, 6, 37, 42)]
    [InlineData(60, 60, 61, 120)] // API.md: 60/60, 61 s → 120
    [InlineData(60, 60, 60, 60)]
    [InlineData(60, 60, 1, 60)]
    [InlineData(60, 60, 120, 120)]
    [InlineData(60, 60, 121, 180)]
    [InlineData(1, 1, 17, 17)]
    [InlineData(1, 1, 1, 1)]
    [InlineData(0, 6, 1, 6)]
    [InlineData(0, 6, 6, 6)]
    [InlineData(0, 6, 7, 12)]
    [InlineData(0, 1, 1, 1)]
    [InlineData(60, 12, 342, 348)] // the terminate example of API.md: 342 s billed 348
    public void Billed_seconds_follow_minimum_then_increments(int min, int increment, int duration, int expected)
    {
        Assert.Equal(expected, Rater.BilledSeconds(duration, answered: true, min, increment));
        Assert.Equal(expected, Rater.BilledSeconds(duration, answered: true, new Tariff(0.01m, 0m, min, increment)));
    }

    [Theory]
    [InlineData(30, 6, 10)]
    [InlineData(60, 60, 61)]
    [InlineData(0, 6, 1)]
    public void An_unanswered_call_bills_nothing(int min, int increment, int duration)
    {
        Assert.Equal(0, Rater.BilledSeconds(duration, answered: false, min, increment));
    }

    [Theory]
    [InlineData(30, 6)]
    [InlineData(60, 60)]
    [InlineData(0, 1)]
    public void A_zero_duration_bills_nothing(int min, int increment)
    {
        Assert.Equal(0, Rater.BilledSeconds(0, answered: true, min, increment));
    }

    [Fact]
    public void A_negative_duration_bills_nothing()
    {
        Assert.Equal(0, Rater.BilledSeconds(-5, answered: true, 30, 6));
    }

    [Fact]
    public void A_huge_increment_that_fits_in_an_int_does_not_overflow()
    {
        // The deck import puts no upper bound on increment_seconds; a 7-day call (the longest CDR) on such a row
        // bills one increment, which fits in an int, so no intermediate step may overflow.
        Assert.Equal(2_147_000_000, Rater.BilledSeconds(7 * 24 * 3600, answered: true, 0, 2_147_000_000));
    }

    [Fact]
    public void A_long_call_on_a_one_second_increment_bills_exactly()
    {
        Assert.Equal(int.MaxValue, Rater.BilledSeconds(int.MaxValue, answered: true, 0, 1));
        Assert.Equal(int.MaxValue, Rater.BilledSeconds(int.MaxValue, answered: true, 60, 1));
    }

    [Theory]
    [InlineData("0.24", "0", 348, "1.392")]     // API.md terminate example
    [InlineData("0.0100", "0", 120, "0.02")]
    [InlineData("0.0080", "0", 36, "0.0048")]
    [InlineData("0.60", "0.15", 60, "0.75")]
    [InlineData("0", "0.25", 60, "0.25")]
    [InlineData("1", "0", 1, "0.0167")]         // 0.016666… → 0.0167
    [InlineData("0.1", "0", 1, "0.0017")]       // 0.0016666… → 0.0017
    [InlineData("0.0001", "0", 1, "0")]         // 0.0000016… → 0
    public void Charge_is_connect_fee_plus_rate_times_billed_over_sixty_rounded_to_four_decimals(
        string rate, string connectFee, int billed, string expected)
    {
        var tariff = new Tariff(D(rate), D(connectFee), 60, 60);

        Assert.Equal(D(expected), Rater.Charge(tariff, billed));
    }

    [Theory]
    [InlineData("0.0003", "0", 10, "0.0001")]     // exactly 0.00005
    [InlineData("0.0125", "0", 30, "0.0063")]     // exactly 0.00625; banker's rounding would give 0.0062
    [InlineData("0.0125", "0.1", 30, "0.1063")]   // exactly 0.10625
    [InlineData("0.0129", "0", 30, "0.0065")]     // exactly 0.00645
    [InlineData("0.0123", "0", 30, "0.0062")]     // exactly 0.00615
    public void Charge_rounds_a_half_way_case_away_from_zero(string rate, string connectFee, int billed, string expected)
    {
        Assert.Equal(D(expected), Rater.Charge(new Tariff(D(rate), D(connectFee), 0, 1), billed));
    }

    [Fact]
    public void Charge_is_zero_when_nothing_is_billed_even_with_a_connect_fee()
    {
        var tariff = new Tariff(0.5m, 0.25m, 60, 60);

        Assert.Equal(0m, Rater.Charge(tariff, 0));
        Assert.Equal(0m, Rater.Charge(tariff, Rater.BilledSeconds(42, answered: false, tariff)));
        Assert.Equal(0m, Rater.Charge(tariff, Rater.BilledSeconds(0, answered: true, tariff)));
    }

    [Fact]
    public void A_free_destination_costs_nothing()
    {
        Assert.Equal(0m, Rater.Charge(new Tariff(0m, 0m, 60, 60), 600));
    }

    private static decimal D(string text) => decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
