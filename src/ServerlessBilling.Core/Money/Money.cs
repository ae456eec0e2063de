namespace ServerlessBilling.Core.Money;

/// <summary>An exact amount in one currency. Arithmetic across currencies is an error.</summary>
public readonly record struct Money(decimal Amount, Currency Currency) : IComparable<Money>
{
    public static Money Zero(Currency currency) => new(0m, currency);

    public bool IsNegative => Amount < 0m;

    public static Money operator +(Money left, Money right) => new(left.Amount + right.Amount, Same(left, right));

    public static Money operator -(Money left, Money right) => new(left.Amount - right.Amount, Same(left, right));

    public static Money operator -(Money value) => value with { Amount = -value.Amount };

    public static bool operator <(Money left, Money right) => left.CompareTo(right) < 0;

    public static bool operator >(Money left, Money right) => left.CompareTo(right) > 0;

    public static bool operator <=(Money left, Money right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Money left, Money right) => left.CompareTo(right) >= 0;

    public int CompareTo(Money other)
    {
        _ = Same(this, other);
        return Amount.CompareTo(other.Amount);
    }

    public Money RoundCharge() => this with { Amount = Rounding.Charge(Amount) };

    public Money RoundInvoice() => this with { Amount = Rounding.Invoice(Amount) };

    public override string ToString() => $"{Amount} {Currency}";

    private static Currency Same(Money left, Money right) =>
        left.Currency == right.Currency
            ? left.Currency
            : throw new CurrencyMismatchException(left.Currency, right.Currency);
}

public sealed class CurrencyMismatchException(Currency left, Currency right)
    : InvalidOperationException($"Cannot combine amounts in {left} and {right}.");
