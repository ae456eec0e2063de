using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>
/// Round twenty-two of the hostile review: a call's CDR that says less than the use its interims already reported and
/// were charged (a switch whose CDR measures another leg, or writes NO_ANSWER for a call it reported as running).
/// </summary>
public sealed class HostileRoundTwentyTwoCreditControlTests
{
    private const string Account = "acme";
    private const string London = "+442071234567"; // 0.60/min, 30/6, 0.05 connect fee

    private static async Task<CreditControlHarness> InterimReportedAsync(decimal opening = 0m, bool prepaid = false)
    {
        var harness = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        await harness.OpenAsync(Account, prepaid ? Fixtures.Prepaid() : Fixtures.Postpaid(1000m, hard: false), opening);
        Assert.Equal(ResultCode.Success, (await harness.AuthorizeAsync(Account, "call-1", London, 600)).Answer!.ResultCode);
        harness.Clock.Advance(TimeSpan.FromSeconds(300));
        Assert.Equal(ResultCode.Success, (await harness.InterimAsync("call-1", 1, 300, 600)).Answer!.ResultCode);
        return harness;
    }

    private static Task<IngestResult> CdrAsync(CreditControlHarness harness, int seconds, string disposition) =>
        harness.IngestCsvAsync($"{Fixtures.CdrHeader}\nc-1,{Account},+441234,{London},{Fixtures.Now:yyyy-MM-ddTHH:mm:ssZ},{seconds},{disposition},call-1\n");

    [Theory]
    [InlineData(42, "ANSWERED")]
    [InlineData(0, "NO_ANSWER")]
    public async Task A_cdr_that_says_less_than_the_interims_reported_gives_back_none_of_their_charge(int seconds, string disposition)
    {
        // The interim reported 300 s and committed their price, 3.05. The CDR, arriving before the terminate, priced the
        // call at its own 42 s (0.47) or at nothing, and gave the rest back: the same call, reported the same way, cost
        // 3.05 when its terminate came first (the CDR's difference is a note) and 0.47 or 0 when its CDR did.
        var cdrFirst = await InterimReportedAsync();
        var terminateFirst = await InterimReportedAsync();

        Assert.Equal(1, (await CdrAsync(cdrFirst, seconds, disposition)).Accepted);
        var lateTerminate = (await cdrFirst.TerminateAsync("call-1", 2, 0)).Answer!;
        Assert.Equal(3.05m, (await terminateFirst.TerminateAsync("call-1", 2, 0)).Answer!.Charge);
        Assert.Equal(1, (await CdrAsync(terminateFirst, seconds, disposition)).Accepted);

        var (byCdr, byTerminate) = (await cdrFirst.StateAsync(Account), await terminateFirst.StateAsync(Account));
        Assert.Equal(3.05m, byCdr.Committed);
        Assert.Equal(byTerminate.Committed, byCdr.Committed);
        Assert.Equal(byTerminate.Totals["2026-11"].Total, byCdr.Totals["2026-11"].Total);
        Assert.Equal((300, 3.05m), (lateTerminate.BilledSeconds, lateTerminate.Charge));
        var usage = Assert.Single(await cdrFirst.Usage.ListAsync(Account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default));
        Assert.Equal((Settlement.Cdr, 300, 3.05m), (usage.SettledBy, usage.BilledSeconds, usage.Charge));
        Assert.Contains("300 s", usage.Note, StringComparison.Ordinal);
        Fixtures.AssertConserved(byCdr);
    }

    [Fact]
    public async Task A_prepaid_call_keeps_what_its_interims_were_charged_when_its_cdr_says_it_was_not_answered()
    {
        // Pre-paid: the credit the interim took came back with a NO_ANSWER CDR, and the 300 s the switch reported were free.
        var harness = await InterimReportedAsync(opening: 10m, prepaid: true);
        Assert.Equal(6.95m, (await harness.StateAsync(Account)).Balance);

        Assert.Equal(1, (await CdrAsync(harness, 0, "NO_ANSWER")).Accepted);

        Assert.Equal(6.95m, (await harness.StateAsync(Account)).Balance);
    }

    [Fact]
    public async Task A_cdr_that_says_more_than_the_interims_reported_still_charges_the_whole_call()
    {
        var harness = await InterimReportedAsync();

        Assert.Equal(1, (await CdrAsync(harness, 420, "ANSWERED")).Accepted);

        Assert.Equal(4.25m, (await harness.StateAsync(Account)).Committed); // 0.05 + 0.60 × 420 / 60
    }
}
