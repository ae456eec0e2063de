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

    public void Dispose() => _store.Dispose();
}
