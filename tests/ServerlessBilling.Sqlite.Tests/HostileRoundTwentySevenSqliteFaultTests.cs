using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// Round twenty-seven of the hostile review, on SQLite: a disk fault in the transaction that holds a CDR's closing of a
/// session dropped into the history. The closing's record (queued ahead, carried over the failed transaction) committed
/// with the next write; the account write failed. The redelivered CDR, before the host restarted or after, found the
/// session "closed by this very CDR" and charged nothing.
/// </summary>
public sealed class HostileRoundTwentySevenSqliteFaultTests : IDisposable
{
    private const string Called = "+33612345678"; // France: 0.15/min, 1/1

    private readonly TempStore _store = new();
    private readonly FakeTimeProvider _clock = new(Fixtures.Now);

    private CreditControlHarness Harness()
    {
        var s = _store.Stores;
        return new CreditControlHarness(s.Accounts, s.Sessions, s.Decks, new CreditControlOptions { ClosedSessionRetention = TimeSpan.FromMinutes(30) }, s.Usage, s.Quarantine, s.TopUps, clock: _clock);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_cdr_whose_transaction_failed_on_the_disk_charges_its_dropped_session_when_redelivered(bool restart)
    {
        var h = Harness();
        await h.OpenAsync("r27-disk", Fixtures.Prepaid(), 10m);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("r27-disk", "s-1", Called, 60)).Answer!.ResultCode);
        _clock.Advance(TimeSpan.FromHours(1));
        await h.CreditControl.ReleaseExpiredAsync(default);
        _clock.Advance(TimeSpan.FromHours(1));
        await h.CreditControl.ReleaseExpiredAsync(default);
        Assert.DoesNotContain("s-1", (await h.StateAsync("r27-disk")).Sessions.Keys);
        var cdr = $"""
            {Fixtures.CdrHeader}
            c-1,r27-disk,+441234,{Called},{Fixtures.Now:O},120,ANSWERED,s-1
            """;

        // The disk fails until the CDR's delivery has failed: the transaction that would hold its writes rolls back.
        var failing = 1;
        _store.Database.WriteBefore(_ =>
        {
            if (Volatile.Read(ref failing) == 1)
            {
                throw new SqliteException("disk I/O error (simulated)", 10);
            }
        }, () => { });
        await Assert.ThrowsAsync<StoreUnavailableException>(() => h.IngestCsvAsync(cdr));
        Volatile.Write(ref failing, 0);
        if (restart)
        {
            _store.Reopen();
            h = Harness();
        }

        Assert.Equal(1, (await h.IngestCsvAsync(cdr)).Accepted);
        Assert.Equal(0, (await h.IngestCsvAsync(cdr)).Accepted);

        var state = await h.StateAsync("r27-disk");
        Fixtures.AssertConserved(state);
        Assert.Equal((10m - 0.30m, 0.30m), (state.Balance, state.PeriodSpend)); // 120 s at 0.15/min, once
        _store.Reopen();
        Assert.Equal(10m - 0.30m, (await Harness().StateAsync("r27-disk")).Balance);
    }

    public void Dispose() => _store.Dispose();
}
