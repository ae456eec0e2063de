using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// Round twenty-six of the hostile review. A switch that reuses session ids (its counter restarted) gets the old
/// session's answer to its new call's authorize (the replay rule), carries the call, and its CDR was taken as settled
/// by the old session: a free call. A CDR whose call started after the session it names had closed cannot be that
/// session's call: it is charged as a call of its own. The old call's own CDR, late or replayed, is still settled by
/// its session.
/// </summary>
public sealed class HostileRoundTwentySixTests
{
    private const string Called = "+33612345678"; // France: 0.15/min, 1/1

    private static string Line(string cdrId, string account, DateTimeOffset start, int seconds, string session) =>
        $"{cdrId},{account},+441234,{Called},{start:yyyy-MM-ddTHH:mm:ssZ},{seconds},ANSWERED,{session}\n";

    [Fact]
    public async Task A_cdr_of_a_call_started_after_its_reused_session_id_closed_is_charged_as_a_call_of_its_own()
    {
        var h = CreditControlHarness.InMemory();
        const string account = "r26-reused";
        await h.OpenAsync(account, Fixtures.Postpaid(1_000m, hard: false), 0m);
        var first = Fixtures.Now;
        Assert.Equal(ServerlessBilling.Core.CreditControl.ResultCode.Success, (await h.AuthorizeAsync(account, "s-1", Called, 300)).Answer!.ResultCode);
        Assert.Equal(0.15m, (await h.TerminateAsync("s-1", 1, 60)).Answer!.Charge);

        // A day later the switch, its counter restarted, sends a new call under the same id: the replay rule answers it.
        h.Clock.Advance(TimeSpan.FromDays(1));
        var second = h.Clock.GetUtcNow();
        Assert.Equal(ServerlessBilling.Core.CreditControl.ResultCode.Success, (await h.AuthorizeAsync(account, "s-1", Called, 300)).Answer!.ResultCode);
        await h.TerminateAsync("s-1", 1, 120); // the old terminate's answer, or 409: nothing charged either way
        Assert.Equal(0.15m, (await h.StateAsync(account)).PeriodSpend);

        var result = await h.IngestCsvAsync(Fixtures.CdrHeader + "\n" + Line("c-new", account, second, 120, "s-1"));
        Assert.Equal((1, 1), (result.Received, result.Accepted));
        Assert.Equal(0.45m, (await h.StateAsync(account)).PeriodSpend);

        // The old call's own CDR, late, and then replayed long after: settled by its session, nothing more charged.
        var late = await h.IngestCsvAsync(Fixtures.CdrHeader + "\n" + Line("c-old", account, first, 60, "s-1"));
        Assert.Equal((1, 1), (late.Received, late.Accepted));
        h.Clock.Advance(TimeSpan.FromDays(3));
        await h.IngestCsvAsync(Fixtures.CdrHeader + "\n" + Line("c-old", account, first, 60, "s-1") + Line("c-new", account, second, 120, "s-1"));
        Assert.Equal(0.45m, (await h.StateAsync(account)).PeriodSpend);

        // The invoice counts two calls: 180 billed seconds, 0.45.
        Assert.Equal(new ServerlessBilling.Core.Accounts.UsageTotals(2, 180, 0.45m), (await h.StateAsync(account)).Totals["2026-11"].Total);

        var usage = (await h.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default)).ToDictionary(u => u.CdrId);
        Assert.Equal((Settlement.Cdr, 0.30m), (usage["c-new"].SettledBy, usage["c-new"].Charge));
        Assert.Contains("s-1", usage["c-new"].Note, StringComparison.Ordinal);
        Assert.Equal((Settlement.Session, 0.15m), (usage["c-old"].SettledBy, usage["c-old"].Charge));
    }

    [Fact]
    public async Task The_old_calls_cdr_stamped_a_little_after_its_terminate_by_a_clock_running_ahead_is_still_settled_by_the_session()
    {
        var h = CreditControlHarness.InMemory();
        const string account = "r26-skew";
        await h.OpenAsync(account, Fixtures.Postpaid(1_000m, hard: false), 0m);
        await h.AuthorizeAsync(account, "s-1", Called, 300);
        h.Clock.Advance(TimeSpan.FromSeconds(65));
        await h.TerminateAsync("s-1", 1, 60);

        // The switch's clock runs five minutes ahead: its CDR starts after the terminate by the platform's clock.
        await h.IngestCsvAsync(Fixtures.CdrHeader + "\n" + Line("c-1", account, Fixtures.Now.AddMinutes(5), 60, "s-1"));

        Assert.Equal(0.15m, (await h.StateAsync(account)).PeriodSpend);
    }

    [Fact]
    public async Task The_old_calls_cdr_stamped_long_before_its_authorize_by_a_clock_running_behind_is_still_settled_by_the_session()
    {
        var h = CreditControlHarness.InMemory();
        const string account = "r26-behind";
        await h.OpenAsync(account, Fixtures.Postpaid(1_000m, hard: false), 0m);
        await h.AuthorizeAsync(account, "s-1", Called, 300);
        await h.TerminateAsync("s-1", 1, 60);

        await h.IngestCsvAsync(Fixtures.CdrHeader + "\n" + Line("c-1", account, Fixtures.Now.AddDays(-2), 60, "s-1"));

        Assert.Equal(0.15m, (await h.StateAsync(account)).PeriodSpend);
    }
}
