using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessBilling.Core.Money;

namespace ServerlessBilling.Core.Tests.Money;

using Money = ServerlessBilling.Core.Money.Money;

public sealed class MoneyProperties
{
    [Property(Arbitrary = [typeof(MoneyArbitraries)])]
    public bool Addition_is_commutative(Money a, Money b)
    {
        var c = b with { Currency = a.Currency };
        return a + c == c + a;
    }

    [Property(Arbitrary = [typeof(MoneyArbitraries)])]
    public bool Addition_is_associative(Money a, Money b, Money c)
    {
        var b1 = b with { Currency = a.Currency };
        var c1 = c with { Currency = a.Currency };
        return (a + b1) + c1 == a + (b1 + c1);
    }

    [Property(Arbitrary = [typeof(MoneyArbitraries)])]
    public bool Subtracting_then_adding_back_is_identity(Money a, Money b)
    {
        var b1 = b with { Currency = a.Currency };
        return a - b1 + b1 == a;
    }

    [Property(Arbitrary = [typeof(MoneyArbitraries)])]
    public bool Zero_is_neutral_and_negation_cancels(Money a) =>
        a + Money.Zero(a.Currency) == a && a + -a == Money.Zero(a.Currency);

    [Property(Arbitrary = [typeof(MoneyArbitraries)])]
    public bool Comparison_agrees_with_the_amounts(Money a, Money b)
    {
        var b1 = b with { Currency = a.Currency };
        return (a < b1) == (a.Amount < b1.Amount) && (a >= b1) == (a.Amount >= b1.Amount);
    }

    [Property(Arbitrary = [typeof(MoneyArbitraries)])]
    public void Any_arithmetic_or_comparison_across_currencies_throws(Money a, Money b)
    {
        var other = b with { Currency = a.Currency == new Currency("GBP") ? new Currency("EUR") : new Currency("GBP") };

        Assert.Throws<CurrencyMismatchException>(() => a + other);
        Assert.Throws<CurrencyMismatchException>(() => a - other);
        Assert.Throws<CurrencyMismatchException>(() => a < other);
        Assert.Throws<CurrencyMismatchException>(() => a >= other);
        Assert.Throws<CurrencyMismatchException>(() => a.CompareTo(other));
    }

    [Property(Arbitrary = [typeof(MoneyArbitraries)])]
    public bool Rounding_is_idempotent_and_moves_less_than_half_a_unit(Money a)
    {
        var charge = a.RoundCharge();
        var invoice = a.RoundInvoice();
        return charge.RoundCharge() == charge
            && invoice.RoundInvoice() == invoice
            && Math.Abs(charge.Amount - a.Amount) <= 0.00005m
            && Math.Abs(invoice.Amount - a.Amount) <= 0.005m;
    }
}

/// <summary>Amounts with up to 6 decimals (so rounding has work to do) in one of a few currencies.</summary>
public static class MoneyArbitraries
{
    private static readonly Currency[] Currencies = [new("GBP"), new("EUR"), new("USD"), new("JPY")];

    public static Arbitrary<Money> Money() =>
        Arb.From(
            from units in Gen.Choose(-1_000_000, 1_000_000)
            from fraction in Gen.Choose(-999_999, 999_999)
            from currency in Gen.Elements(Currencies)
            select new Money(units + (fraction / 1_000_000m), currency));
}
