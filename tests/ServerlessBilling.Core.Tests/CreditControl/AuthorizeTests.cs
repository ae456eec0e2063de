using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

public sealed class AuthorizeTests
{
    [Fact]
    public async Task A_covered_request_is_granted_in_full_with_its_price_and_the_position_after_it()
    {
        var s = await CreditControlScenario.PrepaidAsync(100m);

        var answer = await s.GrantAsync("call-1", Numbers.London, 300);

        // 300 s on 30/6 bills 300 s: 0.05 + 0.60 × 300 / 60.
        Assert.Equal(new GrantAnswer("call-1", ResultCode.Success, 300, 300, false, 3.05m, 0.60m, "GBP", 96.95m), answer);
        var state = await s.StateAsync();
        Assert.Equal(100m, state.Balance);
        Assert.Equal(3.05m, state.Reserved);
        Assert.Equal(96.95m, state.Available);
        Assert.Equal(1, state.ActiveSessions);
        var session = state.Sessions["call-1"];
        Assert.Equal(SessionStatus.Active, session.Status);
        Assert.Equal("4420", session.Prefix);
        Assert.Equal(Numbers.TariffOf(Numbers.London), session.Tariff);
    }

    [Theory]
    [InlineData(Numbers.London, 1, 0.35)] // the 30 s minimum and the connect fee
    [InlineData(Numbers.London, 10, 0.35)]
    [InlineData(Numbers.London, 30, 0.35)]
    [InlineData(Numbers.London, 31, 0.41)] // one 6 s increment past the minimum
    [InlineData(Numbers.London, 36, 0.41)]
    [InlineData(Numbers.London, 37, 0.47)]
    [InlineData(Numbers.Uk, 1, 1.00)]
    [InlineData(Numbers.Uk, 60, 1.00)]
    [InlineData(Numbers.Uk, 61, 2.00)]
    [InlineData(Numbers.France, 1, 0.0025)]
    [InlineData(Numbers.France, 7, 0.0175)]
    [InlineData(Numbers.France, 400, 1.00)]
    public async Task The_reservation_is_the_rating_of_the_granted_seconds_as_a_call(string called, int seconds, decimal expected)
    {
        var s = await CreditControlScenario.PrepaidAsync(100m);

        var answer = await s.GrantAsync("call-1", called, seconds);

        Assert.Equal(seconds, answer.GrantedSeconds);
        Assert.Equal(expected, answer.ReservedAmount);
        Assert.Equal(Fixtures.Deck().Rate(called, Fixtures.Now, seconds, Disposition.Answered).Charge, answer.ReservedAmount);
        Assert.Equal(100m - expected, answer.AvailableAfter);
        Assert.Equal(expected, (await s.StateAsync()).Reserved);
    }

    [Fact]
    public async Task An_unknown_account_is_answered_not_found_and_nothing_is_created()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);

        var outcome = await s.Service.AuthorizeAsync(new AuthorizeRequest("call-1", "nobody", Numbers.Caller, Numbers.London, null, 60), default);

        Assert.Null(outcome.Error);
        Assert.Equal(ResultCode.AccountNotFound, outcome.Answer!.ResultCode);
        Assert.Equal(0, outcome.Answer.GrantedSeconds);
        Assert.Equal(0m, outcome.Answer.ReservedAmount);
        Assert.Null(await s.Accounts.GetAsync("nobody", default));
    }

    [Fact]
    public async Task An_unknown_account_leaves_no_claim_so_the_call_retried_with_the_right_account_is_granted_and_charged_once()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        var misrouted = s.Request("call-1", Numbers.Uk, 120) with { AccountId = "nobody" };

        var unknown = (await s.AuthorizeAsync(misrouted)).Answer!;
        var grant = (await s.AuthorizeAsync("call-1", Numbers.Uk, 120)).Answer!;

        Assert.Equal(ResultCode.AccountNotFound, unknown.ResultCode);
        Assert.Equal(new GrantAnswer("call-1", ResultCode.Success, 120, 300, false, 2.00m, 1.00m, "GBP", 8.00m), grant);
        Assert.Equal(grant, (await s.AuthorizeAsync("call-1", Numbers.Uk, 120)).Answer);
        Assert.Equal(unknown, (await s.AuthorizeAsync(misrouted)).Answer);
        Assert.Equal(1.00m, (await s.TerminateAsync("call-1", 1, 45)).Answer!.Charge);
        Assert.Equal(1.00m, (await s.TerminateAsync("call-1", 1, 45)).Answer!.Charge);
        var state = await s.StateAsync();
        Assert.Equal((9.00m, 0m, 0), (state.Balance, state.Reserved, state.ActiveSessions));
    }

    /// <summary>
    /// Only ACCOUNT_NOT_FOUND lets the id go: a denial of a real account (suspended, unrated destination, no credit) is that
    /// account's call, which its switch may repeat (after a top-up, a resume, a deck fix) and whose CDR is that account's.
    /// </summary>
    [Theory]
    [InlineData(Numbers.Unrated, false)]
    [InlineData(Numbers.London, true)]
    public async Task A_denial_of_a_real_account_keeps_the_session_id_with_it(string called, bool suspended)
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        var other = await s.OpenAnotherAsync("other", Fixtures.Prepaid(), 10m);
        if (suspended)
        {
            Assert.Null((await s.Admin.SuspendAsync(s.AccountId, "test", byPolicy: false, default)).Error);
        }

        var denied = (await s.AuthorizeAsync("call-1", called)).Answer!;

        Assert.Equal(suspended ? ResultCode.AccountSuspended : ResultCode.DestinationNotRated, denied.ResultCode);
        Assert.Equal(OutcomeErrorKind.Conflict, (await other.AuthorizeAsync("call-1")).Error?.Kind);
        Assert.Empty((await other.StateAsync()).Sessions);
    }

    [Fact]
    public async Task An_unrated_destination_is_refused_and_reserves_nothing()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        var before = await s.ETagAsync();

        var answer = (await s.AuthorizeAsync("call-1", Numbers.Unrated, 60)).Answer!;

        Assert.Equal(ResultCode.DestinationNotRated, answer.ResultCode);
        Assert.Equal(0, answer.GrantedSeconds);
        Assert.True(answer.FinalUnit);
        Assert.Equal(0m, answer.ReservedAmount);
        Assert.Equal("GBP", answer.Currency);
        Assert.Equal(before, await s.ETagAsync());
        Assert.Empty((await s.StateAsync()).Sessions);
    }

    [Fact]
    public async Task A_destination_rated_only_before_the_call_starts_is_not_rated()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        const string Csv = """
            prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to
            44,United Kingdom,1.00,0,60,60,2026-01-01,2026-11-01
            """;
        Assert.True((await s.Admin.ImportDeckAsync("expired-deck", new StringReader(Csv), default)).Succeeded);
        Assert.Null((await s.Admin.UpsertAsync(s.AccountId, Fixtures.Prepaid("expired-deck"), 0m, default)).Error);

        Assert.Equal(ResultCode.DestinationNotRated, (await s.AuthorizeAsync("call-now", Numbers.Uk)).Answer!.ResultCode);
        Assert.Equal(ResultCode.Success, (await s.AuthorizeAsync("call-october", Numbers.Uk, 60, new DateTimeOffset(2026, 10, 31, 23, 0, 0, TimeSpan.Zero))).Answer!.ResultCode);
    }

    [Fact]
    public async Task A_suspended_account_is_refused_and_reserves_nothing()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.ReplaceAsync(a => a with { Status = AccountStatus.Suspended });
        var before = await s.ETagAsync();

        var answer = (await s.AuthorizeAsync("call-1", Numbers.Uk, 60)).Answer!;

        Assert.Equal(ResultCode.AccountSuspended, answer.ResultCode);
        Assert.Equal(0, answer.GrantedSeconds);
        Assert.True(answer.FinalUnit);
        Assert.Equal(before, await s.ETagAsync());
        Assert.Equal(0m, (await s.StateAsync()).Reserved);
    }

    [Theory]
    [InlineData(Numbers.London, 0.34)] // the minimum 30 s with the connect fee cost 0.35
    [InlineData(Numbers.Uk, 0.99)] // the 60 s minimum costs 1.00
    [InlineData(Numbers.France, 0.0024)] // one second costs 0.0025
    [InlineData(Numbers.Uk, 0)]
    public async Task When_even_the_minimum_is_not_covered_the_credit_limit_is_reached(string called, decimal balance)
    {
        var s = await CreditControlScenario.PrepaidAsync(balance);
        var before = await s.ETagAsync();

        var answer = (await s.AuthorizeAsync("call-1", called, 300)).Answer!;

        Assert.Equal(ResultCode.CreditLimitReached, answer.ResultCode);
        Assert.Equal(0, answer.GrantedSeconds);
        Assert.True(answer.FinalUnit);
        Assert.Equal(0m, answer.ReservedAmount);
        Assert.Equal(Numbers.TariffOf(called).RatePerMinute, answer.RatePerMinute);
        Assert.Equal(balance, answer.AvailableAfter);
        Assert.Equal(before, await s.ETagAsync());
    }

    [Theory]
    [InlineData(Numbers.France, 0.50, 200)] // 0.15/min, 1/1: 200 s cost exactly 0.50
    [InlineData(Numbers.France, 0.5024, 200)]
    [InlineData(Numbers.France, 0.5025, 201)]
    [InlineData(Numbers.France, 0.0025, 1)]
    [InlineData(Numbers.London, 0.35, 30)] // 0.05 + 0.01 × billed: the minimum only
    [InlineData(Numbers.London, 0.40, 30)]
    [InlineData(Numbers.London, 0.41, 36)]
    [InlineData(Numbers.London, 1.00, 90)] // 96 s would cost 1.01
    [InlineData(Numbers.London, 1.01, 96)]
    [InlineData(Numbers.London, 3.04, 294)]
    [InlineData(Numbers.Uk, 1.00, 60)]
    [InlineData(Numbers.Uk, 4.99, 240)]
    public async Task A_grant_cut_by_credit_is_the_largest_billing_step_whose_charge_is_covered_and_is_final(string called, decimal balance, int expected)
    {
        var s = await CreditControlScenario.PrepaidAsync(balance);

        var answer = await s.GrantAsync("call-1", called, 300);

        Assert.Equal(expected, answer.GrantedSeconds);
        Assert.True(answer.FinalUnit);
        Assert.Equal(Numbers.Price(called, expected), answer.ReservedAmount);
        Assert.True(answer.ReservedAmount <= balance);
        Assert.True(Numbers.Price(called, expected + 1) > balance, "one second more would have been covered too");
        Assert.Equal(balance - answer.ReservedAmount, answer.AvailableAfter);
        var state = await s.StateAsync();
        Assert.True(state.Balance - state.Reserved >= 0m);
    }

    [Fact]
    public async Task Exactly_enough_credit_grants_what_was_asked_and_is_not_final()
    {
        var s = await CreditControlScenario.PrepaidAsync(3.05m);

        var answer = await s.GrantAsync("call-1", Numbers.London, 300);

        Assert.Equal(300, answer.GrantedSeconds);
        Assert.False(answer.FinalUnit);
        Assert.Equal(0m, answer.AvailableAfter);
    }

    [Fact]
    public async Task Later_calls_are_authorized_against_what_earlier_reservations_left()
    {
        var s = await CreditControlScenario.PrepaidAsync(3.50m);

        var first = await s.GrantAsync("call-1", Numbers.Uk, 120);
        var second = await s.GrantAsync("call-2", Numbers.Uk, 120);
        var third = (await s.AuthorizeAsync("call-3", Numbers.Uk, 120)).Answer!;

        Assert.Equal((120, false, 2.00m, 1.50m), (first.GrantedSeconds, first.FinalUnit, first.ReservedAmount, first.AvailableAfter));
        Assert.Equal((60, true, 1.00m, 0.50m), (second.GrantedSeconds, second.FinalUnit, second.ReservedAmount, second.AvailableAfter));
        Assert.Equal(ResultCode.CreditLimitReached, third.ResultCode);
        Assert.Equal(0.50m, third.AvailableAfter);
        var state = await s.StateAsync();
        Assert.Equal(3.00m, state.Reserved);
        Assert.Equal(3.50m, state.Balance);
    }

    [Fact]
    public async Task Without_requested_seconds_the_default_quota_is_granted()
    {
        var s = await CreditControlScenario.PrepaidAsync(100m);

        var answer = await s.GrantAsync("call-1", Numbers.Uk, null);

        Assert.Equal(s.Harness.Options.DefaultQuotaSeconds, answer.GrantedSeconds);
        Assert.Equal(300, answer.GrantedSeconds);
        Assert.False(answer.FinalUnit);
        Assert.Equal(5.00m, answer.ReservedAmount);
    }

    [Fact]
    public async Task The_default_quota_comes_from_the_options()
    {
        var s = await CreditControlScenario.PrepaidAsync(100m, new CreditControlOptions { DefaultQuotaSeconds = 90 });

        var answer = await s.GrantAsync("call-1", Numbers.Uk, null);

        Assert.Equal(90, answer.GrantedSeconds);
        Assert.Equal(2.00m, answer.ReservedAmount);
    }

    [Theory]
    [InlineData(599, 599)]
    [InlineData(600, 600)]
    [InlineData(601, 600)]
    [InlineData(100_000, 600)]
    public async Task No_grant_exceeds_the_maximum_quota(int requested, int expected)
    {
        var s = await CreditControlScenario.PrepaidAsync(1000m, new CreditControlOptions { MaxQuotaSeconds = 600 });

        var answer = await s.GrantAsync("call-1", Numbers.France, requested);

        Assert.Equal(expected, answer.GrantedSeconds);
        Assert.False(answer.FinalUnit); // the cap bounds one grant; it does not end the call
        Assert.Equal(Numbers.Price(Numbers.France, expected), answer.ReservedAmount);
    }

    [Fact]
    public async Task A_grant_is_valid_for_at_least_the_validity_time_and_at_least_its_own_length()
    {
        var s = await CreditControlScenario.PrepaidAsync(100m, new CreditControlOptions { ValiditySeconds = 120 });

        Assert.Equal(120, (await s.GrantAsync("short", Numbers.France, 60)).ValiditySeconds);
        Assert.Equal(400, (await s.GrantAsync("long", Numbers.France, 400)).ValiditySeconds);
    }

    [Fact]
    public async Task Repeating_an_authorize_returns_the_first_answer_and_reserves_nothing_more()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        var first = await s.GrantAsync("call-1", Numbers.London, 300);
        var etag = await s.ETagAsync();

        var again = await s.AuthorizeAsync("call-1", Numbers.London, 300);
        var third = await s.AuthorizeAsync("call-1", Numbers.London, 300);

        Assert.Equal(first, again.Answer);
        Assert.Equal(first, third.Answer);
        Assert.Equal(etag, await s.ETagAsync());
        Assert.Equal(3.05m, (await s.StateAsync()).Reserved);
    }

    [Fact]
    public async Task Repeating_an_authorize_after_the_session_moved_on_still_returns_the_first_answer()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        var first = await s.GrantAsync("call-1", Numbers.Uk, 60);
        await s.InterimAsync("call-1", 1, 60, 60);
        await s.TerminateAsync("call-1", 2, 30);
        var etag = await s.ETagAsync();

        Assert.Equal(first, (await s.AuthorizeAsync("call-1", Numbers.Uk, 60)).Answer);
        Assert.Equal(etag, await s.ETagAsync());
        Assert.Equal(8m, (await s.StateAsync()).Balance);
    }

    [Theory]
    [InlineData(Numbers.London, 301)]
    [InlineData(Numbers.Uk, 300)]
    [InlineData(Numbers.London, null)]
    public async Task The_same_session_id_with_other_parameters_is_a_conflict(string called, int? seconds)
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("call-1", Numbers.London, 300);
        var etag = await s.ETagAsync();

        var outcome = await s.AuthorizeAsync("call-1", called, seconds);

        Assert.Null(outcome.Answer);
        Assert.Equal(OutcomeErrorKind.Conflict, outcome.Error!.Kind);
        Assert.Equal(etag, await s.ETagAsync());
    }

    [Fact]
    public async Task The_same_session_id_with_another_start_time_is_a_conflict()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        Assert.Null((await s.AuthorizeAsync(s.Request("call-1", Numbers.Uk, 60, Fixtures.Now))).Error);

        var outcome = await s.AuthorizeAsync(s.Request("call-1", Numbers.Uk, 60, Fixtures.Now.AddSeconds(1)));

        Assert.Equal(OutcomeErrorKind.Conflict, outcome.Error!.Kind);
    }

    [Fact]
    public async Task A_session_id_of_another_account_is_a_conflict()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        var other = await s.OpenAnotherAsync("globex", Fixtures.Prepaid(), 10m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);

        var outcome = await other.AuthorizeAsync("call-1", Numbers.Uk, 60);

        Assert.Equal(OutcomeErrorKind.Conflict, outcome.Error!.Kind);
        Assert.Equal(0m, (await other.StateAsync()).Reserved);
        Assert.Equal(1m, (await s.StateAsync()).Reserved);
    }

    [Fact]
    public async Task A_denied_authorize_leaves_no_session_and_may_be_retried_after_a_top_up()
    {
        var s = await CreditControlScenario.PrepaidAsync(0.50m);
        Assert.Equal(ResultCode.CreditLimitReached, (await s.AuthorizeAsync("call-1", Numbers.Uk, 60)).Answer!.ResultCode);
        Assert.Empty((await s.StateAsync()).Sessions);

        await s.TopUpAsync("t-1", 0.50m);

        var retry = await s.GrantAsync("call-1", Numbers.Uk, 60);
        Assert.Equal(60, retry.GrantedSeconds);
        Assert.Equal(0m, retry.AvailableAfter);
    }

    [Fact]
    public async Task A_post_paid_hard_limit_authorizes_against_the_limit_less_period_spend_and_reservations()
    {
        var s = await CreditControlScenario.OpenAsync(Fixtures.Postpaid(5m, hard: true), 0m);

        var first = await s.GrantAsync("call-1", Numbers.Uk, 180);
        Assert.Equal((180, 3.00m, 2.00m), (first.GrantedSeconds, first.ReservedAmount, first.AvailableAfter));
        var end = (await s.TerminateAsync("call-1", 1, 100)).Answer!;
        Assert.Equal(2.00m, end.Charge);

        var state = await s.StateAsync();
        Assert.Equal(2.00m, state.PeriodSpend);
        Assert.Equal(-2.00m, state.Balance);
        Assert.Equal(3.00m, state.Available);

        var second = await s.GrantAsync("call-2", Numbers.Uk, 300);
        Assert.Equal(180, second.GrantedSeconds);
        Assert.True(second.FinalUnit);
        Assert.Equal(3.00m, second.ReservedAmount);
        Assert.Equal(0m, second.AvailableAfter);

        var third = (await s.AuthorizeAsync("call-3", Numbers.Uk, 60)).Answer!;
        Assert.Equal(ResultCode.CreditLimitReached, third.ResultCode);
        state = await s.StateAsync();
        Assert.True(state.PeriodSpend + state.Reserved <= 5m);
    }

    [Fact]
    public async Task A_post_paid_hard_limit_ignores_the_balance_and_top_ups()
    {
        var s = await CreditControlScenario.OpenAsync(Fixtures.Postpaid(1m, hard: true), 0m);
        await s.TopUpAsync("t-1", 100m);

        Assert.Equal(60, (await s.GrantAsync("call-1", Numbers.Uk, 300)).GrantedSeconds);
        Assert.Equal(ResultCode.CreditLimitReached, (await s.AuthorizeAsync("call-2", Numbers.Uk, 60)).Answer!.ResultCode);
    }

    [Fact]
    public async Task A_post_paid_soft_limit_always_grants_what_was_asked_but_still_reserves()
    {
        var s = await CreditControlScenario.OpenAsync(Fixtures.Postpaid(1m, hard: false), 0m);

        var first = await s.GrantAsync("call-1", Numbers.Uk, 300);
        var second = await s.GrantAsync("call-2", Numbers.Uk, 300);

        Assert.Equal((300, false, 5.00m, -4.00m), (first.GrantedSeconds, first.FinalUnit, first.ReservedAmount, first.AvailableAfter));
        Assert.Equal((300, false, 5.00m, -9.00m), (second.GrantedSeconds, second.FinalUnit, second.ReservedAmount, second.AvailableAfter));
        var state = await s.StateAsync();
        Assert.Equal(10.00m, state.Reserved);
        Assert.Null(state.Available);
        Assert.Equal(-9.00m, state.DisplayAvailable);
    }

    [Fact]
    public async Task A_post_paid_account_without_a_limit_shows_no_available_credit()
    {
        var settings = Fixtures.Postpaid(0m, hard: false) with { CreditLimit = null };
        var s = await CreditControlScenario.OpenAsync(settings, 0m);

        var answer = await s.GrantAsync("call-1", Numbers.Uk, 120);

        Assert.Equal(120, answer.GrantedSeconds);
        Assert.Equal(2.00m, answer.ReservedAmount);
        Assert.Null(answer.AvailableAfter);
    }

    [Fact]
    public async Task A_hard_limit_account_is_authorized_again_when_a_new_billing_period_starts()
    {
        // The account's period is Nov 1 to Dec 1 (Europe/London, billing day 1); the limit is spent in November.
        var s = await CreditControlScenario.OpenAsync(Fixtures.Postpaid(2m, hard: true), 0m);
        await s.GrantAsync("call-1", Numbers.Uk, 120);
        await s.TerminateAsync("call-1", 1, 120);
        Assert.Equal(ResultCode.CreditLimitReached, (await s.AuthorizeAsync("call-2", Numbers.Uk, 60)).Answer!.ResultCode);

        s.Harness.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 0, 1, TimeSpan.Zero));

        var view = (await s.Admin.GetBalanceAsync(s.AccountId, default))!;
        Assert.Equal(0m, view.PeriodSpend);
        Assert.Equal(2m, view.Available);
        var december = (await s.AuthorizeAsync("call-3", Numbers.Uk, 60)).Answer!;
        Assert.Equal(ResultCode.Success, december.ResultCode);
        Assert.Equal(60, december.GrantedSeconds);
        Assert.Equal(1m, december.AvailableAfter);
    }

    [Theory]
    [InlineData("2026-10-15T00:00:00Z")] // a start in the period before
    [InlineData("2026-12-15T00:00:00Z")] // a start in the period after
    public async Task A_hard_limit_holds_whatever_start_time_the_switch_reports(string start)
    {
        // Limit 2.00 at 1.00 a minute: two one-minute calls, then no more, whichever period the switch says they started in.
        var s = await CreditControlScenario.OpenAsync(Fixtures.Postpaid(2m, hard: true), 0m);
        var granted = 0;
        for (var i = 0; i < 5; i++)
        {
            var answer = (await s.AuthorizeAsync(s.Request($"call-{i}", Numbers.Uk, 60, DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture)))).Answer!;
            if (answer.ResultCode == ResultCode.Success)
            {
                granted++;
                await s.TerminateAsync($"call-{i}", 1, 60);
            }
        }

        var state = await s.StateAsync();
        Assert.Equal(-5m + (5 - granted), state.Balance); // every granted call was charged 1.00
        Assert.True(granted <= 2, $"{granted} calls of 1.00 were granted on a hard limit of 2.00 (balance {state.Balance}, period spend {state.PeriodSpend})");
    }
}
