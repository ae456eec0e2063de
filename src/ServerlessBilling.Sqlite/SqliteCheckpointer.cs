using Microsoft.Data.Sqlite;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// Copies the WAL back into the data file on its own thread and connection, so that the writer never does it. A
/// checkpoint copies every page again and flushes the WAL and the file to the disk (with either durability
/// setting); left to SQLite's automatic checkpoint it would run inside a commit on the writer's thread, and every
/// request waiting for a commit would wait for the disk flush too. A passive checkpoint runs beside the writer
/// without blocking it. Commits do not depend on it: the WAL holds them either way. Under steady writes a passive
/// checkpoint never quite catches up (frames are appended while it copies), and SQLite starts the WAL over only
/// once every frame is copied; so when the WAL has grown past <see cref="RestartPages"/>, this thread checkpoints again
/// without waiting until few frames are left (<see cref="FinishOnWriterPages"/>), and then the writer is asked to copy
/// those between two groups, after which its next write starts the WAL over. The writer keeps
/// an automatic checkpoint at <see cref="WriterBackstopPages"/> in case this one falls behind.
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>The writer's own automatic checkpoint, a backstop only (SQLite's default is 1,000 pages).</summary>
    public const int WriterBackstopPages = 20_000;

    /// <summary>A WAL this long (16 MB of 4 KB pages) is started over: the writer finishes the checkpoint.</summary>
    public const int RestartPages = 4096;

    /// <summary>
    /// The writer is asked to finish a checkpoint only when at most this many frames are left to copy (1 MB): a checkpoint on
    /// the writer's thread reads each frame left from the WAL, writes it to the file and flushes the file, while every write
    /// queued behind it waits. Asked as soon as the WAL passed <see cref="RestartPages"/>, under CDR ingestion (which appends
    /// pages faster than a checkpoint every <see cref="Interval"/> copies them) the writer copied thousands of frames and
    /// flushed the disk between groups: about half of its time. Until then this thread checkpoints again without waiting.
    /// </summary>
    public const int FinishOnWriterPages = 256;

    /// <summary>A WAL this long (64 MB) is finished on the writer however many frames are left: this thread is not catching up.</summary>
    public const int MostPages = 4 * RestartPages;

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly SqliteSession _session;
    private readonly Func<long> _commits;
    private readonly Action _finishOnWriter;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;
    private long _checkpointedAt = -1; // -1: the first round checkpoints what a previous process left in the WAL

    public SqliteCheckpointer(SqliteSession session, Func<long> commits, Action finishOnWriter)
    {
        _session = session;
        _commits = commits;
        _finishOnWriter = finishOnWriter;
        _thread = new Thread(Run) { IsBackground = true, Name = "sqlite-checkpt" };
        _thread.Start();
    }

    /// <summary>Pages in the WAL at the last checkpoint: it stays below about <see cref="RestartPages"/> while the WAL is started over.</summary>
    public long WalPages { get; private set; }

    /// <summary>Checkpoints that ran: one at start, then each after at least one new commit.</summary>
    public long Checkpoints { get; private set; }

    /// <summary>The writer's commit count the last checkpoint covered (-1 before the first).</summary>
    public long CheckpointedCommits => Volatile.Read(ref _checkpointedAt);

    private void Run()
    {
        var wait = Interval;
        while (!_stop.Wait(wait))
        {
            wait = Interval;
            var commits = _commits();
            if (commits == _checkpointedAt)
            {
                continue; // nothing new in the WAL: no disk flush for nothing
            }

            try
            {
                using (var reader = _session.Command("PRAGMA wal_checkpoint(PASSIVE)").ExecuteReader())
                {
                    if (reader.Read())
                    {
                        WalPages = reader.GetInt64(1);
                        switch (After(WalPages, reader.GetInt64(2)))
                        {
                            case Next.FinishOnWriter:
                                _finishOnWriter();
                                break;
                            case Next.Again:
                                wait = TimeSpan.Zero;
                                break;
                        }
                    }
                }

                Checkpoints++;
                Volatile.Write(ref _checkpointedAt, commits);
            }
            catch (SqliteException)
            {
                // A lock held elsewhere or an I/O error: the commits are safe in the WAL; the next round tries again.
            }
        }
    }

    /// <summary>What follows a passive checkpoint that left a WAL of <paramref name="walPages"/> frames, <paramref name="checkpointed"/> of them copied.</summary>
    internal static Next After(long walPages, long checkpointed) =>
        walPages < RestartPages ? Next.Wait
        : walPages - checkpointed <= FinishOnWriterPages || walPages >= MostPages ? Next.FinishOnWriter
        : Next.Again; // catch up first: the writer is asked once only a few frames are left

    internal enum Next
    {
        /// <summary>The next round, after <see cref="Interval"/>.</summary>
        Wait,

        /// <summary>Another round at once.</summary>
        Again,

        /// <summary>The writer copies what is left between two groups, so that its next write starts the WAL over.</summary>
        FinishOnWriter,
    }

    public void Dispose()
    {
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
        _session.Dispose();
    }
}
