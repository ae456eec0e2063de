using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.LoadBench.Stores;

/// <summary>
/// The least a durable SQLite write can cost an account step, for a floor under the SQLite store's figures: one row of
/// <c>bytes</c> ready-made bytes appended to a rowid table per write (no serialisation, no index, no read, no page of an
/// account's own), by one writer thread with group commit (the store's rule: a group of fewer than 8 waits 1 ms once
/// while more are about to come), and the caller answered after the commit that holds it, as the store answers. WAL
/// mode with <c>synchronous=NORMAL</c> (the store's default durability); SQLite's own checkpoint on the writer. Not a
/// store: nothing can be read back from it. It only says what any design that commits before it answers pays here.
/// </summary>
internal sealed class FloorJournal : IDisposable
{
    private const int SmallGroup = 8;
    private readonly BlockingCollection<TaskCompletionSource> _queue = new();
    private readonly SqliteConnection _connection;
    private readonly byte[] _payload;
    private readonly Thread _thread;

    public FloorJournal(string folder, int bytes)
    {
        _payload = new byte[bytes];
        Random.Shared.NextBytes(_payload); // what a compressing disk or file system cannot shrink
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "floor.db"), Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE journal (seq INTEGER PRIMARY KEY, doc BLOB NOT NULL)");
        _thread = new Thread(Run) { IsBackground = true, Name = "floor-writer" };
        _thread.Start();
    }

    public long Commits { get; private set; }

    public long Writes { get; private set; }

    /// <summary>Completes once a row appended for this write has committed.</summary>
    public Task AppendAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(done);
        return done.Task;
    }

    private void Run()
    {
        using var insert = _connection.CreateCommand();
        insert.CommandText = "INSERT INTO journal (doc) VALUES ($doc)";
        insert.Parameters.Add("$doc", SqliteType.Blob).Value = _payload;
        insert.Prepare();
        var batch = new List<TaskCompletionSource>();
        var answered = 0;
        foreach (var first in _queue.GetConsumingEnumerable())
        {
            batch.Clear();
            batch.Add(first);
            Drain(batch);
            if (batch.Count < SmallGroup && (batch.Count < answered || ThreadPool.PendingWorkItemCount > 0))
            {
                Thread.Sleep(1);
                Drain(batch);
            }

            try
            {
                Execute("BEGIN IMMEDIATE");
                foreach (var _ in batch)
                {
                    insert.ExecuteNonQuery();
                }

                Execute("COMMIT");
                Commits++;
                Writes += batch.Count;
                batch.ForEach(done => done.TrySetResult());
            }
            catch (SqliteException ex)
            {
                batch.ForEach(done => done.TrySetException(ex));
            }

            answered = batch.Count;
        }
    }

    private void Drain(List<TaskCompletionSource> batch)
    {
        while (batch.Count < 1000 && _queue.TryTake(out var next))
        {
            batch.Add(next);
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join();
        _connection.Dispose();
        _queue.Dispose();
    }
}

/// <summary>
/// The memory store with a <see cref="FloorJournal"/> write after each of its writes: what credit control would cost if
/// persisting a step cost no more than the floor. Reads stay in memory, as the SQLite store answers them.
/// </summary>
internal sealed class FloorJournalAccountStore(IAccountStore inner, FloorJournal journal) : IAccountStore
{
    public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) => inner.GetAsync(accountId, cancellationToken);

    public ValueTask<Versioned<AccountState>?> ReadForWriteAsync(string accountId, CancellationToken cancellationToken) => inner.ReadForWriteAsync(accountId, cancellationToken);

    public async Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken) =>
        await Persisted(await inner.TryCreateAsync(account, cancellationToken));

    public async Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken) =>
        await Persisted(await inner.TryReplaceAsync(account, ifMatch, cancellationToken));

    public async ValueTask<string?> TryReplaceNowAsync(AccountState account, string ifMatch, CancellationToken cancellationToken) =>
        await Persisted(await inner.TryReplaceNowAsync(account, ifMatch, cancellationToken));

    public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) => inner.FindExpiringAsync(instant, cancellationToken);

    private async Task<string?> Persisted(string? etag)
    {
        if (etag is not null)
        {
            await journal.AppendAsync();
        }

        return etag;
    }
}
