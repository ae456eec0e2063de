using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// The single writer of the file, with group commit: one thread drains a queue of writes and runs as many as are
/// waiting (up to <see cref="SqliteOptions.MaxWritesPerCommit"/>) in one transaction. A caller's task completes
/// only after the commit that holds its write, so an answer is never given for a write that is not durable; and
/// a commit's cost (the WAL append, and the disk flush with <see cref="SqliteDurability.PowerLoss"/>) is shared
/// by every write in it. SQLite admits one writer at a time anyway, so nothing is lost by queuing.
/// </summary>
internal sealed class SqliteWriter : IDisposable
{
    private readonly BlockingCollection<WriteOp> _queue = new();
    private readonly SqliteSession _session;
    private readonly int _maxBatch;
    private readonly int _windowMilliseconds;
    private readonly Thread _thread;
    private readonly List<WriteOp> _carried = [];
    private int _checkpointRequested;

    public SqliteWriter(SqliteSession session, int maxBatch, TimeSpan commitWindow)
    {
        _session = session;
        _maxBatch = maxBatch;
        _windowMilliseconds = commitWindow > TimeSpan.Zero ? Math.Max(1, (int)Math.Round(commitWindow.TotalMilliseconds)) : 0;
        _thread = new Thread(Run) { IsBackground = true, Name = "sqlite-writer" };
        _thread.Start();
    }

    /// <summary>How many transactions have committed; with <see cref="Writes"/>, shows how well writes are grouped.</summary>
    public long Commits { get; private set; }

    public long Writes { get; private set; }

    /// <summary>Wall time spent running groups (from BEGIN to the last completion), in Stopwatch ticks: how busy the one writer is.</summary>
    public long BusyTicks { get; private set; }

    /// <summary>Database pages the writer's connection has written (SQLite's SQLITE_DBSTATUS_CACHE_WRITE): in WAL mode, the frames its commits appended.</summary>
    public long PagesWritten { get; private set; }

    /// <summary>
    /// Runs <paramref name="write"/> on the writer's connection inside a transaction. It may run more than once
    /// (when another write in its transaction fails, the others are run again in a new one), so it must only read
    /// and write the database and return a result; it never runs once the returned task has completed, so what it
    /// reads (such as a rented buffer) may be reused from then on. <paramref name="committed"/>, when given, runs on the writer's
    /// thread once the transaction holding the write has committed, before any task of that transaction completes:
    /// in commit order, so a cache it updates never goes back to an older state, and a caller that sees its task
    /// complete sees the cache updated.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteSession, T> write, Action<T>? committed, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var op = new WriteOp<T>(write, committed, cancellationToken);
        try
        {
            _queue.Add(op, CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(nameof(SqliteWriter), "the SQLite store is closed");
        }

        return op.Task;
    }

    /// <summary>
    /// Queues a write that no caller waits for: it is durable with the commit of any write queued after it, because
    /// the queue is run in order and a transaction that does not hold it never commits. It runs first in every
    /// transaction until one holding it commits; while it fails (disk full, I/O error), every later write fails too,
    /// so no later write is ever answered without it. <paramref name="committed"/> runs as for <see cref="WriteAsync{T}"/>;
    /// the write never runs after it.
    /// </summary>
    public void WriteBefore(Action<SqliteSession> write, Action committed)
    {
        try
        {
            _queue.Add(new CarriedOp(write, committed), CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(nameof(SqliteWriter), "the SQLite store is closed");
        }
    }

    /// <summary>Groups that waited for writes to come back (<see cref="SqliteOptions.CommitWindow"/>).</summary>
    public long Coalesced { get; private set; }

    private void Run()
    {
        var batch = new List<WriteOp>(_maxBatch);
        var answered = 0; // callers the last group answered: in a closed loop, the writes about to come back
        foreach (var first in _queue.GetConsumingEnumerable())
        {
            batch.Clear();
            batch.Add(first);
            var awaited = first.IsCarried ? 0 : 1;
            while (batch.Count < _maxBatch && _queue.TryTake(out var next))
            {
                batch.Add(next);
                awaited += next.IsCarried ? 0 : 1;
            }

            if (_windowMilliseconds > 0 && batch.Count < _maxBatch && KeepWaiting(awaited, answered, ThreadPool.PendingWorkItemCount))
            {
                // One sleep, then what came meanwhile: woken by each arrival instead, the writer spent more CPU on the
                // wake-ups (and the semaphore's spinning) than the bigger group saved, and groups ended up smaller.
                Coalesced++;
                Thread.Sleep(_windowMilliseconds);
                while (batch.Count < _maxBatch && _queue.TryTake(out var next))
                {
                    batch.Add(next);
                }
            }

            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            answered = CommitGroup(batch);
            if (Interlocked.Exchange(ref _checkpointRequested, 0) == 1)
            {
                FinishCheckpoint();
            }

            BusyTicks += System.Diagnostics.Stopwatch.GetTimestamp() - start;
        }

        if (_carried.Count > 0)
        {
            CommitGroup([]); // a last try for writes carried over from a failed transaction
        }
    }

    /// <summary>
    /// Whether a group waits <see cref="SqliteOptions.CommitWindow"/> for more writes before it runs: while fewer
    /// callers wait on it than the last group answered (those callers are, under load, about to write again: a
    /// credit-control step is a short computation between two writes), or while the thread pool holds work not yet
    /// started (the continuations of the callers the last group answered, requests that will write). It runs at once
    /// when neither holds, so a lone caller never waits, and once <see cref="SmallGroup"/> callers wait on it. The
    /// writer sleeps meanwhile, which gives its core to the threads about to write; a bigger group shares its commit's
    /// fixed cost (the transaction, the WAL index, the page cache's end-of-transaction walk) and the pages its writes
    /// have in common among more writes.
    /// </summary>
    internal static bool KeepWaiting(int awaited, int answered, long poolPending) =>
        awaited < SmallGroup && (awaited < answered || poolPending > 0);

    /// <summary>
    /// A group with this many callers waiting on it runs without waiting for more: its commit's fixed cost is shared
    /// enough, and under heavy load (when the writer finds dozens queued) a wait would only add latency.
    /// </summary>
    internal const int SmallGroup = 8;

    /// <summary>Runs a group in one transaction (a failed write alone is left out); returns how many callers it answered.</summary>
    private int CommitGroup(List<WriteOp> batch)
    {
        var pending = _carried.Concat(batch.Where(op => !op.SkipIfCancelled())).ToList();
        _carried.Clear();
        while (pending.Count > 0)
        {
            WriteOp? failed = null;
            try
            {
                _session.Execute("BEGIN IMMEDIATE");
                foreach (var op in pending)
                {
                    failed = op;
                    op.Execute(_session);
                }

                failed = null;
                _session.Execute("COMMIT");
            }
            catch (Exception ex)
            {
                TryRollback();
                if (failed is null || failed.IsCarried)
                {
                    // BEGIN or COMMIT failed, or a write that later writes depend on: nothing of the group is
                    // durable. The carried writes go first in the next transaction; the others fail.
                    foreach (var op in pending)
                    {
                        if (op.IsCarried)
                        {
                            _carried.Add(op);
                        }
                        else
                        {
                            op.Fail(ex);
                        }
                    }

                    return 0;
                }

                // One write failed: it alone gets the error; the others run again without it.
                failed.Fail(ex);
                pending.Remove(failed);
                continue;
            }

            Commits++;
            Writes += pending.Count;
            PagesWritten += TakePagesWritten();
            foreach (var op in pending)
            {
                op.Committed();
            }

            var answered = 0;
            foreach (var op in pending)
            {
                op.Complete();
                answered += op.IsCarried ? 0 : 1;
            }

            return answered;
        }

        return 0;
    }

    /// <summary>Asks the writer to copy what is left of the WAL between two groups (<see cref="SqliteCheckpointer"/>).</summary>
    public void RequestCheckpoint() => Volatile.Write(ref _checkpointRequested, 1);

    /// <summary>Between groups, with no transaction open: the frames the last checkpoint left, so the next write starts the WAL over.</summary>
    private void FinishCheckpoint()
    {
        try
        {
            _session.Execute("PRAGMA wal_checkpoint(PASSIVE)");
        }
        catch (SqliteException)
        {
            // The checkpointer is at work (busy) or the disk failed: the commits are in the WAL; it is asked again later.
        }
    }

    private long TakePagesWritten() =>
        SQLitePCL.raw.sqlite3_db_status(_session.Connection.Handle, SQLitePCL.raw.SQLITE_DBSTATUS_CACHE_WRITE, out var pages, out _, 1) == SQLitePCL.raw.SQLITE_OK ? pages : 0;

    private void TryRollback()
    {
        try
        {
            if (!_session.Connection.Handle!.IsInvalid && SQLitePCL.raw.sqlite3_get_autocommit(_session.Connection.Handle) == 0)
            {
                _session.Execute("ROLLBACK");
            }
        }
        catch (SqliteException)
        {
            // The transaction is gone already; the next BEGIN starts clean.
        }
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join();
        _queue.Dispose();
    }

    private abstract class WriteOp
    {
        public virtual bool IsCarried => false;

        public abstract bool SkipIfCancelled();

        public abstract void Execute(SqliteSession session);

        public abstract void Committed();

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class WriteOp<T>(Func<SqliteSession, T> write, Action<T>? committed, CancellationToken cancellationToken) : WriteOp
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _completion.Task;

        public override bool SkipIfCancelled() => cancellationToken.IsCancellationRequested && _completion.TrySetCanceled(cancellationToken);

        public override void Execute(SqliteSession session) => _result = write(session);

        public override void Committed() => committed?.Invoke(_result);

        public override void Complete() => _completion.TrySetResult(_result);

        public override void Fail(Exception exception) => _completion.TrySetException(SqliteFaults.Translate(exception));
    }

    private sealed class CarriedOp(Action<SqliteSession> write, Action committed) : WriteOp
    {
        public override bool IsCarried => true;

        public override bool SkipIfCancelled() => false;

        public override void Execute(SqliteSession session) => write(session);

        public override void Committed() => committed();

        public override void Complete()
        {
        }

        public override void Fail(Exception exception)
        {
        }
    }
}
