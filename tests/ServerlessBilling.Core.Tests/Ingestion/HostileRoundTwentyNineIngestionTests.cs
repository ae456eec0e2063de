using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// Round twenty-nine of the hostile review: CDRs out of order within one batch. An account document keeps its newest
/// terminated sessions (CreditControl:ClosedSessionsKept); a CDR that closes a session (it came before the terminate)
/// pushes the oldest kept one out of the document, into the session history. A later CDR of the same batch that names
/// that pushed-out session, already charged by its terminate, must be settled by it, not charged again.
/// </summary>
public sealed class HostileRoundTwentyNineIngestionTests
{
    private const string Called = "+33612345678"; // France: 0.15/min, 1/1

    private static string Line(string cdrId, string sessionId, int seconds) =>
        $"{cdrId},r29-out,+441234,{Called},{Fixtures.Now:O},{seconds},ANSWERED,{sessionId}";

    /// <summary>Session s-old charged by its terminate (120 s, 0.30), the oldest of the closed sessions the document keeps; s-new open.</summary>
    private static async Task<CreditControlHarness> OneClosedKeptAsync(int closedKept)
    {
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), new CreditControlOptions { ClosedSessionsKept = closedKept });
        await h.OpenAsync("r29-out", Fixtures.Prepaid(), 10m);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("r29-out", "s-old", Called, 120)).Answer!.ResultCode);
        Assert.Equal(0.30m, (await h.TerminateAsync("s-old", 1, 120)).Answer!.Charge);
        for (var i = 1; i < closedKept; i++)
        {
            // Later calls (not answered) fill the document up to the bound: s-old is the oldest closed session kept.
            Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("r29-out", $"s-fill-{i}", Called, 60)).Answer!.ResultCode);
            Assert.NotNull((await h.TerminateAsync($"s-fill-{i}", 1, 0)).Answer);
        }

        Assert.Contains("s-old", (await h.StateAsync("r29-out")).Sessions.Keys);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("r29-out", "s-new", Called, 60)).Answer!.ResultCode);
        return h;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public async Task A_cdr_of_a_terminated_session_that_an_earlier_cdr_of_the_batch_pushed_out_of_the_document_is_not_charged_again(int closedKept)
    {
        var h = await OneClosedKeptAsync(closedKept);
        Assert.Equal(10m - 0.30m, (await h.StateAsync("r29-out")).Balance);

        // s-new's CDR (before its terminate) closes it, and s-old, the oldest closed session, leaves the document; then s-old's CDR.
        var result = await h.IngestCsvAsync($"""
            {Fixtures.CdrHeader}
            {Line("c-new", "s-new", 60)}
            {Line("c-old", "s-old", 120)}
            """);

        Assert.Equal((2, 2, 0, 0), (result.Received, result.Accepted, result.Duplicates, result.Quarantined.Count));
        var state = await h.StateAsync("r29-out");
        Fixtures.AssertConserved(state);
        Assert.Equal(10m - 0.30m - 0.15m, state.Balance); // s-old once (0.30, by its terminate), s-new once (0.15, by its CDR)
        var records = await h.Usage.FindExistingAsync("r29-out", ["c-new", "c-old"], default);
        Assert.Equal((Settlement.Cdr, 0.15m), (records["c-new"].SettledBy, records["c-new"].Charge));
        Assert.Equal(Settlement.Session, records["c-old"].SettledBy);
    }

    [Fact]
    public async Task A_second_cdr_of_a_session_a_cdr_of_the_batch_closed_and_a_later_one_pushed_out_is_settled_by_it()
    {
        // One closed session kept: c-new closes s-new (s-old leaves), c-two closes s-two (s-new leaves), then another leg of s-new.
        var h = await OneClosedKeptAsync(1);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("r29-out", "s-two", Called, 60)).Answer!.ResultCode);

        var result = await h.IngestCsvAsync($"""
            {Fixtures.CdrHeader}
            {Line("c-new", "s-new", 60)}
            {Line("c-two", "s-two", 40)}
            {Line("c-new-leg", "s-new", 60)}
            """);

        Assert.Equal((3, 3), (result.Received, result.Accepted));
        var state = await h.StateAsync("r29-out");
        Fixtures.AssertConserved(state);
        Assert.Equal((10m - 0.30m - 0.15m - 0.10m, 0m), (state.Balance, state.Reserved)); // s-new once, s-two once
        var leg = (await h.Usage.FindExistingAsync("r29-out", ["c-new-leg"], default))["c-new-leg"];
        Assert.Equal(Settlement.Session, leg.SettledBy);
    }

    [Fact]
    public async Task The_same_cdrs_in_two_batches_settle_the_pushed_out_session_from_the_history()
    {
        // The reference: in separate batches the second one finds s-old in the history, as the single batch must.
        var h = await OneClosedKeptAsync(1);
        await h.IngestCsvAsync($"{Fixtures.CdrHeader}\n{Line("c-new", "s-new", 60)}\n");
        var second = await h.IngestCsvAsync($"{Fixtures.CdrHeader}\n{Line("c-old", "s-old", 120)}\n");

        Assert.Equal(1, second.Accepted);
        Assert.Equal(10m - 0.30m - 0.15m, (await h.StateAsync("r29-out")).Balance);
        Assert.Equal(Settlement.Session, (await h.Usage.FindExistingAsync("r29-out", ["c-old"], default))["c-old"].SettledBy);
    }
}
