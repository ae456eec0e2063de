using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Rating;

public sealed class AffordableSecondsTests
{
    // 0.60 a minute is 0.01 a second: charges are easy to read.
    private static readonly Tariff PerMinute = new(0.60m, 0m, 60, 60);
    private static readonly Tariff ThirtySix = new(0.60m, 0m, 30, 6);
    private static readonly Tariff NoMinimum = new(0.60m, 0m, 0, 6);

    [Fact]
    public void Returns_the_cap_when_it_is_covered()
    {
        Assert.Equal(300, Rater.AffordableSeconds(PerMinute, 10m, 300));
    }

    [Fact]
    public void Returns_the_cap_when_its_charge_equals_the_budget()
    {
        Assert.Equal(300, Rater.AffordableSeconds(PerMinute, 3.00m, 300));
    }

    [Fact]
    public void Returns_the_cap_when_the_cap_is_not_a_step_but_its_billed_step_is_covered()
    {
        // cap 40 bills 42 under 30/6: 0.42
        Assert.Equal(40, Rater.AffordableSeconds(ThirtySix, 0.42m, 40));
    }

    [Theory]
    [InlineData("1.25", 120)]
    [InlineData("1.20", 120)]
    [InlineData("1.19", 60)]
    [InlineData("0.60", 60)]
    [InlineData("2.99", 240)]
    public void Returns_the_largest_step_within_budget(string budget, int expected)
    {
        Assert.Equal(expected, Rater.AffordableSeconds(PerMinute, D(budget), 300));
    }

    [Theory]
    [InlineData("0.41", 36)]
    [InlineData("0.36", 36)]
    [InlineData("0.35", 30)]
    [InlineData("0.30", 30)]
    public void Steps_below_a_cap_that_is_not_a_step(string budget, int expected)
    {
        Assert.Equal(expected, Rater.AffordableSeconds(ThirtySix, D(budget), 40));
    }

    [Theory]
    [InlineData("0.20", 18)]
    [InlineData("0.06", 6)]
    [InlineData("0.05", 0)]
    public void With_no_minimum_the_first_step_is_one_increment(string budget, int expected)
    {
        Assert.Equal(expected, Rater.AffordableSeconds(NoMinimum, D(budget), 300));
    }

    [Fact]
    public void Returns_zero_when_the_minimum_is_not_covered()
    {
        Assert.Equal(0, Rater.AffordableSeconds(PerMinute, 0.59m, 300));
    }

    [Fact]
    public void Returns_zero_when_the_connect_fee_and_minimum_are_not_covered()
    {
        var tariff = new Tariff(0.60m, 0.50m, 60, 60);

        Assert.Equal(0, Rater.AffordableSeconds(tariff, 1.09m, 300));
        Assert.Equal(60, Rater.AffordableSeconds(tariff, 1.10m, 300));
    }

    [Fact]
    public void Returns_zero_when_the_connect_fee_alone_exceeds_the_budget()
    {
        Assert.Equal(0, Rater.AffordableSeconds(new Tariff(0m, 1m, 0, 1), 0.99m, 300));
    }

    [Fact]
    public void A_cap_below_the_minimum_is_granted_only_when_the_minimum_is_covered()
    {
        Assert.Equal(10, Rater.AffordableSeconds(ThirtySix, 0.30m, 10));
        Assert.Equal(0, Rater.AffordableSeconds(ThirtySix, 0.29m, 10));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_cap_of_zero_or_less_grants_nothing(int cap)
    {
        Assert.Equal(0, Rater.AffordableSeconds(PerMinute, 100m, cap));
    }

    [Fact]
    public void A_zero_or_negative_budget_grants_nothing_on_a_paid_destination()
    {
        Assert.Equal(0, Rater.AffordableSeconds(PerMinute, 0m, 300));
        Assert.Equal(0, Rater.AffordableSeconds(PerMinute, -5m, 300));
    }

    [Fact]
    public void A_free_destination_grants_the_cap_on_a_zero_budget()
    {
        Assert.Equal(300, Rater.AffordableSeconds(new Tariff(0m, 0m, 60, 60), 0m, 300));
    }

    [Fact]
    public void A_large_cap_is_bounded_by_the_budget()
    {
        Assert.Equal(120, Rater.AffordableSeconds(PerMinute, 1.25m, 7 * 24 * 3600));
    }

    [Fact]
    public void The_largest_int_cap_is_bounded_by_the_budget_and_does_not_overflow()
    {
        // requestedSeconds comes from the switch as an int; int.MaxValue must not crash the rater.
        Assert.Equal(120, Rater.AffordableSeconds(PerMinute, 1.25m, int.MaxValue));
    }

    [Fact]
    public void The_granted_seconds_cost_what_the_call_would_cost()
    {
        var granted = Rater.AffordableSeconds(ThirtySix, 0.50m, 600);

        Assert.Equal(48, granted);
        Assert.Equal(0.48m, Rater.Charge(ThirtySix, Rater.BilledSeconds(granted, answered: true, ThirtySix)));
        Assert.True(Rater.Charge(ThirtySix, Rater.BilledSeconds(granted + 1, answered: true, ThirtySix)) > 0.50m);
    }

    private static decimal D(string text) => decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
