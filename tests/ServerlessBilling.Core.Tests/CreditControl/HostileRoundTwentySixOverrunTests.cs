using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>
/// Round twenty-six of the hostile review, on overruns (use beyond the grants, API.md). A switch that only reports use
/// (authorize with requestedSeconds 0) asked for no grant: every call of it came out as an overrun, a GRANT_OVERRUN
/// alert per call. Its overrun is what could not be charged (pre-paid credit spent), as for any use the grants did not
/// cover. A use that could not be charged, or beyond a grant the switch asked for, is still an overrun.
/// </summary>
public sealed class HostileRoundTwentySixOverrunTests
{
    private const string Called = "+33612345678"; // France: 0.15/min, 1/1

    [Fact]
    public async Task A_post_paid_call_that_only_reports_use_is_no_overrun()
    {
        var h = CreditControlHarness.InMemory();
        await h.OpenAsync("r26-report", Fixtures.Postpaid(1_000m, hard: false), 0m);
        await h.AuthorizeAsync("r26-report", "s-1", Called, 0);
        await h.InterimAsync("s-1", 1, 300, 0);

        var answer = (await h.TerminateAsync("s-1", 2, 120)).Answer!;

        Assert.Equal((420, 1.05m, 0), (answer.TotalSeconds, answer.Charge, answer.OverrunSeconds));
        Assert.Equal(0, (await h.StateAsync("r26-report")).Sessions["s-1"].OverrunSeconds);
    }

    [Fact]
    public async Task A_pre_paid_call_that_only_reports_use_overruns_by_what_its_credit_could_not_cover()
    {
        var h = CreditControlHarness.InMemory();
        await h.OpenAsync("r26-prepaid", Fixtures.Prepaid(), 0.30m);
        await h.AuthorizeAsync("r26-prepaid", "s-1", Called, 0);

        var answer = (await h.TerminateAsync("s-1", 1, 600)).Answer!;

        // 0.30 covers 120 s; the other 480 s are use nobody could charge.
        Assert.Equal((600, 0.30m, 480), (answer.TotalSeconds, answer.Charge, answer.OverrunSeconds));
    }

    [Fact]
    public async Task A_call_that_only_reports_use_and_lapsed_is_still_no_overrun_when_charged_in_full()
    {
        // A report-only call with no interim lapses (nothing was reserved); its late terminate charges the call in full.
        var h = CreditControlHarness.InMemory();
        await h.OpenAsync("r26-lapsed", Fixtures.Postpaid(1_000m, hard: false), 0m);
        await h.AuthorizeAsync("r26-lapsed", "s-1", Called, 0);
        h.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, await h.CreditControl.ReleaseExpiredAsync(default));

        var answer = (await h.TerminateAsync("s-1", 1, 200)).Answer!;

        Assert.Equal((200, 0.50m, 0), (answer.TotalSeconds, answer.Charge, answer.OverrunSeconds));
    }

    [Fact]
    public async Task A_switch_that_overruns_its_grant_is_still_an_overrun()
    {
        var h = CreditControlHarness.InMemory();
        await h.OpenAsync("r26-over", Fixtures.Postpaid(1_000m, hard: false), 0m);
        await h.AuthorizeAsync("r26-over", "s-1", Called, 60);

        Assert.Equal(40, (await h.TerminateAsync("s-1", 1, 100)).Answer!.OverrunSeconds);
    }
}
