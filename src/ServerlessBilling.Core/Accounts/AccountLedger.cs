namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// The money position of an account: what it opened with, the credit added and the charges committed since.
/// Money only moves through <see cref="Charge"/> and <see cref="TopUp"/>, so
/// <c>Balance = OpeningBalance + TopUps − Committed</c> always holds.
/// </summary>
public readonly record struct AccountLedger
{
    // What the account opened with and the top-ups change rarely (a top-up): they lie in one object that the versions
    // of the ledger share, so that a charge copies a smaller document.
    private readonly CreditAdded _added;

    public decimal OpeningBalance { get => _added.OpeningBalance; internal init => _added = new(value, TopUps); }

    public decimal TopUps { get => _added.TopUps; internal init => _added = new(OpeningBalance, value); }

    public decimal Committed { get; internal init; }

    public decimal Balance { get; internal init; }

    public static AccountLedger Open(decimal openingBalance) => new() { OpeningBalance = openingBalance, Balance = openingBalance };

    /// <summary>Takes a charge (a delta: an interim's or a correction's may be any amount) from the balance.</summary>
    public AccountLedger Charge(decimal amount) => this with { Committed = Committed + amount, Balance = Balance - amount };

    /// <summary>Adds credit to the balance.</summary>
    public AccountLedger TopUp(decimal amount) => this with { TopUps = TopUps + amount, Balance = Balance + amount };

    /// <summary>
    /// The balance when the period <paramref name="label"/> began and ended, as its statement shows it: the balance now,
    /// less what the periods from it onwards added (top-ups) and took (usage, late usage included). A closed period's
    /// totals never change, and every later movement lands in a later period, so the answer stays the same.
    /// </summary>
    public (decimal Opening, decimal Closing) StatementBalances(in PeriodBook periods, string label)
    {
        var onwards = 0m;
        PeriodTotals? own = null;
        foreach (var (key, totals) in periods.Totals)
        {
            var order = string.CompareOrdinal(key, label);
            if (order >= 0)
            {
                onwards += totals.TopUps - totals.UsageAmount;
            }

            if (order == 0)
            {
                own = totals;
            }
        }

        var opening = Balance - onwards;
        return (opening, opening + (own?.TopUps ?? 0m) - (own?.UsageAmount ?? 0m));
    }
}

/// <summary>
/// The opening balance and the top-ups of an <see cref="AccountLedger"/>, held in one shared object (none: both zero).
/// Equal when the amounts are, so that a ledger's equality is that of its amounts.
/// </summary>
internal readonly struct CreditAdded(decimal openingBalance, decimal topUps) : IEquatable<CreditAdded>
{
    private readonly Amounts? _amounts = new(openingBalance, topUps);

    public decimal OpeningBalance => _amounts?.OpeningBalance ?? 0m;

    public decimal TopUps => _amounts?.TopUps ?? 0m;

    public bool Equals(CreditAdded other) => OpeningBalance == other.OpeningBalance && TopUps == other.TopUps;

    public override bool Equals(object? obj) => obj is CreditAdded other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(OpeningBalance, TopUps);

    private sealed record Amounts(decimal OpeningBalance, decimal TopUps);
}
