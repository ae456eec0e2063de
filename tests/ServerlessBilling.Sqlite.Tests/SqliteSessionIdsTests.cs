using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// The filter of session ids the file may hold (<see cref="SqliteSessionIds"/>): it never says "not held" of an id the
/// file holds (whatever runs at once: adds on many threads, its growth, the scan at open), so a replay of an old call is
/// never taken for a new one; and a claim of a new id does not read the file once it is complete.
/// </summary>
public sealed class SqliteSessionIdsTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public void Ids_added_on_many_threads_at_once_while_it_grows_are_each_held_from_the_moment_they_are_added()
    {
        var ids = new SqliteSessionIds(expected: 0, minCapacity: 64);
        ids.MarkComplete();
        const int Threads = 4, PerThread = 40_000;
        var missed = 0;
        using var start = new Barrier(Threads);
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < PerThread; i++)
            {
                var id = $"call-{t}-{i}";
                ids.Add(id);
                if (!ids.MayHold(id) || !ids.MayHold($"call-{t}-{i / 2}"))
                {
                    Interlocked.Increment(ref missed);
                }
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Equal(0, missed);
        Assert.True(ids.Segments > 5, $"grown to {ids.Segments} segments from 64 ids"); // 64 · (2^k − 1) ≥ 160,000
        Assert.Equal(Threads * PerThread, ids.Count);
        for (var t = 0; t < Threads; t++)
        {
            for (var i = 0; i < PerThread; i++)
            {
                Assert.True(ids.MayHold($"call-{t}-{i}"));
            }
        }
    }

    [Fact]
    public void Few_ids_it_never_saw_are_taken_for_held_and_until_it_is_complete_every_id_may_be_held()
    {
        var ids = new SqliteSessionIds(expected: 100_000);
        for (var i = 0; i < 100_000; i++)
        {
            ids.Add($"seen-{i}");
        }

        Assert.True(ids.MayHold("never-seen"), "incomplete: the file is asked");
        ids.MarkComplete();
        var falselyHeld = Enumerable.Range(0, 100_000).Count(i => ids.MayHold($"other-{i}"));
        Assert.True(falselyHeld < 2_000, $"{falselyHeld} of 100,000 new ids taken for held"); // about 1% at capacity, here half full
    }

    [Fact]
    public async Task After_a_restart_old_ids_are_found_in_the_file_and_new_ones_are_claimed_without_reading_it()
    {
        var index = new SqliteSessionIndex(_store.Database, TimeProvider.System);
        for (var i = 0; i < 200; i++)
        {
            Assert.True((await index.ClaimAsync($"old-{i}", "acct-a", CancellationToken.None)).IsNew);
        }

        _store.Reopen(); // the queued claims commit as the file closes
        await WaitUntilComplete(_store.Database);
        index = new SqliteSessionIndex(_store.Database, TimeProvider.System);
        for (var i = 0; i < 200; i++)
        {
            var replay = await index.ClaimAsync($"old-{i}", "acct-b", CancellationToken.None);
            Assert.False(replay.IsNew);
            Assert.Equal("acct-a", replay.AccountId);
        }

        var readsBefore = _store.Database.FileReads;
        for (var i = 0; i < 200; i++)
        {
            var claim = await index.ClaimAsync($"new-{i}", "acct-b", CancellationToken.None);
            Assert.True(claim.IsNew);
            Assert.Equal("acct-b", claim.AccountId);
        }

        // Each of the 200 read the file before the filter; now only an id the filter takes for held (about none here) does.
        Assert.True(_store.Database.FileReads - readsBefore < 10, $"{_store.Database.FileReads - readsBefore} reads for 200 new ids");
    }

    [Fact]
    public async Task Ids_queued_while_the_scan_at_open_runs_and_those_it_scans_are_all_held_once_it_completes()
    {
        const int InFile = 60_000;
        await _store.Database.WriteAsync(session =>
        {
            for (var i = 0; i < InFile; i++)
            {
                session.Statement("INSERT INTO sessions (session_id, account_id, created_at) VALUES (?1, 'acct-a', 0)").Bind(1, $"filed-{i}").Run();
            }

            return true;
        }, CancellationToken.None);
        _store.Reopen();

        // Claims at once with the scan: each is in the filter whether the scan has passed its row's place or not.
        var index = new SqliteSessionIndex(_store.Database, TimeProvider.System);
        for (var i = 0; i < 500; i++)
        {
            Assert.True((await index.ClaimAsync($"during-{i}", "acct-b", CancellationToken.None)).IsNew);
        }

        await WaitUntilComplete(_store.Database);
        var ids = _store.Database.SessionIds;
        Assert.All(Enumerable.Range(0, InFile), i => Assert.True(ids.MayHold($"filed-{i}")));
        Assert.All(Enumerable.Range(0, 500), i => Assert.True(ids.MayHold($"during-{i}")));
        var replay = await index.ClaimAsync("filed-12345", "acct-b", CancellationToken.None);
        Assert.Equal(("acct-a", false), (replay.AccountId, replay.IsNew));
    }

    [Fact]
    public async Task A_closed_session_record_is_found_after_a_restart()
    {
        var index = new SqliteSessionIndex(_store.Database, TimeProvider.System);
        var session = new Session
        {
            SessionId = "closed-1", Fingerprint = "f", StartTime = Fixtures.Now, Prefix = "44", Destination = "UK", Tariff = Fixtures.Deck().Rows[0].Tariff,
            Status = SessionStatus.Terminated, ClosedAt = Fixtures.Now,
            AuthorizeAnswer = new GrantAnswer("closed-1", ResultCode.Success, 60, 300, false, 0.01m, 0.01m, "GBP", 1m),
        };
        await index.ClaimAsync("closed-1", "acct-a", CancellationToken.None);
        await index.RecordClosedAsync(new ClosedSession("acct-a", session), CancellationToken.None);
        _store.Reopen();
        await WaitUntilComplete(_store.Database);
        index = new SqliteSessionIndex(_store.Database, TimeProvider.System);
        Assert.Equal("closed-1", (await index.FindClosedAsync("closed-1", CancellationToken.None))?.SessionId);
        Assert.Null(await index.FindClosedAsync("never-1", CancellationToken.None));
    }

    [Fact]
    public void An_id_is_held_in_the_form_the_file_keeps_it_and_reads_it_back()
    {
        // SQLite keeps text as UTF-8, where a lone surrogate is U+FFFD: the scan reads back that form, a claim asks the id.
        string[] sent = ["call-\uD800", "\uDC00-x", "a\uD800\uD800b", "b\uDC00\uD800", "\uDBFF", "pair-\uD83D\uDE00", "caf\u00E9", "", new string('x', 300)];
        foreach (var id in sent)
        {
            var kept = System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(id));
            var scanned = new SqliteSessionIds(expected: 0);
            scanned.Add(kept);
            scanned.MarkComplete();
            var claimed = new SqliteSessionIds(expected: 0);
            claimed.Add(id);
            claimed.MarkComplete();
            Assert.True(scanned.MayHold(id) && claimed.MayHold(kept), $"'{Uri.EscapeDataString(kept)}' is one id to the file");
        }
    }

    [Fact]
    public async Task Session_ids_the_file_holds_as_one_are_one_id_to_the_filter_too()
    {
        // "call-\uD800" and "call-\uDC00" are one row of the file (each is "call-\uFFFD" in UTF-8), as the file read before the filter found.
        const string Sent = "call-\uD800", Other = "call-\uDC00";
        await WaitUntilComplete(_store.Database);
        var index = new SqliteSessionIndex(_store.Database, TimeProvider.System);
        Assert.True((await index.ClaimAsync(Sent, "acct-a", CancellationToken.None)).IsNew);
        await _store.Database.WriteAsync(_ => true, CancellationToken.None); // the claim's row commits with it
        Assert.Equal(new SessionClaim("acct-a", IsNew: false), await index.ClaimAsync(Other, "acct-b", CancellationToken.None));

        _store.Reopen(); // the scan reads back "call-\uFFFD"
        await WaitUntilComplete(_store.Database);
        index = new SqliteSessionIndex(_store.Database, TimeProvider.System);
        Assert.Equal(new SessionClaim("acct-a", IsNew: false), await index.ClaimAsync(Sent, "acct-c", CancellationToken.None)); // a replay, not a new call
        Assert.Equal(new SessionClaim("acct-a", IsNew: false), await index.ClaimAsync(Other, "acct-c", CancellationToken.None));
    }

    [Fact]
    public async Task A_file_holding_a_session_row_of_the_largest_rowid_opens_and_finds_it()
    {
        // Only a row given its rowid (by hand: the store never names one) has one this large. The filter was sized for
        // twice the largest rowid, which overflowed (checked arithmetic): the file could not be opened at all.
        await _store.Database.WriteAsync(
            s => s.Execute("INSERT INTO sessions (rowid, session_id, account_id, created_at) VALUES (9223372036854775807, 'far', 'acct-a', 0)"),
            CancellationToken.None);
        _store.Reopen();
        await WaitUntilComplete(_store.Database);
        var index = new SqliteSessionIndex(_store.Database, TimeProvider.System);
        Assert.Equal(new SessionClaim("acct-a", IsNew: false), await index.ClaimAsync("far", "acct-b", CancellationToken.None));
        Assert.Equal(new SessionClaim("acct-b", IsNew: true), await index.ClaimAsync("near", "acct-b", CancellationToken.None));
    }

    private static async Task WaitUntilComplete(SqliteDatabase database)
    {
        for (var waited = 0; !database.SessionIds.IsComplete; waited += 10)
        {
            Assert.True(waited < 30_000, "the scan of the session ids did not complete");
            await Task.Delay(10);
        }
    }
}
