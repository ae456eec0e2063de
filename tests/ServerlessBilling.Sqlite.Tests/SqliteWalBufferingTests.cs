using System.Globalization;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// The writer's WAL frames gathered into one write per commit (<see cref="SqliteWalBuffering"/>): a commit costs the file
/// one or two writes instead of two per page, and each acknowledged write is in the file and its WAL as a SIGKILL right
/// after the answer leaves them, with either durability.
/// </summary>
public sealed class SqliteWalBufferingTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"sb-sqlite-walbuffer-{Guid.NewGuid():N}");
    private readonly List<SqliteDatabase> _open = [];

    private SqliteDatabase Open(string folder, SqliteDurability durability)
    {
        var database = SqliteDatabase.Open(new SqliteOptions { DataDirectory = folder, Durability = durability }, TimeProvider.System);
        _open.Add(database);
        return database;
    }

    [Theory]
    [InlineData(SqliteDurability.ProcessCrash)]
    [InlineData(SqliteDurability.PowerLoss)]
    public async Task Each_commit_reaches_the_WAL_in_few_writes_and_every_acknowledged_write_is_in_a_copy_taken_right_after_its_answer(SqliteDurability durability)
    {
        var database = Open(Path.Combine(_folder, "live"), durability);
        var accounts = new SqliteAccountStore(database);
        var etag = (await accounts.TryCreateAsync(AccountState.Open("a", Fixtures.Prepaid(), 0m, Fixtures.Now), default))!;
        var (commitsBefore, _) = database.CommitStatistics;
        var before = database.WalWrites;
        Assert.NotNull(before); // the writer's WAL is gathered

        // Commits of 2 to about 50 pages, one more every step or so: past what is gathered before it is written (30
        // frames), so that every place of the commit frame against that bound comes (a commit frame whose header was
        // gathered last before a write, and its page after it, was once left unwritten at the answer).
        const int Steps = 60;
        for (var step = 1; step <= Steps; step++)
        {
            var account = AccountState.Open("a", Fixtures.Prepaid(), step, Fixtures.Now) with { SuspendReason = new string('x', Length(step)) };
            etag = (await accounts.TryReplaceAsync(account, etag, default))!;
            Assert.NotNull(etag);
            Assert.Equal(0, database.WalWrites!.Value.Gathered); // all of the commit is in the file at its answer

            // What a SIGKILL right after the answer leaves: the file and its WAL (no WAL index), opened by a new process.
            var copy = Path.Combine(_folder, "copy-" + step.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(copy);
            File.Copy(database.Options.FilePath, Path.Combine(copy, "billing.db"));
            File.Copy(database.Options.FilePath + "-wal", Path.Combine(copy, "billing.db-wal"));
            var read = await new SqliteAccountStore(Open(copy, durability)).GetAsync("a", default);
            Assert.Equal((etag, (decimal)step, Length(step)), (read!.ETag, read.Value.Balance, read.Value.SuspendReason!.Length));
        }

        var (commits, _) = database.CommitStatistics;
        var (appends, writes, _) = database.WalWrites!.Value;
        (appends, writes) = (appends - before.Value.Appends, writes - before.Value.Writes);
        Assert.Equal(Steps, commits - commitsBefore);
        Assert.True(appends >= 2 * 20 * Steps, $"{appends} writes asked for {Steps} commits");
        Assert.True(writes <= 3 * Steps, $"{writes} writes made for {Steps} commits ({appends} asked for)");
    }

    private static int Length(int step) => 3500 * step;

    public void Dispose()
    {
        foreach (var database in _open)
        {
            database.Dispose();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
