using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>
/// Round twenty-three of the hostile review, on credit control driven by a buggy switch: reports that arrive out of
/// order or with numbers that skip a report.
/// </summary>
public sealed class HostileRoundTwentyThreeCreditControlTests
{
    private const string France = "+33612345678"; // 0.15/min, 1/1, no connect fee: 0.0025 a second

    [Fact]
    public async Task A_terminate_that_skips_a_report_is_refused_until_the_missing_interim_is_charged()
    {
        // The switch sent interim #2 (300 s) and then terminate #3 (42 s); the terminate arrived first. It was taken as the
        // end of the call and charged 60 + 42 s; interim #2 then met a terminated session (409), and the call's CDR of
        // 402 s found it settled by the session: 300 s of the call were never charged.
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        await h.OpenAsync("skip", Fixtures.Postpaid(1_000m, hard: false), 0m);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("skip", "skip-1", France, seconds: 300)).Answer!.ResultCode);
        Assert.Equal(ResultCode.Success, (await h.InterimAsync("skip-1", 1, 60, seconds: 300)).Answer!.ResultCode);

        var early = await h.TerminateAsync("skip-1", 3, 42);

        Assert.Equal(OutcomeErrorKind.Conflict, early.Error?.Kind);
        Assert.Contains("out of sequence", early.Error!.Detail, StringComparison.Ordinal);
        Assert.Equal(ResultCode.Success, (await h.InterimAsync("skip-1", 2, 300, seconds: 300)).Answer!.ResultCode);
        var end = (await h.TerminateAsync("skip-1", 3, 42)).Answer!;
        Assert.Equal((402, 402, 1.005m), (end.TotalSeconds, end.BilledSeconds, end.Charge));
        Assert.Equal(-1.005m, (await h.StateAsync("skip")).Balance);
    }

    [Fact]
    public async Task A_terminate_that_repeats_the_last_interims_number_is_refused_and_the_cdr_charges_the_call_once()
    {
        // Interim #1 (60 s) was charged, but its answer never reached the switch (billing answered it late), so the switch
        // still counts from the call's start and ends it with terminate #1 of 102 s. Taken as a report after interim #1,
        // the call was charged 60 + 102 s, and its CDR of 102 s found it settled: 60 s charged twice.
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        await h.OpenAsync("again", Fixtures.Postpaid(1_000m, hard: false), 0m);
        await h.AuthorizeAsync("again", "again-1", France, seconds: 300);
        Assert.Equal(ResultCode.Success, (await h.InterimAsync("again-1", 1, 60, seconds: 300)).Answer!.ResultCode);

        var stale = await h.TerminateAsync("again-1", 1, 102);

        Assert.Equal(OutcomeErrorKind.Conflict, stale.Error?.Kind);
        Assert.Equal(1, (await h.IngestCsvAsync($"{Fixtures.CdrHeader}\nagain-cdr,again,+441234,{France},{Fixtures.Now:O},102,ANSWERED,again-1\n")).Accepted);
        Assert.Equal(-0.255m, (await h.StateAsync("again")).Balance);
        var replay = (await h.TerminateAsync("again-1", 2, 42)).Answer!;
        Assert.Equal((102, 0.255m), (replay.TotalSeconds, replay.Charge));
    }

    [Fact]
    public async Task A_suspended_accounts_interim_that_asks_for_nothing_more_is_told_its_grant_is_final()
    {
        // A switch that reports use only (requestedSeconds 0) on an account suspended meanwhile: the answer was
        // ACCOUNT_SUSPENDED with finalUnit false, so a switch that ends its calls on finalUnit carried the call on, where
        // CREDIT_LIMIT_REACHED in the same request says true and api.md says a suspended account's call gets finalUnit true.
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        await h.OpenAsync("halt", Fixtures.Postpaid(1_000m, hard: false), 0m);
        await h.AuthorizeAsync("halt", "halt-1", France, seconds: 0);
        Assert.Null((await h.Admin.SuspendAsync("halt", "fraud suspected", byPolicy: false, default)).Error);

        var answer = (await h.InterimAsync("halt-1", 1, 60, seconds: 0)).Answer!;

        Assert.Equal((ResultCode.AccountSuspended, 0, true), (answer.ResultCode, answer.GrantedSeconds, answer.FinalUnit));
        Assert.Equal(-0.15m, (await h.StateAsync("halt")).Balance);
    }
}
