using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

public sealed class InterimTests
{
    [Fact]
    public async Task An_interim_commits_the_use_and_grants_again()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);

        var answer = (await s.InterimAsync("call-1", 1, 60, 60)).Answer!;

        Assert.Equal(new GrantAnswer("call-1", ResultCode.Success, 60, 300, false, 1.00m, 1.00m, "GBP", 8.00m), answer);
        var state = await s.StateAsync();
        Assert.Equal(9.00m, state.Balance);
        Assert.Equal(1.00m, state.Committed);
        Assert.Equal(1.00m, state.Reserved);
        Assert.Equal(1.00m, state.PeriodSpend);
        var session = state.Sessions["call-1"];
        Assert.Equal((60, 1.00m, 60, 1), (session.UsedSeconds, session.CommittedCharge, session.GrantedSeconds, session.LastRequestNumber));
        Assert.Equal(SessionStatus.Active, session.Status);
    }

    [Fact]
    public async Task Use_is_committed_as_the_rating_of_the_whole_call_so_far()
    {
        var s = await CreditControlScenario.PrepaidAsync(100m);
        await s.GrantAsync("call-1", Numbers.London, 300);

        var first = (await s.InterimAsync("call-1", 1, 10, 60)).Answer!;
        Assert.Equal(0.35m, (await s.StateAsync()).Committed); // 10 s bill the 30 s minimum with the connect fee
        Assert.Equal(Numbers.Price(Numbers.London, 70) - 0.35m, first.ReservedAmount);

        var second = (await s.InterimAsync("call-1", 2, 10, 60)).Answer!;
        Assert.Equal(0.35m, (await s.StateAsync()).Committed); // 20 s still fit in the minimum: nothing more
        Assert.Equal(Numbers.Price(Numbers.London, 80) - 0.35m, second.ReservedAmount);

        var third = (await s.InterimAsync("call-1", 3, 11, 60)).Answer!;
        Assert.Equal(0.41m, (await s.StateAsync()).Committed); // 31 s bill 36
        Assert.Equal(Numbers.Price(Numbers.London, 91) - 0.41m, third.ReservedAmount);

        var state = await s.StateAsync();
        Assert.Equal(100m - 0.41m, state.Balance);
        Assert.Equal(third.ReservedAmount, state.Reserved);
        Assert.Equal(31, state.Sessions["call-1"].UsedSeconds);
    }

    [Fact]
    public async Task Use_within_an_already_billed_minimum_needs_no_more_credit()
    {
        var s = await CreditControlScenario.PrepaidAsync(1m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);

        var answer = (await s.InterimAsync("call-1", 1, 30, 30)).Answer!;

        Assert.Equal(ResultCode.Success, answer.ResultCode);
        Assert.Equal(30, answer.GrantedSeconds);
        Assert.Equal(0m, answer.ReservedAmount);
        var state = await s.StateAsync();
        Assert.Equal(0m, state.Balance);
        Assert.Equal(0m, state.Reserved);
    }

    [Fact]
    public async Task An_interim_grant_is_cut_to_what_the_rest_of_the_credit_covers()
    {
        var s = await CreditControlScenario.PrepaidAsync(2.50m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);

        var answer = (await s.InterimAsync("call-1", 1, 60, 120)).Answer!;

        // 1.00 committed, 1.50 left: the call may reach 120 s (2.00 in all), not 180 s (3.00).
        Assert.Equal(ResultCode.Success, answer.ResultCode);
        Assert.Equal(60, answer.GrantedSeconds);
        Assert.True(answer.FinalUnit);
        Assert.Equal(1.00m, answer.ReservedAmount);
        Assert.Equal(0.50m, answer.AvailableAfter);
        var state = await s.StateAsync();
        Assert.Equal(1.50m, state.Balance);
        Assert.Equal(1.00m, state.Reserved);
    }

    [Fact]
    public async Task When_the_credit_is_used_up_an_interim_commits_and_grants_nothing_with_a_final_unit()
    {
        var s = await CreditControlScenario.PrepaidAsync(1m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);

        var answer = (await s.InterimAsync("call-1", 1, 60, 60)).Answer!;

        Assert.Equal(ResultCode.CreditLimitReached, answer.ResultCode);
        Assert.Equal(0, answer.GrantedSeconds);
        Assert.True(answer.FinalUnit);
        Assert.Equal(0m, answer.ReservedAmount);
        Assert.Equal(0m, answer.AvailableAfter);
        var state = await s.StateAsync();
        Assert.Equal(0m, state.Balance);
        Assert.Equal(0m, state.Reserved);

        var end = (await s.TerminateAsync("call-1", 2, 0)).Answer!;
        Assert.Equal(1.00m, end.Charge);
        Assert.Equal(0m, end.Balance);
    }

    [Fact]
    public async Task Without_requested_seconds_an_interim_grants_the_default_quota()
    {
        var s = await CreditControlScenario.PrepaidAsync(100m);
        await s.GrantAsync("call-1", Numbers.France, 60);

        var answer = (await s.InterimAsync("call-1", 1, 60, null)).Answer!;

        Assert.Equal(300, answer.GrantedSeconds);
        Assert.Equal(Numbers.Price(Numbers.France, 360) - Numbers.Price(Numbers.France, 60), answer.ReservedAmount);
    }

    [Fact]
    public async Task A_repeated_request_number_returns_the_stored_answer_and_changes_nothing()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);
        var first = (await s.InterimAsync("call-1", 1, 60, 60)).Answer!;
        var etag = await s.ETagAsync();

        var same = await s.InterimAsync("call-1", 1, 60, 60);
        var sameNumberOtherReport = await s.InterimAsync("call-1", 1, 45, 120);

        Assert.Equal(first, same.Answer);
        Assert.Equal(first, sameNumberOtherReport.Answer);
        Assert.Equal(etag, await s.ETagAsync());
        Assert.Equal(9m, (await s.StateAsync()).Balance);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task A_lower_request_number_is_a_conflict(int number)
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);
        await s.InterimAsync("call-1", 1, 60, 60);
        await s.InterimAsync("call-1", 2, 60, 60);
        var etag = await s.ETagAsync();

        var outcome = await s.InterimAsync("call-1", number, 60, 60);

        Assert.Null(outcome.Answer);
        Assert.Equal(OutcomeErrorKind.Conflict, outcome.Error!.Kind);
        Assert.Equal(etag, await s.ETagAsync());
    }

    [Fact]
    public async Task Request_number_zero_is_the_authorize_and_cannot_be_an_interim()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);

        Assert.Equal(OutcomeErrorKind.Conflict, (await s.InterimAsync("call-1", 0, 60, 60)).Error!.Kind);
        Assert.Equal(10m, (await s.StateAsync()).Balance);
    }

    [Fact]
    public async Task An_interim_on_an_unknown_session_is_not_found()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);

        var outcome = await s.InterimAsync("never", 1, 60, 60);

        Assert.Equal(OutcomeErrorKind.NotFound, outcome.Error!.Kind);
    }

    [Fact]
    public async Task An_interim_on_a_session_whose_authorize_was_denied_is_not_found()
    {
        var s = await CreditControlScenario.PrepaidAsync(0m);
        Assert.Equal(ResultCode.CreditLimitReached, (await s.AuthorizeAsync("call-1", Numbers.Uk, 60)).Answer!.ResultCode);

        var outcome = await s.InterimAsync("call-1", 1, 60, 60);

        Assert.Equal(OutcomeErrorKind.NotFound, outcome.Error!.Kind);
        Assert.Equal(0m, (await s.StateAsync()).Balance);
    }

    [Fact]
    public async Task An_interim_after_terminate_is_a_conflict()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);
        await s.InterimAsync("call-1", 1, 60, 60);
        await s.TerminateAsync("call-1", 2, 10);
        var etag = await s.ETagAsync();

        Assert.Equal(OutcomeErrorKind.Conflict, (await s.InterimAsync("call-1", 3, 10, 60)).Error!.Kind);
        Assert.Equal(OutcomeErrorKind.Conflict, (await s.InterimAsync("call-1", 1, 60, 60)).Error!.Kind);
        Assert.Equal(etag, await s.ETagAsync());
        Assert.Equal(8m, (await s.StateAsync()).Balance);
    }

    [Fact]
    public async Task An_interim_on_a_suspended_account_commits_the_use_and_grants_nothing()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);
        await s.ReplaceAsync(a => a with { Status = AccountStatus.Suspended });

        var answer = (await s.InterimAsync("call-1", 1, 60, 60)).Answer!;

        Assert.Equal(ResultCode.AccountSuspended, answer.ResultCode);
        Assert.Equal(0, answer.GrantedSeconds);
        Assert.True(answer.FinalUnit);
        var state = await s.StateAsync();
        Assert.Equal(9m, state.Balance);
        Assert.Equal(0m, state.Reserved);
    }

    [Fact]
    public async Task A_post_paid_hard_limit_interim_counts_the_call_so_far_against_the_limit()
    {
        var s = await CreditControlScenario.OpenAsync(Fixtures.Postpaid(3m, hard: true), 0m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);
        await s.GrantAsync("call-2", Numbers.Uk, 60);

        var answer = (await s.InterimAsync("call-1", 1, 60, 120)).Answer!;

        // call-1 has spent 1.00, call-2 holds 1.00: 1.00 of the limit is left for call-1 to go on.
        Assert.Equal(60, answer.GrantedSeconds);
        Assert.True(answer.FinalUnit);
        Assert.Equal(0m, answer.AvailableAfter);
        var state = await s.StateAsync();
        Assert.Equal(1m, state.PeriodSpend);
        Assert.Equal(2m, state.Reserved);
        Assert.Equal(3m, state.PeriodSpend + state.Reserved);
    }

    [Fact]
    public async Task A_post_paid_soft_limit_interim_grants_what_was_asked()
    {
        var s = await CreditControlScenario.OpenAsync(Fixtures.Postpaid(1m, hard: false), 0m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);

        var answer = (await s.InterimAsync("call-1", 1, 60, 600)).Answer!;

        Assert.Equal(ResultCode.Success, answer.ResultCode);
        Assert.Equal(600, answer.GrantedSeconds);
        Assert.Equal(10m, answer.ReservedAmount);
        Assert.Equal(1m - 11m, answer.AvailableAfter);
    }
}
