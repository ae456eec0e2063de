using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// Round twenty-five of the hostile review, on a CDR that closes a session its interims already charged. The CDR charges
/// at least what they reported; but a CDR that says the call was not answered bills none of its own seconds (its
/// duration is ringing, not talk), so only the interims' use is the call's.
/// </summary>
public sealed class HostileRoundTwentyFiveIngestionTests
{
    private const string Account = "r25-ring";

    [Theory]
    [InlineData("NO_ANSWER")]
    [InlineData("BUSY")]
    [InlineData("FAILED")]
    public async Task An_unanswered_cdr_whose_ringing_outlasts_the_interims_charges_their_use_not_its_ringing_as_talk(string disposition)
    {
        // 4420: 0.05 to connect, 0.60 a minute, 30 s then 6 s steps. Interim 1 reported 30 s: 0.35. The CDR says the
        // call was not answered, after 90 s of ringing. Charged at the CDR's 90 s as an answered call, the call cost 0.95,
        // 0.60 for seconds nobody talked, and more than the same call whose terminate came first (0.35: the CDR is then
        // only a note), so the price hung on which message came first.
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        await h.OpenAsync(Account, Fixtures.Postpaid(1000m, hard: false), 0m);

        Assert.Null((await h.AuthorizeAsync(Account, "r25-cdr-first", seconds: 300)).Error);
        Assert.Null((await h.InterimAsync("r25-cdr-first", 1, 30)).Error);
        Assert.Equal(0.35m, (await h.StateAsync(Account)).PeriodSpend);
        var cdrFirst = await h.IngestCsvAsync($"{Fixtures.CdrHeader}\nr25-c1,{Account},+441234,+442071234567,2026-11-26T09:00:00Z,90,{disposition},r25-cdr-first\n");
        Assert.Equal(1, cdrFirst.Accepted);
        Assert.Equal(0.35m, (await h.StateAsync(Account)).PeriodSpend);
        var record = Assert.Single(await h.Usage.ListAsync(Account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default));
        Assert.Equal((30, 0.35m), (record.BilledSeconds, record.Charge));
        Assert.Contains($"charged 30 s, more than the CDR bills (90 s, {disposition})", record.Note, StringComparison.Ordinal);
        var terminate = await h.TerminateAsync("r25-cdr-first", 2, 0);
        Assert.Equal((30, 0.35m), (terminate.Answer!.TotalSeconds, terminate.Answer.Charge));

        Assert.Null((await h.AuthorizeAsync(Account, "r25-terminate-first", seconds: 300)).Error);
        Assert.Null((await h.InterimAsync("r25-terminate-first", 1, 30)).Error);
        Assert.Equal(0.35m, (await h.TerminateAsync("r25-terminate-first", 2, 0)).Answer!.Charge);
        await h.IngestCsvAsync($"{Fixtures.CdrHeader}\nr25-c2,{Account},+441234,+442071234567,2026-11-26T09:05:00Z,90,{disposition},r25-terminate-first\n");
        Assert.Equal(0.70m, (await h.StateAsync(Account)).PeriodSpend);
    }

    [Fact]
    public async Task An_unanswered_cdr_of_a_session_with_no_interim_still_charges_nothing()
    {
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        await h.OpenAsync(Account, Fixtures.Postpaid(1000m, hard: false), 0m);
        Assert.Null((await h.AuthorizeAsync(Account, "r25-rang", seconds: 300)).Error);
        await h.IngestCsvAsync($"{Fixtures.CdrHeader}\nr25-c3,{Account},+441234,+442071234567,2026-11-26T09:00:00Z,90,NO_ANSWER,r25-rang\n");
        var state = await h.StateAsync(Account);
        Assert.Equal((0m, 0m, 0), (state.PeriodSpend, state.Reserved, state.ActiveSessions));
    }
}
