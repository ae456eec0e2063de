using System.Buffers;
using Microsoft.Data.Sqlite;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// Session claims and closed-session records are not waited for: they are answered at once, read back from memory
/// until they commit, and commit with (or before) the next write, which never commits without them.
/// </summary>
public sealed class SqliteWriteBeforeTests : IDisposable
{
    private readonly TempStore _store = new();

    /// <summary>
    /// Holds the writer (in a transaction of its own, once it has started) until the returned gate is opened, so that
    /// what is queued meanwhile is not committed and goes into the next transaction.
    /// </summary>
    private (TaskCompletionSource Gate, Task Held) HoldWriter()
    {
        var gate = new TaskCompletionSource();
        var holding = new ManualResetEventSlim();
        var held = _store.Database.WriteAsync(
            _ =>
            {
                holding.Set();
                return gate.Task.Wait(TimeSpan.FromSeconds(10));
            },
            default);
        Assert.True(holding.Wait(TimeSpan.FromSeconds(10)), "the writer did not start the holding write");
        return (gate, held);
    }

    private long Count(string sql) => _store.Database.Read(s => (long)s.Command(sql).ExecuteScalar()!);

    [Fact]
    public async Task A_claim_and_a_closed_record_are_answered_and_read_back_before_they_commit_and_commit_with_the_next_write()
    {
        var sessions = _store.Stores.Sessions;
        var (gate, held) = HoldWriter();

        Assert.Equal(new SessionClaim("acct", IsNew: true), await sessions.ClaimAsync("s-1", "acct", default).WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(new SessionClaim("acct", IsNew: false), await sessions.ClaimAsync("s-1", "other", default));
        Assert.Equal("acct", await sessions.FindAccountAsync("s-1", default));
        var session = new Session
        {
            SessionId = "s-1", Fingerprint = "f", StartTime = Fixtures.Now, Prefix = "44", Destination = "UK", Tariff = Fixtures.Deck().Rows[0].Tariff,
            AuthorizeAnswer = new GrantAnswer("s-1", ResultCode.Success, 60, 300, false, 0.01m, 0.01m, "GBP", 1m),
        };
        await sessions.RecordClosedAsync(new ClosedSession("acct", session), default).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("s-1", (await sessions.FindClosedAsync("s-1", default))?.SessionId);
        Assert.Equal(0, Count("SELECT count(*) FROM sessions")); // nothing committed yet

        var write = _store.Stores.Accounts.TryCreateAsync(AccountState.Open("acct", Fixtures.Prepaid(), 1m, Fixtures.Now), default);
        gate.SetResult();
        await held;
        Assert.NotNull(await write);
        Assert.Equal(1, Count("SELECT count(*) FROM sessions WHERE account_id = 'acct' AND closed IS NOT NULL"));

        _store.Reopen();
        Assert.Equal("acct", await _store.Stores.Sessions.FindAccountAsync("s-1", default));
        Assert.Equal("s-1", (await _store.Stores.Sessions.FindClosedAsync("s-1", default))?.SessionId);
    }

    [Fact]
    public async Task A_write_queued_after_one_that_failed_is_never_committed_without_it()
    {
        var (gate, held) = HoldWriter();
        var attempts = 0;
        _store.Database.WriteBefore(
            s =>
            {
                if (++attempts == 1)
                {
                    throw new SqliteException("disk I/O error (simulated)", 10);
                }

                s.Command("INSERT INTO sessions (session_id, account_id, created_at) VALUES ('carried', 'acct', 0)").ExecuteNonQuery();
            },
            () => { });
        var first = _store.Stores.Accounts.TryCreateAsync(AccountState.Open("first", Fixtures.Prepaid(), 1m, Fixtures.Now), default);
        gate.SetResult();
        await held;

        await Assert.ThrowsAsync<StoreUnavailableException>(() => first);
        Assert.Equal(0, Count("SELECT count(*) FROM accounts"));

        Assert.NotNull(await _store.Stores.Accounts.TryCreateAsync(AccountState.Open("second", Fixtures.Prepaid(), 1m, Fixtures.Now), default));
        Assert.Equal(2, attempts);
        Assert.Equal(1, Count("SELECT count(*) FROM sessions WHERE session_id = 'carried'"));
        Assert.Equal(1, Count("SELECT count(*) FROM accounts"));
    }

    /// <summary>
    /// On the writer's thread, takes many arrays of <paramref name="length"/> bytes from the shared pool, fills them and gives
    /// them back: an array a write still binds, given back too early, is then (most likely) among them and overwritten.
    /// </summary>
    private static void Scribble(int length)
    {
        var rented = new byte[64][];
        for (var i = 0; i < rented.Length; i++)
        {
            rented[i] = ArrayPool<byte>.Shared.Rent(length);
            rented[i].AsSpan().Fill((byte)'x');
        }

        foreach (var array in rented)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private static Session ClosedCall(string sessionId) => new()
    {
        SessionId = sessionId, Fingerprint = "f", StartTime = Fixtures.Now, Prefix = "44", Destination = "UK", Tariff = Fixtures.Deck().Rows[0].Tariff,
        Status = SessionStatus.Terminated, ClosedAt = Fixtures.Now,
        AuthorizeAnswer = new GrantAnswer(sessionId, ResultCode.Success, 60, 300, false, 0.01m, 0.01m, "GBP", 1m),
    };

    [Fact]
    public async Task A_blob_bound_from_a_span_is_copied_by_SQLite_so_the_memory_may_be_reused_before_the_statement_runs()
    {
        // The pooled heads and records rest on this: SQLitePCL.raw binds a span with SQLITE_TRANSIENT (SQLite copies it).
        var stored = await _store.Database.WriteAsync(
            session =>
            {
                session.Execute("CREATE TEMP TABLE IF NOT EXISTS bound (v BLOB)");
                var buffer = ArrayPool<byte>.Shared.Rent(1024);
                "{\"the\":\"original\"}"u8.CopyTo(buffer);
                var statement = session.Statement("INSERT INTO bound (v) VALUES (?1)").Bind(1, buffer.AsSpan(0, 18));
                buffer.AsSpan().Fill((byte)'x'); // reused before the statement runs
                ArrayPool<byte>.Shared.Return(buffer);
                statement.Run();
                using var reader = session.Command("SELECT v FROM bound").ExecuteReader();
                Assert.True(reader.Read());
                return reader.GetFieldValue<byte[]>(0);
            },
            default);
        Assert.Equal("{\"the\":\"original\"}"u8.ToArray(), stored);
    }

    [Fact]
    public async Task An_account_write_run_again_after_another_write_of_its_transaction_failed_writes_the_head_it_was_given()
    {
        var accounts = _store.Stores.Accounts;
        var state = AccountState.Open("a", Fixtures.Prepaid(), 5m, Fixtures.Now);
        var etag = await accounts.TryCreateAsync(state, default);
        var next = state.Suspend("a reason", Fixtures.Now);
        var head = SqliteDocumentRows.Write(2, next, null).Head;

        var (gate, held) = HoldWriter();
        var replace = accounts.TryReplaceAsync(next, etag!, default); // its head is in a rented array
        var failing = _store.Database.WriteAsync<int>(
            _ =>
            {
                Scribble(head.Length);
                throw new SqliteException("disk I/O error (simulated)", 10);
            },
            default);
        Scribble(head.Length); // on this thread too: an array given back here goes to this thread's own slot first
        gate.SetResult();
        await held;

        await Assert.ThrowsAsync<StoreUnavailableException>(() => failing);
        Assert.Equal("2", await replace); // run again in a transaction without the failed write
        Assert.Equal(head, _store.Database.Read(s => s.Command("SELECT doc FROM accounts WHERE account_id = 'a'").ExecuteScalar() as byte[]));
        _store.Reopen();
        Assert.Equal(SqliteValues.Json(next), SqliteValues.Json((await new SqliteAccountStore(_store.Database).GetAsync("a", default))!.Value));
    }

    [Fact]
    public async Task A_closed_session_s_record_carried_over_a_failed_transaction_is_written_as_it_was_given()
    {
        var closed = new ClosedSession("acct", ClosedCall("s-1"));
        var json = SqliteValues.Json(closed);
        var (gate, held) = HoldWriter();
        await _store.Stores.Sessions.RecordClosedAsync(closed, default); // its JSON is in a rented array until its commit
        var attempts = 0;
        _store.Database.WriteBefore(
            _ =>
            {
                if (++attempts == 1)
                {
                    Scribble(json.Length);
                    throw new SqliteException("disk I/O error (simulated)", 10);
                }
            },
            () => { });
        var sacrificed = _store.Database.WriteAsync(_ => 0, default); // in the transaction that fails
        Scribble(json.Length);
        gate.SetResult();
        await held;

        await Assert.ThrowsAsync<StoreUnavailableException>(() => sacrificed);
        Assert.NotNull(await _store.Stores.Accounts.TryCreateAsync(AccountState.Open("acct", Fixtures.Prepaid(), 1m, Fixtures.Now), default));
        Assert.Equal(2, attempts);
        Scribble(json.Length);
        Assert.Equal(json, _store.Database.Read(s => s.Command("SELECT closed FROM sessions WHERE session_id = 's-1'").ExecuteScalar() as byte[]));
    }

    public void Dispose() => _store.Dispose();
}
