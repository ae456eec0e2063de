using ServerlessBilling.Testing;
using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Core.Tests.CreditControl;

public sealed class ExpiryTests
{
    [Fact]
    public void Grace_defaults_to_twice_the_validity()
    {
        Assert.Equal(TimeSpan.FromSeconds(600), new CreditControlOptions { ValiditySeconds = 300 }.ExpiryAfterValidity);
        Assert.Equal(TimeSpan.FromSeconds(60), new CreditControlOptions { ValiditySeconds = 30 }.ExpiryAfterValidity);
        Assert.Equal(TimeSpan.FromSeconds(5), new CreditControlOptions { ValiditySeconds = 300, GraceSeconds = 5 }.ExpiryAfterValidity);
        Assert.Equal(TimeSpan.Zero, new CreditControlOptions { GraceSeconds = 0 }.ExpiryAfterValidity);
    }

    [Fact]
    public async Task A_reservation_is_held_until_validity_and_grace_have_passed_then_released_once()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m); // validity 300 s, grace 600 s
        await s.GrantAsync("call-1", Numbers.Uk, 60);

        s.Advance(899);
        Assert.Equal(0, await s.ReleaseExpiredAsync());
        Assert.Equal(1m, (await s.StateAsync()).Reserved);
        Assert.Equal(SessionStatus.Active, (await s.SessionAsync("call-1")).Status);

        s.Advance(1);
        Assert.Equal(1, await s.ReleaseExpiredAsync());
        var state = await s.StateAsync();
        Assert.Equal(0m, state.Reserved);
        Assert.Equal(10m, state.Balance);
        Assert.Equal(0, state.ActiveSessions);
        Assert.Equal(Fixtures.Now.AddSeconds(900) + TimeSpan.FromDays(2), state.NextExpiry); // when the sweep drops the expired session
        var session = state.Sessions["call-1"];
        Assert.Equal((SessionStatus.Expired, 0m, 0), (session.Status, session.Reserved, session.GrantedSeconds));

        var etag = await s.ETagAsync();
        s.Advance(10_000);
        Assert.Equal(0, await s.ReleaseExpiredAsync());
        Assert.Equal(etag, await s.ETagAsync());
    }

    [Theory]
    [InlineData(60, 149, 150)] // validity 120 + grace 30
    [InlineData(120, 149, 150)]
    [InlineData(300, 329, 330)] // a grant longer than the validity is valid for its own length
    public async Task The_expiry_follows_the_options(int granted, int stillHeldAt, int releasedAt)
    {
        var s = await CreditControlScenario.PrepaidAsync(100m, new CreditControlOptions { ValiditySeconds = 120, GraceSeconds = 30 });
        await s.GrantAsync("call-1", Numbers.France, granted);

        s.Advance(stillHeldAt);
        Assert.Equal(0, await s.ReleaseExpiredAsync());
        Assert.Equal(Numbers.Price(Numbers.France, granted), (await s.StateAsync()).Reserved);

        s.Advance(releasedAt - stillHeldAt);
        Assert.Equal(1, await s.ReleaseExpiredAsync());
        Assert.Equal(0m, (await s.StateAsync()).Reserved);
    }

    [Fact]
    public async Task Only_the_expired_sessions_are_released()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("old", Numbers.Uk, 60);
        s.Advance(500);
        await s.GrantAsync("new", Numbers.Uk, 120);

        s.Advance(400);
        Assert.Equal(1, await s.ReleaseExpiredAsync());

        var state = await s.StateAsync();
        Assert.Equal(SessionStatus.Expired, state.Sessions["old"].Status);
        Assert.Equal(SessionStatus.Active, state.Sessions["new"].Status);
        Assert.Equal(2m, state.Reserved);
        Assert.Equal(Testing.Fixtures.Now.AddSeconds(500 + 300 + 600), state.NextExpiry);
    }

    [Fact]
    public async Task An_interim_renews_the_expiry()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);
        s.Advance(800);
        await s.InterimAsync("call-1", 1, 60, 60);

        s.Advance(800);
        Assert.Equal(0, await s.ReleaseExpiredAsync());
        Assert.Equal(1m, (await s.StateAsync()).Reserved);

        s.Advance(100);
        Assert.Equal(1, await s.ReleaseExpiredAsync());
        Assert.Equal(0m, (await s.StateAsync()).Reserved);
    }

    [Fact]
    public async Task A_terminate_after_expiry_still_charges_the_whole_call()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("call-1", Numbers.London, 300);
        s.Advance(900);
        Assert.Equal(1, await s.ReleaseExpiredAsync());

        var end = (await s.TerminateAsync("call-1", 1, 300)).Answer!;

        Assert.Equal(ResultCode.Success, end.ResultCode);
        Assert.Equal(3.05m, end.Charge);
        Assert.Equal(6.95m, end.Balance);
        var state = await s.StateAsync();
        Assert.Equal(0m, state.Reserved);
        Assert.Equal(SessionStatus.Terminated, state.Sessions["call-1"].Status);
        Assert.Equal(0, await s.ReleaseExpiredAsync());
        Assert.Equal(6.95m, (await s.StateAsync()).Balance);
    }

    [Fact]
    public async Task A_late_terminate_of_a_pre_paid_call_is_charged_only_what_the_credit_still_covers()
    {
        var s = await CreditControlScenario.PrepaidAsync(1m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);
        s.Advance(900);
        Assert.Equal(1, await s.ReleaseExpiredAsync());
        await s.GrantAsync("call-2", Numbers.Uk, 60); // the released 1.00 is held by another call now

        var late = (await s.TerminateAsync("call-1", 1, 60)).Answer!;
        var second = (await s.TerminateAsync("call-2", 1, 60)).Answer!;

        // The whole late use is an overrun (its grant was gone) and nothing covers it: it is recorded, not charged.
        Assert.Equal((60, 0, 0m, 60), (late.TotalSeconds, late.BilledSeconds, late.Charge, late.OverrunSeconds));
        Assert.Equal(1.00m, second.Charge);
        var state = await s.StateAsync();
        Assert.Equal(0m, state.Balance);
        Assert.Equal(1m, state.Committed);
        Assert.Equal(0m, state.Reserved);
        Assert.Equal(60, (await s.SessionAsync("call-1")).OverrunSeconds);
    }

    [Fact]
    public async Task A_late_terminate_of_a_post_paid_call_is_charged_in_full_and_flagged()
    {
        var s = await CreditControlScenario.PostpaidAsync(1m, hard: true);
        await s.GrantAsync("call-1", Numbers.Uk, 60);
        s.Advance(900);
        Assert.Equal(1, await s.ReleaseExpiredAsync());

        var late = (await s.TerminateAsync("call-1", 1, 60)).Answer!;

        Assert.Equal((60, 60, 1.00m, 60), (late.TotalSeconds, late.BilledSeconds, late.Charge, late.OverrunSeconds));
    }

    [Fact]
    public async Task An_interim_after_expiry_commits_the_use_and_grants_from_what_is_left()
    {
        var s = await CreditControlScenario.PrepaidAsync(2m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);
        s.Advance(900);
        Assert.Equal(1, await s.ReleaseExpiredAsync());

        var answer = (await s.InterimAsync("call-1", 1, 60, 60)).Answer!;

        Assert.Equal(ResultCode.Success, answer.ResultCode);
        Assert.Equal(60, answer.GrantedSeconds);
        var state = await s.StateAsync();
        Assert.Equal(1m, state.Balance);
        Assert.Equal(1m, state.Reserved);
        Assert.Equal(SessionStatus.Active, state.Sessions["call-1"].Status);
    }

    [Fact]
    public async Task The_sweep_counts_each_account_it_changed_once()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        var other = await s.OpenAnotherAsync("globex", Testing.Fixtures.Prepaid(), 10m);
        var idle = await s.OpenAnotherAsync("initech", Testing.Fixtures.Prepaid(), 10m);
        await s.GrantAsync("a-1", Numbers.Uk, 60);
        await s.GrantAsync("a-2", Numbers.Uk, 60);
        await other.GrantAsync("b-1", Numbers.Uk, 60);
        var idleETag = await idle.ETagAsync();

        s.Advance(900);

        Assert.Equal(2, await s.ReleaseExpiredAsync());
        Assert.Equal(0m, (await s.StateAsync()).Reserved);
        Assert.Equal(0m, (await other.StateAsync()).Reserved);
        Assert.Equal(idleETag, await idle.ETagAsync());
        Assert.Equal(0, await s.ReleaseExpiredAsync());
    }

    [Fact]
    public async Task Closed_sessions_beyond_the_kept_number_leave_the_document_and_replays_are_answered_from_history()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m, new CreditControlOptions { ClosedSessionsKept = 2 });
        await s.GrantAsync("call-1", Numbers.Uk, 60);
        var end = (await s.TerminateAsync("call-1", 1, 60)).Answer!;

        await s.GrantAsync("call-2", Numbers.Uk, 60);
        await s.TerminateAsync("call-2", 1, 60);
        Assert.True((await s.StateAsync()).Sessions.ContainsKey("call-1"));

        await s.GrantAsync("call-3", Numbers.Uk, 60);
        await s.TerminateAsync("call-3", 1, 60);
        var state = await s.StateAsync();
        Assert.False(state.Sessions.ContainsKey("call-1")); // the oldest of three closed sessions left the document
        Assert.Equal(7m, state.Balance);

        var etag = await s.ETagAsync();
        Assert.Equal(end, (await s.TerminateAsync("call-1", 1, 60)).Answer);
        Assert.Equal(etag, await s.ETagAsync());
        Assert.Equal(7m, (await s.StateAsync()).Balance);
        Assert.Equal(OutcomeErrorKind.Conflict, (await s.InterimAsync("call-1", 1, 10)).Error?.Kind);
    }

    [Fact]
    public async Task An_expired_session_is_dropped_by_the_sweep_after_the_retention()
    {
        var s = await CreditControlScenario.PrepaidAsync(10m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);
        s.Advance(900);
        Assert.Equal(1, await s.ReleaseExpiredAsync());
        Assert.True((await s.StateAsync()).Sessions.ContainsKey("call-1"));

        s.Advance((int)TimeSpan.FromDays(2).TotalSeconds);
        Assert.Equal(0, await s.ReleaseExpiredAsync()); // nothing left to release; the housekeeping still ran
        Assert.False((await s.StateAsync()).Sessions.ContainsKey("call-1"));
        Assert.Null((await s.StateAsync()).NextExpiry);
    }
}
