using FsCheck.Xunit;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Accounts;

/// <summary>The money part of the account document: every movement keeps <c>Balance = OpeningBalance + TopUps − Committed</c>.</summary>
public sealed class AccountLedgerTests
{
    [Fact]
    public void An_opened_ledger_holds_its_opening_balance_and_nothing_else()
    {
        var ledger = AccountLedger.Open(25m);

        Assert.Equal((25m, 0m, 0m, 25m), (ledger.OpeningBalance, ledger.TopUps, ledger.Committed, ledger.Balance));
        Assert.True(AddsUp(ledger));
    }

    [Fact]
    public void A_charge_and_a_top_up_each_move_the_balance_and_their_own_total()
    {
        var ledger = AccountLedger.Open(10m).Charge(2.5m).TopUp(4m).Charge(-0.5m);

        Assert.Equal((10m, 4m, 2m, 12m), (ledger.OpeningBalance, ledger.TopUps, ledger.Committed, ledger.Balance));
    }

    [Property]
    public bool Any_sequence_of_charges_and_top_ups_adds_up(int opening, short[] moves)
    {
        // A positive move is a top-up, a negative one a charge, in cents.
        var ledger = AccountLedger.Open(opening / 100m);
        foreach (var cents in moves ?? [])
        {
            ledger = cents >= 0 ? ledger.TopUp(cents / 100m) : ledger.Charge(-cents / 100m);
        }

        return AddsUp(ledger) && ledger.OpeningBalance == opening / 100m;
    }

    [Fact]
    public void A_statement_opens_with_the_balance_before_its_period_and_closes_with_the_balance_after_it()
    {
        var settings = Fixtures.Prepaid();
        var october = new DateTimeOffset(2026, 10, 10, 12, 0, 0, TimeSpan.Zero);
        var november = new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero);
        var account = AccountState.Open("acme", settings, 100m, october)
            .WithTopUp(50m, october)
            .Commit(new ChargeLine(2m, 60, 1, "France", october), october)
            .WithTopUp(10m, november)
            .Commit(new ChargeLine(3m, 60, 1, "France", november), november)
            .CloseThrough("2026-10")
            .Commit(new ChargeLine(0.5m, 60, 1, "France", october.AddDays(1)), november); // late usage, counted in November

        Assert.Equal((100m, 148m), account.Ledger.StatementBalances(account.PeriodBook, "2026-10"));
        Assert.Equal((148m, 154.5m), account.Ledger.StatementBalances(account.PeriodBook, "2026-11"));
        Assert.Equal(account.Balance, account.Ledger.StatementBalances(account.PeriodBook, "2026-11").Closing);
        Assert.Equal((154.5m, 154.5m), account.Ledger.StatementBalances(account.PeriodBook, "2026-12"));
    }

    /// <summary>
    /// The opening balance and top-ups lie in an object the versions of a ledger share: ledgers are still equal when their
    /// amounts are (whatever their scale, or how they were made), a top-up leaves the ledger it came from alone, and the
    /// stored JSON keeps each amount's scale.
    /// </summary>
    [Fact]
    public void Ledgers_are_equal_by_their_amounts_and_the_stored_json_keeps_their_scale()
    {
        Assert.Equal(default, AccountLedger.Open(0m));
        Assert.Equal(AccountLedger.Open(0.00m), AccountLedger.Open(0m));
        Assert.Equal(AccountLedger.Open(5m).TopUp(1m), AccountLedger.Open(5.0m).TopUp(1.00m));
        Assert.Equal(AccountLedger.Open(5m).TopUp(1m).GetHashCode(), AccountLedger.Open(5.0m).TopUp(1.00m).GetHashCode());
        Assert.NotEqual(AccountLedger.Open(5m), AccountLedger.Open(5m).TopUp(0.01m).Charge(0.01m));

        var opened = AccountLedger.Open(10.50m);
        var topped = opened.TopUp(0.10m);
        Assert.Equal((10.50m, 0m, 10.50m), (opened.OpeningBalance, opened.TopUps, opened.Balance));
        Assert.Equal((10.50m, 0.10m, 10.60m), (topped.OpeningBalance, topped.TopUps, topped.Balance));

        var account = AccountState.Open("a", Fixtures.Prepaid(), 10.50m, Fixtures.Now).WithTopUp(0.10m, Fixtures.Now);
        var json = System.Text.Json.JsonSerializer.Serialize(account, Core.Storage.StoredJson.Options);
        Assert.Contains("\"openingBalance\":10.50,\"topUps\":0.10,\"committed\":0,\"balance\":10.60", json, StringComparison.Ordinal);
        Assert.Equal(json, System.Text.Json.JsonSerializer.Serialize(
            System.Text.Json.JsonSerializer.Deserialize<AccountState>(json, Core.Storage.StoredJson.Options), Core.Storage.StoredJson.Options));
    }

    /// <summary>The conservation rule of the ledger.</summary>
    internal static bool AddsUp(AccountLedger ledger) => ledger.Balance == ledger.OpeningBalance + ledger.TopUps - ledger.Committed;
}
