using ServerlessBilling.Core.Money;

namespace ServerlessBilling.Core.Tests.Money;

using Money = ServerlessBilling.Core.Money.Money;

public sealed class MoneyTests
{
    private static readonly Currency Gbp = new("GBP");
    private static readonly Currency Eur = new("EUR");

    [Fact]
    public void Addition_and_subtraction_in_one_currency()
    {
        var a = new Money(10.25m, Gbp);
        var b = new Money(0.7525m, Gbp);

        Assert.Equal(new Money(11.0025m, Gbp), a + b);
        Assert.Equal(new Money(9.4975m, Gbp), a - b);
        Assert.Equal(new Money(-10.25m, Gbp), -a);
    }

    [Fact]
    public void Zero_is_zero_in_its_currency()
    {
        var zero = Money.Zero(Eur);

        Assert.Equal(0m, zero.Amount);
        Assert.Equal(Eur, zero.Currency);
        Assert.False(zero.IsNegative);
    }

    [Fact]
    public void IsNegative_only_below_zero()
    {
        Assert.True(new Money(-0.0001m, Gbp).IsNegative);
        Assert.False(new Money(0m, Gbp).IsNegative);
        Assert.False(new Money(0.0001m, Gbp).IsNegative);
    }

    [Fact]
    public void Adding_across_currencies_throws()
    {
        var ex = Assert.Throws<CurrencyMismatchException>(() => new Money(1m, Gbp) + new Money(1m, Eur));
        Assert.Contains("GBP", ex.Message, StringComparison.Ordinal);
        Assert.Contains("EUR", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Subtracting_across_currencies_throws()
    {
        Assert.Throws<CurrencyMismatchException>(() => new Money(1m, Gbp) - new Money(1m, Eur));
    }

    [Fact]
    public void A_currency_mismatch_is_an_invalid_operation()
    {
        Assert.IsAssignableFrom<InvalidOperationException>(new CurrencyMismatchException(Gbp, Eur));
    }

    [Fact]
    public void Comparing_across_currencies_throws()
    {
        var gbp = new Money(1m, Gbp);
        var eur = new Money(2m, Eur);

        Assert.Throws<CurrencyMismatchException>(() => gbp < eur);
        Assert.Throws<CurrencyMismatchException>(() => gbp > eur);
        Assert.Throws<CurrencyMismatchException>(() => gbp <= eur);
        Assert.Throws<CurrencyMismatchException>(() => gbp >= eur);
        Assert.Throws<CurrencyMismatchException>(() => gbp.CompareTo(eur));
    }

    [Fact]
    public void Mixing_with_a_default_currency_throws()
    {
        Assert.Throws<CurrencyMismatchException>(() => new Money(1m, Gbp) + new Money(1m, default));
    }

    [Fact]
    public void Comparison_in_one_currency_orders_by_amount()
    {
        var small = new Money(1.5m, Gbp);
        var large = new Money(2m, Gbp);

        Assert.True(small < large);
        Assert.True(large > small);
        Assert.True(small <= new Money(1.50m, Gbp));
        Assert.True(small >= new Money(1.5000m, Gbp));
        Assert.Equal(0, small.CompareTo(new Money(1.50m, Gbp)));
        Assert.True(small.CompareTo(large) < 0);
    }

    [Fact]
    public void Equality_ignores_trailing_zeros_but_not_currency()
    {
        Assert.Equal(new Money(1.5m, Gbp), new Money(1.5000m, Gbp));
        Assert.NotEqual(new Money(1.5m, Gbp), new Money(1.5m, Eur));
    }

    [Fact]
    public void RoundCharge_and_RoundInvoice_keep_the_currency()
    {
        var money = new Money(1.23445m, Eur);

        Assert.Equal(new Money(1.2345m, Eur), money.RoundCharge());
        Assert.Equal(new Money(1.23m, Eur), money.RoundInvoice());
        Assert.Equal(new Money(-0.0001m, Eur), new Money(-0.00005m, Eur).RoundCharge());
        Assert.Equal(new Money(-0.01m, Eur), new Money(-0.005m, Eur).RoundInvoice());
    }

    [Fact]
    public void ToString_shows_amount_and_code()
    {
        Assert.Equal("1.25 GBP", new Money(1.25m, Gbp).ToString());
    }
}
