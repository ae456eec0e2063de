using Microsoft.Data.Sqlite;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// Group commit with a coalescing window (<see cref="SqliteOptions.CommitWindow"/>): concurrent writers share
/// commits, every acknowledged write is committed (and survives the process dying right after), the conditional
/// replace still refuses a stale version, and a lone caller never waits for writes that are not coming.
/// </summary>
[Collection(nameof(SqliteGroupCommitTests))]
public sealed class SqliteGroupCommitTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"sb-sqlite-group-{Guid.NewGuid():N}");
    private readonly List<SqliteDatabase> _open = [];

    private SqliteDatabase Open(TimeSpan window, string? folder = null)
    {
        var database = SqliteDatabase.Open(new SqliteOptions { DataDirectory = folder ?? _folder, CommitWindow = window }, TimeProvider.System);
        _open.Add(database);
        return database;
    }

    private static AccountState Account(string id, decimal balance) => AccountState.Open(id, Fixtures.Prepaid(), balance, Fixtures.Now);

    [Theory]
    [InlineData(1, 1, 0, false)] // a lone caller, nothing else to run: as many wait as the last group answered
    [InlineData(4, 3, 0, false)] // more than last time
    [InlineData(1, 8, 0, true)] // fewer than last time: the others are about to write
    [InlineData(2, 1, 3, true)] // work queued on the thread pool that has not started
    [InlineData(SqliteWriter.SmallGroup, 20, 3, false)] // enough callers share the commit already
    public void A_group_waits_while_fewer_callers_wait_on_it_than_the_last_one_answered_or_the_thread_pool_has_work_queued(
        int awaited, int answered, long poolPending, bool expected) =>
        Assert.Equal(expected, SqliteWriter.KeepWaiting(awaited, answered, poolPending));

    [Fact]
    public async Task Parallel_writers_share_commits_and_every_acknowledged_write_is_committed_and_survives_the_process_dying()
    {
        var database = Open(TimeSpan.FromMilliseconds(5));
        var accounts = new SqliteAccountStore(database);
        const int Writers = 32;
        const int Steps = 20;
        var etags = new string[Writers];
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(async w =>
        {
            await Task.Yield();
            etags[w] = (await accounts.TryCreateAsync(Account($"acct-{w:D2}", 0m), default))!;
        }));
        var (commitsBefore, writesBefore) = database.CommitStatistics;

        // Closed loops, as credit control runs: each writer waits for its write before the next, 32 at a time.
        await Parallel.ForEachAsync(Enumerable.Range(0, Writers), new ParallelOptions { MaxDegreeOfParallelism = Writers }, async (w, ct) =>
        {
            for (var step = 1; step <= Steps; step++)
            {
                var etag = await accounts.TryReplaceAsync(Account($"acct-{w:D2}", step), etags[w], ct);
                Assert.NotNull(etag);
                Assert.Equal((step + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), etag);
                etags[w] = etag;
            }
        });

        var (commits, writes) = database.CommitStatistics;
        Assert.Equal(Writers * Steps, writes - writesBefore);
        Assert.True(commits - commitsBefore < writes - writesBefore, $"{commits - commitsBefore} commits for {writes - writesBefore} writes: none shared");

        // What a SIGKILL leaves: the file and its WAL as the system holds them, with the host still running.
        var copy = Path.Combine(_folder, "copy");
        Directory.CreateDirectory(copy);
        var file = database.Options.FilePath;
        File.Copy(file, Path.Combine(copy, "billing.db"));
        File.Copy(file + "-wal", Path.Combine(copy, "billing.db-wal"));
        var restarted = new SqliteAccountStore(Open(TimeSpan.FromMilliseconds(5), copy));
        for (var w = 0; w < Writers; w++)
        {
            var read = await restarted.GetAsync($"acct-{w:D2}", default);
            Assert.NotNull(read);
            Assert.Equal(etags[w], read.ETag);
            Assert.Equal(Steps, read.Value.Balance);
        }
    }

    [Fact]
    public async Task Concurrent_replaces_of_one_version_in_one_group_let_exactly_one_through()
    {
        var database = Open(TimeSpan.FromMilliseconds(5));
        var accounts = new SqliteAccountStore(database);
        var etag = (await accounts.TryCreateAsync(Account("hot", 1m), default))!;
        for (var round = 0; round < 5; round++)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => accounts.TryReplaceAsync(Account("hot", 100 * round + i), etag, default))));
            var winners = results.Where(r => r is not null).ToList();
            Assert.Single(winners);
            var read = (await accounts.GetAsync("hot", default))!;
            Assert.Equal(winners[0], read.ETag);
            etag = read.ETag;
        }
    }

    [Fact]
    public async Task A_lone_caller_never_waits_for_a_group()
    {
        var database = Open(TimeSpan.FromMilliseconds(100));
        var accounts = new SqliteAccountStore(database);
        var etag = (await accounts.TryCreateAsync(Account("alone", 0m), default))!;
        for (var step = 1; step <= 50; step++)
        {
            etag = (await accounts.TryReplaceAsync(Account("alone", step), etag, default))!;
        }

        Assert.True(database.CoalescedCommits < 10, $"{database.CoalescedCommits} of 51 groups of a lone caller waited"); // none unless the test host queued work meanwhile
        Assert.Equal("51", etag);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void A_commit_window_out_of_range_is_named(int milliseconds)
    {
        var options = new SqliteOptions { CommitWindow = TimeSpan.FromMilliseconds(milliseconds) };
        Assert.Contains(options.Validate(), e => e.Contains("Sqlite:CommitWindow", StringComparison.Ordinal));
    }

    [Fact]
    public void The_commit_window_is_one_millisecond_by_default_and_valid()
    {
        var options = new SqliteOptions();
        Assert.Equal(TimeSpan.FromMilliseconds(1), options.CommitWindow);
        Assert.DoesNotContain(options.Validate(), e => e.Contains("Sqlite:CommitWindow", StringComparison.Ordinal));
    }

    /// <summary>Alone: a lone caller's groups must not see other tests' work queued on the thread pool.</summary>
    [CollectionDefinition(nameof(SqliteGroupCommitTests), DisableParallelization = true)]
    public sealed class Alone;

    public void Dispose()
    {
        foreach (var database in _open)
        {
            database.Dispose();
        }

        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
