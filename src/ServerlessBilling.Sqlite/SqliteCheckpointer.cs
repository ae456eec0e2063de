using Microsoft.Data.Sqlite;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// Copies the WAL back into the data file on its own thread and connection, so that the writer never does it. A
/// checkpoint copies every page again and flushes the WAL and the file to the disk (with either durability
/// setting); left to SQLite's automatic checkpoint it would run inside a commit on the writer's thread, and every
/// request waiting for a commit would wait for the disk flush too. A passive checkpoint runs beside the writer
/// without blocking it. Commits do not depend on it: the WAL holds them either way. The writer keeps an automatic
/// checkpoint at <see cref="WriterBackstopPages"/> in case this one falls behind.
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>The writer's own automatic checkpoint, a backstop only (SQLite's default is 1,000 pages).</summary>
    public const int WriterBackstopPages = 20_000;

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly SqliteSession _session;
    private readonly Func<long> _commits;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;
    private long _checkpointedAt = -1;

    public SqliteCheckpointer(SqliteSession session, Func<long> commits)
    {
        _session = session;
        _commits = commits;
        _thread = new Thread(Run) { IsBackground = true, Name = "sqlite-checkpt" };
        _thread.Start();
    }

    /// <summary>Checkpoints that ran (each after at least one new commit).</summary>
    public long Checkpoints { get; private set; }

    private void Run()
    {
        while (!_stop.Wait(Interval))
        {
            var commits = _commits();
            if (commits == _checkpointedAt)
            {
                continue; // nothing new in the WAL: no disk flush for nothing
            }

            try
            {
                _session.Execute("PRAGMA wal_checkpoint(PASSIVE)");
                _checkpointedAt = commits;
                Checkpoints++;
            }
            catch (SqliteException)
            {
                // A lock held elsewhere or an I/O error: the commits are safe in the WAL; the next round tries again.
            }
        }
    }

    public void Dispose()
    {
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
        _session.Dispose();
    }
}
