using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Money;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

public sealed class AccountAdministrationTests
{
    [Fact]
    public async Task A_top_up_adds_credit_and_answers_the_balance()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);

        var view = (await s.TopUpAsync("t-1", 5.25m)).Answer!;

        Assert.Equal(
            (s.AccountId, AccountMode.Prepaid, AccountStatus.Active, "GBP", 15.25m, 1m, (decimal?)14.25m, (decimal?)null, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), 0m, 1),
            (view.AccountId, view.Mode, view.Status, view.Currency, view.Balance, view.Reserved, view.Available, view.CreditLimit, view.PeriodStart, view.PeriodSpend, view.ActiveSessions));
        Assert.Equal("ok", view.Monitoring.Status);
        Assert.Equal(0m, view.Monitoring.SpendOfLimit);
        var state = await s.StateAsync();
        Assert.Equal(5.25m, Core.Monitoring.MonitorRules.FiguresOf(state, view.PeriodStart.AddDays(1)).Limit); // a pre-paid account is watched against the last credit given
        Assert.Equal(5.25m, state.TopUps);
        Assert.Equal(15.25m, state.Balance);
    }

    [Fact]
    public async Task A_top_up_id_seen_before_changes_nothing()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        var first = (await s.TopUpAsync("t-1", 5m)).Answer!;
        var etag = await s.ETagAsync();

        var same = (await s.TopUpAsync("t-1", 5m)).Answer!;
        var sameIdOtherAmount = await s.TopUpAsync("t-1", 7m);

        Assert.Equal(first, same);
        Assert.Equal(OutcomeErrorKind.Conflict, sameIdOtherAmount.Error?.Kind);
        Assert.Contains("5", sameIdOtherAmount.Error!.Detail, StringComparison.Ordinal);
        Assert.Equal(etag, await s.ETagAsync());
        Assert.Equal(15m, (await s.StateAsync()).Balance);

        await s.TopUpAsync("t-2", 5m);
        Assert.Equal(20m, (await s.StateAsync()).Balance);
    }

    [Fact]
    public async Task A_top_up_id_is_recognised_however_many_top_ups_came_after_it()
    {
        // Invariant 3: a replayed top-up changes nothing, also on a busy account.
        var s = await CreditControlScenario.PrepaidAsync(0m);
        for (var i = 0; i <= AccountState.RecentTopUpCapacity; i++)
        {
            Assert.Null((await s.TopUpAsync($"t-{i}", 1m)).Error);
        }

        var before = (await s.StateAsync()).Balance;
        await s.TopUpAsync("t-0", 1m);

        Assert.Equal(AccountState.RecentTopUpCapacity + 1, before);
        Assert.Equal(before, (await s.StateAsync()).Balance);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-0.0001)]
    public async Task A_top_up_of_no_money_is_invalid(decimal amount)
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        var etag = await s.ETagAsync();

        var outcome = await s.TopUpAsync("t-1", amount);

        Assert.Equal(OutcomeErrorKind.Invalid, outcome.Error!.Kind);
        Assert.Equal(etag, await s.ETagAsync());

        // The refused id is not burnt: the corrected top-up goes through.
        await s.TopUpAsync("t-1", 1m);
        Assert.Equal(11m, (await s.StateAsync()).Balance);
    }

    [Fact]
    public async Task A_top_up_of_an_unknown_account_is_not_found()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);

        var outcome = await s.Admin.TopUpAsync(new TopUpRequest("nobody", "t-1", 5m), default);

        Assert.Equal(OutcomeErrorKind.NotFound, outcome.Error!.Kind);
        Assert.Null(await s.Accounts.GetAsync("nobody", default));
    }

    [Fact]
    public async Task A_top_up_makes_a_refused_destination_affordable()
    {
        var s = await CreditControlScenario.PrepaidAsync(0.30m);
        Assert.Equal(ResultCode.CreditLimitReached, (await s.AuthorizeAsync("call-1", Numbers.London, 300)).Answer!.ResultCode);

        await s.TopUpAsync("t-1", 0.11m);

        Assert.Equal(36, (await s.GrantAsync("call-2", Numbers.London, 300)).GrantedSeconds);
    }

    [Fact]
    public async Task The_opening_balance_applies_only_when_the_account_is_created()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);
        await s.TerminateAsync("call-1", 1, 60);

        var again = (await s.Admin.UpsertAsync(s.AccountId, Fixtures.Prepaid(), 500m, default)).Answer!;
        var renamed = (await s.Admin.UpsertAsync(s.AccountId, Fixtures.Prepaid() with { Name = "Renamed" }, 1000m, default)).Answer!;

        Assert.Equal(9m, again.Balance);
        Assert.Equal(9m, renamed.Balance);
        var state = await s.StateAsync();
        Assert.Equal(10m, state.OpeningBalance);
        Assert.Equal(9m, state.Balance);
        Assert.Equal("Renamed", state.Settings.Name);
    }

    [Fact]
    public async Task Upserting_the_same_settings_writes_nothing()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        var etag = await s.ETagAsync();

        var outcome = await s.Admin.UpsertAsync(s.AccountId, Fixtures.Prepaid(), 10m, default);

        Assert.Null(outcome.Error);
        Assert.Equal(etag, await s.ETagAsync());
    }

    [Fact]
    public async Task Changing_the_currency_of_an_account_holding_money_is_a_conflict()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        var etag = await s.ETagAsync();

        var outcome = await s.Admin.UpsertAsync(s.AccountId, Fixtures.Prepaid() with { Currency = new Currency("EUR") }, 0m, default);

        Assert.Equal(OutcomeErrorKind.Conflict, outcome.Error!.Kind);
        Assert.Equal(etag, await s.ETagAsync());
        Assert.Equal("GBP", (await s.StateAsync()).Settings.Currency.Code);
    }

    [Fact]
    public async Task Changing_the_currency_is_a_conflict_while_only_a_reservation_holds_money()
    {
        var s = await CreditControlScenario.OpenAsync(Fixtures.Postpaid(10m, hard: false), 0m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);

        var outcome = await s.Admin.UpsertAsync(s.AccountId, Fixtures.Postpaid(10m, hard: false) with { Currency = new Currency("EUR") }, 0m, default);

        Assert.Equal(OutcomeErrorKind.Conflict, outcome.Error!.Kind);
    }

    [Fact]
    public async Task An_account_that_never_held_money_may_change_its_currency()
    {
        var s = await CreditControlScenario.PrepaidAsync(0m);

        var view = (await s.Admin.UpsertAsync(s.AccountId, Fixtures.Prepaid() with { Currency = new Currency("EUR") }, 0m, default)).Answer!;

        Assert.Equal("EUR", view.Currency);
    }

    [Fact]
    public async Task Invalid_settings_are_refused_with_every_reason()
    {
        var harness = CreditControlScenario.NewHarness();
        var settings = new AccountSettings(" ", AccountMode.Postpaid, Fixtures.Gbp, null, true, "bad/deck", 32, "Mars/Olympus_Mons", new TaxSettings(TaxTreatment.Standard, 1.5m));

        var outcome = await harness.Admin.UpsertAsync("acme", settings, 0m, default);

        Assert.Equal(OutcomeErrorKind.Invalid, outcome.Error!.Kind);
        var detail = outcome.Error.Detail;
        Assert.Contains("name is required", detail, StringComparison.Ordinal);
        Assert.Contains("hardLimit needs a creditLimit", detail, StringComparison.Ordinal);
        Assert.Contains("rateDeckId", detail, StringComparison.Ordinal);
        Assert.Contains("billingDay", detail, StringComparison.Ordinal);
        Assert.Contains("Mars/Olympus_Mons", detail, StringComparison.Ordinal);
        Assert.Contains("tax.rate", detail, StringComparison.Ordinal);
        Assert.Null(await harness.Accounts.GetAsync("acme", default));
    }

    [Theory]
    [InlineData(-0.01, 1, "creditLimit must not be negative")]
    [InlineData(10, 0, "billingDay")]
    public async Task Each_invalid_setting_is_refused(decimal limit, int billingDay, string reason)
    {
        var harness = CreditControlScenario.NewHarness();
        var settings = Fixtures.Postpaid(limit, hard: true) with { BillingDay = billingDay };

        var outcome = await harness.Admin.UpsertAsync("acme", settings, 0m, default);

        Assert.Equal(OutcomeErrorKind.Invalid, outcome.Error!.Kind);
        Assert.Contains(reason, outcome.Error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_settings_leave_an_existing_account_untouched()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        var etag = await s.ETagAsync();

        var outcome = await s.Admin.UpsertAsync(s.AccountId, Fixtures.Prepaid() with { TimeZone = "Nowhere/Special" }, 0m, default);

        Assert.Equal(OutcomeErrorKind.Invalid, outcome.Error!.Kind);
        Assert.Equal(etag, await s.ETagAsync());
    }
}
