namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// The money position of an account: what it opened with, the credit added and the charges committed since.
/// Money only moves through <see cref="Charge"/> and <see cref="TopUp"/>, so
/// <c>Balance = OpeningBalance + TopUps − Committed</c> always holds.
/// </summary>
public readonly record struct AccountLedger
{
    public decimal OpeningBalance { get; internal init; }

    public decimal TopUps { get; internal init; }

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
