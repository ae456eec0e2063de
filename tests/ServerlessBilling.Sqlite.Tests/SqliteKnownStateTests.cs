using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// Reads answered from what the process knows instead of the file: sound only while the process is the file's only
/// writer, and never put back an older version than one committed.
/// </summary>
public sealed class SqliteKnownStateTests : IDisposable
{
    private readonly TempStore _store = new();

    private static Versioned<AccountState> State(decimal balance, long version) =>
        new(AccountState.Open("a", Fixtures.Prepaid(), balance, Fixtures.Now), version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void A_second_process_cannot_open_the_file_while_one_has_it_open_and_can_after_it_closed()
    {
        var refused = Assert.Throws<SqliteDataUnusableException>(() => SqliteDatabase.Open(_store.Options, TimeProvider.System));
        Assert.Contains("in use by another process", refused.Message, StringComparison.Ordinal);
        Assert.Contains(".lock", refused.Message, StringComparison.Ordinal);

        _store.Reopen(); // closing releases the lock
        Assert.Equal(SqliteSchema.Latest, _store.Database.SchemaVersion);
    }

    [Fact]
    public void A_read_of_the_file_never_replaces_a_newer_committed_version()
    {
        var known = new SqliteKnownState();
        var marker = known.ReadMarker;
        known.Committed(State(6m, 6), 6, Written(State(6m, 6).Value, 6));
        known.RememberRead(State(5m, 5), 5, marker); // read before the commit, remembered after it

        Assert.Equal("6", known.Account("a")!.ETag);
    }

    [Fact]
    public void Session_owners_and_accounts_start_over_once_the_capacity_is_reached_counting_each_id_once()
    {
        var known = new SqliteKnownState();
        for (var i = 0; i < SqliteKnownState.Capacity - 1; i++)
        {
            known.RememberSessionOwner($"s{i}", "a");
        }

        known.RememberSessionOwner("s0", "a"); // known already: not counted again
        known.RememberSessionOwner("full", "a");
        Assert.Equal(("a", "a"), (known.SessionOwner("s0"), known.SessionOwner("full")));
        known.RememberSessionOwner("beyond", "a");
        Assert.Equal((null, "a"), (known.SessionOwner("s0"), known.SessionOwner("beyond")));

        var document = Written(State(1m, 1).Value, 1);
        Versioned<AccountState> Account(string id) => new(AccountState.Open(id, Fixtures.Prepaid(), 1m, Fixtures.Now), "1");
        for (var i = 0; i < SqliteKnownState.Capacity - 1; i++)
        {
            known.Committed(Account($"a{i}"), 1, document);
        }

        known.Committed(Account("a0"), 1, document); // known already, at this version: not counted again
        known.Forget("a1"); // one less
        known.Committed(Account("last"), 1, document);
        known.Committed(Account("full"), 1, document);
        Assert.All(new[] { "a0", "last", "full" }, id => Assert.NotNull(known.Account(id)));
        known.Committed(Account("beyond"), 1, document);
        Assert.Null(known.Account("a0"));
        Assert.NotNull(known.Account("beyond"));
        Assert.Null(known.Document($"a{SqliteKnownState.Capacity - 2}")); // documents start over at their own, smaller capacity
        Assert.NotNull(known.Document("beyond"));
    }

    [Fact]
    public void A_read_that_began_before_a_state_was_forgotten_is_not_remembered()
    {
        var known = new SqliteKnownState();
        known.Committed(State(6m, 6), 6, Written(State(6m, 6).Value, 6));
        var marker = known.ReadMarker;
        known.Forget("a");
        known.RememberRead(State(5m, 5), 5, marker);
        Assert.Null(known.Account("a"));

        known.RememberRead(State(7m, 7), 7, known.ReadMarker);
        Assert.Equal("7", known.Account("a")!.ETag);
    }

    [Fact]
    public async Task A_refused_write_forgets_the_known_state_so_the_next_read_sees_the_file()
    {
        var accounts = _store.Stores.Accounts;
        var etag = (await accounts.TryCreateAsync(AccountState.Open("acct", Fixtures.Prepaid(), 10m, Fixtures.Now), default))!;
        var known = (await accounts.GetAsync("acct", default))!;
        Assert.Equal((etag, 10m), (known.ETag, known.Value.Balance));

        // A change behind the store's back (as another program editing the file would make).
        var changed = AccountState.Open("acct", Fixtures.Prepaid(), 3m, Fixtures.Now);
        await _store.Database.WriteAsync(
            s => s.Command("UPDATE accounts SET version = 9, doc = $doc WHERE account_id = 'acct'").With("$doc", SqliteValues.Json(changed)).ExecuteNonQuery(), default);
        Assert.Null(await accounts.TryReplaceAsync(known.Value with { Balance = 1m }, known.ETag, default));

        var reread = (await accounts.GetAsync("acct", default))!;
        Assert.Equal(("9", 3m), (reread.ETag, reread.Value.Balance));
        Assert.Equal("10", await accounts.TryReplaceAsync(reread.Value, reread.ETag, default));
    }

    [Fact]
    public async Task Sessions_claimed_before_a_restart_are_found_and_claimed_again_as_known()
    {
        var sessions = _store.Stores.Sessions;
        Assert.Equal(new SessionClaim("acct", IsNew: true), await sessions.ClaimAsync("s-1", "acct", default));
        Assert.Equal(new SessionClaim("acct", IsNew: false), await sessions.ClaimAsync("s-1", "other", default));
        _store.Reopen();

        var reopened = _store.Stores.Sessions;
        Assert.Equal(new SessionClaim("acct", IsNew: false), await reopened.ClaimAsync("s-1", "other", default)); // decided by the file
        Assert.Null(await reopened.FindAccountAsync("s-2", default));
        Assert.Equal("acct", await reopened.FindAccountAsync("s-1", default));
        Assert.Equal(new SessionClaim("other", IsNew: true), await reopened.ClaimAsync("s-2", "other", default));
    }

    [Theory]
    [InlineData(100, 0, "Wait")] // a short WAL: the next round in its time
    [InlineData(SqliteCheckpointer.RestartPages - 1, 0, "Wait")]
    [InlineData(SqliteCheckpointer.RestartPages, SqliteCheckpointer.RestartPages - 3000, "Again")] // thousands left: this thread copies them, not the writer
    [InlineData(SqliteCheckpointer.RestartPages + 5000, SqliteCheckpointer.RestartPages, "Again")]
    [InlineData(SqliteCheckpointer.RestartPages, SqliteCheckpointer.RestartPages - SqliteCheckpointer.FinishOnWriterPages, "FinishOnWriter")] // few left
    [InlineData(SqliteCheckpointer.RestartPages + 10, SqliteCheckpointer.RestartPages + 10, "FinishOnWriter")]
    [InlineData(SqliteCheckpointer.MostPages, 0, "FinishOnWriter")] // not catching up: the WAL is bounded all the same
    public void The_writer_is_asked_to_finish_a_checkpoint_only_when_few_frames_are_left_or_the_wal_is_at_its_most(long walPages, long checkpointed, string next) =>
        Assert.Equal(next, SqliteCheckpointer.After(walPages, checkpointed).ToString());

    [Fact]
    public async Task The_wal_is_checkpointed_beside_the_writer_which_keeps_its_own_only_as_a_backstop()
    {
        var backstop = await _store.Database.WriteAsync(s => (long)s.Command("PRAGMA wal_autocheckpoint").ExecuteScalar()!, default);
        Assert.Equal(SqliteCheckpointer.WriterBackstopPages, backstop);

        await _store.Stores.Accounts.TryCreateAsync(AccountState.Open("c", Fixtures.Prepaid(), 1m, Fixtures.Now), default);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!_store.Database.CheckpointedLatestCommit && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(_store.Database.CheckpointedLatestCommit, "no checkpoint ran beside the writer after its commit");
        var idle = _store.Database.Checkpoints;
        await Task.Delay(400);
        Assert.Equal(idle, _store.Database.Checkpoints); // no new commit, no checkpoint (nor its disk flush)
    }

    public void Dispose() => _store.Dispose();

    private static AccountDocument Written(AccountState state, long version) => SqliteDocumentRows.Write(version, state, null);
}
