using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// Round twenty-nine of the hostile review, on SQLite across a restart: a CDR batch out of order, whose first CDR closes a
/// session (before its terminate) and so pushes the oldest of the 100 terminated sessions the document keeps into the
/// session history, and whose next CDR is that pushed-out session's. It is settled by the session (its terminate charged
/// it), not charged again, and the batch delivered again after another restart changes nothing.
/// </summary>
public sealed class HostileRoundTwentyNineSqliteIngestionTests
{
    private const string Called = "+33612345678"; // France: 0.15/min, 1/1

    [Fact]
    public async Task A_cdr_of_a_session_an_earlier_cdr_of_its_batch_pushed_out_of_the_document_is_charged_once_on_sqlite()
    {
        using var temp = new TempStore();
        CreditControlHarness Harness() =>
            new(temp.Stores.Accounts, temp.Stores.Sessions, temp.Stores.Decks, new CreditControlOptions(), temp.Stores.Usage, temp.Stores.Quarantine, temp.Stores.TopUps);
        var h = Harness();
        await h.OpenAsync("r29-sq", Fixtures.Prepaid(), 10m);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("r29-sq", "s-old", Called, 120)).Answer!.ResultCode);
        Assert.Equal(0.30m, (await h.TerminateAsync("s-old", 1, 120)).Answer!.Charge);
        for (var i = 1; i < new CreditControlOptions().ClosedSessionsKept; i++)
        {
            Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("r29-sq", $"s-fill-{i}", Called, 60)).Answer!.ResultCode);
            Assert.NotNull((await h.TerminateAsync($"s-fill-{i}", 1, 0)).Answer);
        }

        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("r29-sq", "s-new", Called, 60)).Answer!.ResultCode);
        temp.Reopen();
        h = Harness();
        var csv = $"""
            {Fixtures.CdrHeader}
            c-new,r29-sq,+441234,{Called},{Fixtures.Now:O},60,ANSWERED,s-new
            c-old,r29-sq,+441234,{Called},{Fixtures.Now:O},120,ANSWERED,s-old
            """;

        var first = await h.IngestCsvAsync(csv);
        temp.Reopen();
        h = Harness();
        var again = await h.IngestCsvAsync(csv);

        Assert.Equal((2, 0, 0), (first.Accepted, first.Duplicates, first.Quarantined.Count));
        Assert.Equal((0, 2, 0), (again.Accepted, again.Duplicates, again.Quarantined.Count));
        var state = await h.StateAsync("r29-sq");
        Fixtures.AssertConserved(state);
        Assert.Equal(10m - 0.30m - 0.15m, state.Balance);
        Assert.DoesNotContain("s-old", state.Sessions.Keys);
        var records = await h.Usage.FindExistingAsync("r29-sq", ["c-new", "c-old"], default);
        Assert.Equal((Settlement.Cdr, Settlement.Session), (records["c-new"].SettledBy, records["c-old"].SettledBy));
    }
}
