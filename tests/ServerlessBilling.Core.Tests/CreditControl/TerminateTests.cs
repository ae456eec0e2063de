using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

public sealed class TerminateTests
{
    /// <summary>
    /// Invariant 4, one price: the session charges what the call's CDR would cost, however its use was reported.
    /// The last report is the terminate; the ones before it are interims.
    /// </summary>
    [Theory]
    [InlineData(Numbers.London, new[] { 300, 42 }, 342, 3.47)] // 342 − 30 = 312 is whole 6 s increments: billed 342
    [InlineData(Numbers.London, new[] { 343 }, 348, 3.53)]
    [InlineData(Numbers.London, new[] { 300, 43 }, 348, 3.53)]
    [InlineData(Numbers.London, new[] { 10 }, 30, 0.35)]
    [InlineData(Numbers.London, new[] { 30 }, 30, 0.35)]
    [InlineData(Numbers.London, new[] { 31 }, 36, 0.41)]
    [InlineData(Numbers.London, new[] { 20, 11 }, 36, 0.41)]
    [InlineData(Numbers.London, new[] { 5, 5, 5, 5, 5, 5, 6 }, 36, 0.41)]
    [InlineData(Numbers.London, new[] { 36, 0 }, 36, 0.41)]
    [InlineData(Numbers.London, new[] { 0 }, 0, 0)]
    [InlineData(Numbers.London, new[] { 0, 0 }, 0, 0)]
    [InlineData(Numbers.Uk, new[] { 1 }, 60, 1.00)]
    [InlineData(Numbers.Uk, new[] { 60 }, 60, 1.00)]
    [InlineData(Numbers.Uk, new[] { 61 }, 120, 2.00)]
    [InlineData(Numbers.Uk, new[] { 30, 30, 1 }, 120, 2.00)]
    [InlineData(Numbers.France, new[] { 1 }, 1, 0.0025)]
    [InlineData(Numbers.France, new[] { 59, 1 }, 60, 0.15)]
    [InlineData(Numbers.France, new[] { 7 }, 7, 0.0175)]
    [InlineData(Numbers.France, new[] { 100, 100, 101 }, 301, 0.7525)]
    public async Task The_terminate_charges_the_whole_call_exactly_as_its_cdr_would(string called, int[] reports, int billed, decimal charge)
    {
        var s = await CreditControlScenario.PrepaidAsync(100m);
        await s.GrantAsync("call-1", called, 600);
        for (var i = 0; i < reports.Length - 1; i++)
        {
            Assert.Equal(ResultCode.Success, (await s.InterimAsync("call-1", i + 1, reports[i], 600)).Answer!.ResultCode);
        }

        var end = (await s.TerminateAsync("call-1", reports.Length, reports[^1])).Answer!;

        var total = reports.Sum();
        var tariff = Numbers.TariffOf(called);
        var cdr = Fixtures.Deck().Rate(called, Fixtures.Now, total, Disposition.Answered);
        Assert.Equal(total, end.TotalSeconds);
        Assert.Equal(billed, end.BilledSeconds);
        Assert.Equal(charge, end.Charge);
        Assert.Equal(Rater.Charge(tariff, Rater.BilledSeconds(total, answered: true, tariff)), end.Charge);
        Assert.Equal((cdr.BilledSeconds, cdr.Charge), (end.BilledSeconds, end.Charge));
        Assert.Equal("GBP", end.Currency);
        Assert.Equal(100m - charge, end.Balance);

        var state = await s.StateAsync();
        Assert.Equal(100m - charge, state.Balance);
        Assert.Equal(charge, state.Committed);
        Assert.Equal(charge, state.PeriodSpend);
        Assert.Equal(0m, state.Reserved);
        Assert.Equal(0, state.ActiveSessions);
        var session = state.Sessions["call-1"];
        Assert.Equal((SessionStatus.Terminated, total, charge, 0m), (session.Status, session.UsedSeconds, session.CommittedCharge, session.Reserved));
    }

    [Fact]
    public async Task The_terminate_releases_the_unused_reservation()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("call-1", Numbers.London, 300);
        await s.GrantAsync("call-2", Numbers.Uk, 120);
        Assert.Equal(5.05m, (await s.StateAsync()).Reserved);

        var end = (await s.TerminateAsync("call-1", 1, 42)).Answer!;

        Assert.Equal(0.47m, end.Charge);
        Assert.Equal(9.53m, end.Balance);
        var state = await s.StateAsync();
        Assert.Equal(2.00m, state.Reserved); // only call-2 holds credit now
        Assert.Equal(7.53m, state.Available);
        Assert.Equal(1, state.ActiveSessions);
    }

    [Fact]
    public async Task A_terminate_with_no_use_charges_nothing_and_releases_everything()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("call-1", Numbers.London, 300);

        var end = (await s.TerminateAsync("call-1", 1, 0)).Answer!;

        Assert.Equal((0, 0, 0m, 10m), (end.TotalSeconds, end.BilledSeconds, end.Charge, end.Balance));
        var state = await s.StateAsync();
        Assert.Equal(0m, state.Reserved);
        Assert.Equal(0m, state.Committed);
    }

    [Fact]
    public async Task Use_beyond_the_grant_of_a_pre_paid_account_is_charged_only_as_far_as_its_credit_goes()
    {
        var s = await CreditControlScenario.PrepaidAsync(1m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);

        var end = (await s.TerminateAsync("call-1", 1, 3600)).Answer!;

        Assert.Equal((3600, 60, 1.00m, 0m, 3540), (end.TotalSeconds, end.BilledSeconds, end.Charge, end.Balance, end.OverrunSeconds));
        Assert.Equal(0m, (await s.StateAsync()).Balance);
    }

    [Fact]
    public async Task Use_beyond_the_grant_of_a_pre_paid_account_is_charged_when_unreserved_credit_covers_it()
    {
        var s = await CreditControlScenario.PrepaidAsync(5m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);

        var end = (await s.TerminateAsync("call-1", 1, 61)).Answer!;

        Assert.Equal((61, 120, 2.00m, 3.00m, 1), (end.TotalSeconds, end.BilledSeconds, end.Charge, end.Balance, end.OverrunSeconds));
    }

    [Fact]
    public async Task Use_beyond_the_grant_of_a_post_paid_account_is_charged_in_full_and_flagged()
    {
        var s = await CreditControlScenario.PostpaidAsync(1m, hard: true);
        await s.GrantAsync("call-1", Numbers.Uk, 60);

        var end = (await s.TerminateAsync("call-1", 1, 3600)).Answer!;

        Assert.Equal((3600, 3600, 60.00m, 3540), (end.TotalSeconds, end.BilledSeconds, end.Charge, end.OverrunSeconds));
        Assert.Equal(60.00m, (await s.StateAsync()).PeriodSpend);
    }

    [Theory]
    [InlineData(86_401)]
    [InlineData(int.MaxValue)]
    [InlineData(-1)]
    public async Task A_report_beyond_24_hours_is_invalid_and_changes_nothing(int used)
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);
        var etag = await s.ETagAsync();

        Assert.Equal(OutcomeErrorKind.Invalid, (await s.InterimAsync("call-1", 1, used)).Error?.Kind);
        Assert.Equal(OutcomeErrorKind.Invalid, (await s.TerminateAsync("call-1", 1, used)).Error?.Kind);
        Assert.Equal(etag, await s.ETagAsync());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public async Task A_repeated_terminate_returns_the_stored_answer_and_changes_nothing(int number)
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("call-1", Numbers.London, 300);
        var first = (await s.TerminateAsync("call-1", 1, 42)).Answer!;
        var etag = await s.ETagAsync();

        var again = await s.TerminateAsync("call-1", number, 100);

        Assert.Equal(first, again.Answer);
        Assert.Equal(etag, await s.ETagAsync());
        Assert.Equal(9.53m, (await s.StateAsync()).Balance);
    }

    [Fact]
    public async Task A_terminate_of_an_unknown_session_without_call_information_is_not_found()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        var etag = await s.ETagAsync();

        var outcome = await s.TerminateAsync("never", 1, 60);

        Assert.Null(outcome.Answer);
        Assert.Equal(OutcomeErrorKind.NotFound, outcome.Error!.Kind);
        Assert.Equal(etag, await s.ETagAsync());
    }

    [Fact]
    public async Task A_terminate_of_a_session_whose_authorize_was_denied_is_not_found()
    {
        var s = await CreditControlScenario.PrepaidAsync(0m);
        Assert.Equal(ResultCode.CreditLimitReached, (await s.AuthorizeAsync("call-1", Numbers.Uk, 60)).Answer!.ResultCode);

        Assert.Equal(OutcomeErrorKind.NotFound, (await s.TerminateAsync("call-1", 1, 60)).Error!.Kind);
    }
}
