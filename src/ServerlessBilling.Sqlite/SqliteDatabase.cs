using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// The data file: one writer (<see cref="SqliteWriter"/>, group commit) and a pool of reader connections, which
/// WAL mode lets read a consistent snapshot while the writer commits. Opening it creates the file and runs the
/// schema's migrations. One process at a time has it open: an exclusive lock on a file beside it (billing.db.lock)
/// makes this process the only writer, which is what lets <see cref="Known"/> answer reads without the file.
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    private const int ReadersKept = 16;
    private const int WalFrameHeader = 24;
    private const string MemoryMap = "PRAGMA mmap_size = 268435456";
    private readonly ConcurrentBag<SqliteSession> _readers = [];
    private int _readersPooled; // _readers' count, kept beside it: ConcurrentBag.Count takes every one of its locks, on every read
    private readonly string _connectionString;
    private readonly string[] _readerPragmas;
    private readonly SqliteWriter _writer;
    private readonly FileStream _ownership;
    private readonly SqliteCheckpointer _checkpointer;
    private readonly Thread _sessionIdScan;
    private int _disposed;
    private long _fileReads;

    private SqliteDatabase(SqliteOptions options, TimeProvider clock, FileStream ownership)
    {
        Options = options;
        _ownership = ownership;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false, // the writer and the readers keep their own connections open
        }.ToString();
        var busy = $"PRAGMA busy_timeout = {(int)options.BusyTimeout.TotalMilliseconds}";
        // Readers do not map the file (the writer does, below). A reader's transaction that finds the WAL changed since its
        // last one (always, under load: the writer commits all the time) drops its page cache and, with a map, unmaps the
        // whole file (SQLite's pagerBeginReadTransaction), to map it again and fault its pages back in: each authorize's
        // look-up of its new session id cost a munmap() with a TLB shoot-down to every core, the largest single cost of a
        // SQLite pair (16% of the process's CPU). Read with pread(), those few pages come from the OS page cache.
        _readerPragmas = [busy];
        var synchronous = options.Durability == SqliteDurability.PowerLoss ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
        // The writer alone writes the WAL: its connection gathers a commit's frames into one write (SqliteWalBuffering).
        var writerConnection = SqliteWalBuffering.EnsureRegistered()
            ? new SqliteConnectionStringBuilder(_connectionString) { DataSource = SqliteWalBuffering.Uri(options.FilePath) }.ToString()
            : _connectionString;
        var writerSession = new SqliteSession(writerConnection,
        [
            busy,
            "PRAGMA journal_mode = WAL",
            synchronous,
            // 8 MB (SQLite's default is 2 MB): the pages the writer rewrites stay in its cache instead of being read again.
            // Not more: a commit walks the cache's whole page hash (pcache1TruncateUnsafe from pager_end_transaction,
            // ~10% of the writer's CPU under credit control at 8 MB, ~40% under ingestion at 64 MB) whenever a page split
            // in it renumbered sibling pages into ascending order: SQLite's balance_nonroot swaps two pages' numbers
            // through the lock-byte page's number (262,145 with 4 KB pages) as a temporary key, so the cache's largest key
            // seen is far past the file's size and its truncation at the commit scans every bucket. Splits renumber when
            // the free list hands out pages out of order, i.e. once rows have been deleted; no pragma changes that (the
            // walk costs in proportion to the cache's pages; 1 and 2 MB measured the same as 8 MB within the noise).
            "PRAGMA cache_size = -8192",
            // The writer reads the pages it is about to change through a memory map of the file instead of a pread()
            // each (16% of its CPU under credit control, where the pages touched are spread over far more than the
            // cache). Reads only: every write still goes to the WAL, so what a commit survives is unchanged.
            MemoryMap,
            $"PRAGMA wal_autocheckpoint = {SqliteCheckpointer.WriterBackstopPages}",
            $"PRAGMA journal_size_limit = {2 * SqliteCheckpointer.RestartPages * 4096}", // the WAL file is cut back when it starts over
        ]);
        long sessionRows;
        try
        {
            SchemaVersion = SqliteSchema.Migrate(writerSession, clock);
            PageSize = Convert.ToInt32(writerSession.Command("PRAGMA page_size").ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            // About the rows of the table: its largest rowid, which only a row given its rowid (by hand) takes far past their
            // count; bounded, so that twice it cannot overflow and leave the file unopenable.
            sessionRows = Math.Min(Convert.ToInt64(writerSession.Command("SELECT coalesce(max(rowid), 0) FROM sessions").ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture), int.MaxValue);
        }
        catch
        {
            writerSession.Dispose();
            throw;
        }

        // Made before any write can be queued, and filled by a scan begun after that (see SqliteSessionIds).
        SessionIds = new SqliteSessionIds(sessionRows * 2);
        _writer = new SqliteWriter(writerSession, options.MaxWritesPerCommit, options.CommitWindow);
        WriterSession = writerSession;
        _checkpointer = new SqliteCheckpointer(new SqliteSession(_connectionString, [busy, synchronous]), () => _writer.Commits, _writer.RequestCheckpoint);
        _sessionIdScan = new Thread(ScanSessionIds) { IsBackground = true, Name = "sqlite-session-ids" };
        _sessionIdScan.Start();
    }

    /// <summary>Which session ids the file may hold (<see cref="SqliteSessionIds"/>): a claim of one it cannot hold does not read the file.</summary>
    internal SqliteSessionIds SessionIds { get; }

    /// <summary>Read transactions run on reader connections so far.</summary>
    internal long FileReads => Volatile.Read(ref _fileReads);

    /// <summary>
    /// Adds every session id of the file to <see cref="SessionIds"/> and marks it complete; stops when the file is closed.
    /// Should it fail, the filter stays incomplete and every claim reads the file, as it did without it.
    /// </summary>
    private void ScanSessionIds()
    {
        try
        {
            using var session = OpenReader();
            using var reader = session.Command("SELECT session_id FROM sessions").ExecuteReader();
            while (reader.Read())
            {
                if (Volatile.Read(ref _disposed) != 0)
                {
                    return;
                }

                SessionIds.Add(reader.GetString(0));
            }

            SessionIds.MarkComplete();
        }
        catch (Exception ex) when (ex is SqliteException or Core.Storage.StoreUnavailableException or IOException or InvalidOperationException)
        {
            // Left incomplete: every claim asks the file.
        }
    }

    public SqliteOptions Options { get; }

    /// <summary>The schema version of the file after the migrations that ran at open.</summary>
    public int SchemaVersion { get; }

    /// <summary>Commits and writes so far: writes per commit is how much group commit saves.</summary>
    public (long Commits, long Writes) CommitStatistics => (_writer.Commits, _writer.Writes);

    /// <summary>Groups that waited for more writes before committing (<see cref="SqliteOptions.CommitWindow"/>).</summary>
    public long CoalescedCommits => _writer.Coalesced;

    /// <summary>Bytes the writer's commits appended to the WAL (pages and their frame headers): against <see cref="CommitStatistics"/>, what a write costs the disk.</summary>
    public long WalBytesWritten => checked(_writer.PagesWritten * (PageSize + WalFrameHeader));

    /// <summary>The file's page size, read at open.</summary>
    public int PageSize { get; }

    /// <summary>How long the writer has spent running groups (wall time): against elapsed time, how busy the one writer is.</summary>
    public TimeSpan WriterBusy => System.Diagnostics.Stopwatch.GetElapsedTime(0, _writer.BusyTicks);

    /// <summary>Checkpoints run beside the writer (<see cref="SqliteCheckpointer"/>).</summary>
    public long Checkpoints => _checkpointer.Checkpoints;

    /// <summary>Whether a checkpoint beside the writer has run since its latest commit.</summary>
    public bool CheckpointedLatestCommit => _checkpointer.CheckpointedCommits == _writer.Commits;

    /// <summary>Pages in the WAL when the last checkpoint beside the writer ran.</summary>
    public long WalPages => _checkpointer.WalPages;

    private SqliteSession WriterSession { get; }

    /// <summary>The writes SQLite asked of the writer's WAL and those made to the file (<see cref="SqliteWalBuffering"/>); null when it writes straight. Ask it while no write runs.</summary>
    internal (long Appends, long Writes, int Gathered)? WalWrites => SqliteWalBuffering.Counts(WriterSession.Connection);

    /// <summary>The committed state this process knows, shared by every store on this file.</summary>
    internal SqliteKnownState Known { get; } = new();

    /// <summary>Monitoring's documents as last committed or read, shared by the monitor stores on this file (<see cref="SqliteMonitorStore"/>).</summary>
    internal SqliteKnownVersions<Core.Monitoring.MonitorState> KnownMonitors { get; } = new(SqliteKnownState.DocumentCapacity);

    public static SqliteDatabase Open(SqliteOptions options, TimeProvider clock)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("SQLite settings are invalid: " + string.Join("; ", errors));
        }

        var folder = Path.GetDirectoryName(options.FilePath)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SqliteDataUnusableException($"the SQLite data folder '{folder}' cannot be used: {ex.Message}", ex);
        }

        var ownership = TakeOwnership(options.FilePath);
        try
        {
            return new SqliteDatabase(options, clock, ownership);
        }
        catch (SqliteException ex)
        {
            ownership.Dispose();
            throw new SqliteDataUnusableException($"cannot open the SQLite data file '{options.FilePath}': {ex.Message}", ex);
        }
        catch
        {
            ownership.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An exclusive lock on "{file}.lock" for as long as the file is open (released by the system if the process
    /// dies). A separate file, because closing any handle of the data file itself would drop SQLite's own locks.
    /// </summary>
    private static FileStream TakeOwnership(string filePath)
    {
        var lockPath = filePath + ".lock";
        try
        {
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new SqliteDataUnusableException(
                $"the SQLite data file '{filePath}' is in use by another process (it holds '{lockPath}'): one host at a time serves a data directory", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new SqliteDataUnusableException($"the SQLite data folder of '{filePath}' cannot be written: {ex.Message}", ex);
        }
    }

    internal Task<T> WriteAsync<T>(Func<SqliteSession, T> write, CancellationToken cancellationToken) =>
        _writer.WriteAsync(write, null, cancellationToken);

    /// <summary>As <see cref="WriteAsync{T}(Func{SqliteSession, T}, CancellationToken)"/>; <paramref name="committed"/> runs on the writer thread after the commit (see <see cref="SqliteWriter"/>).</summary>
    internal Task<T> WriteAsync<T>(Func<SqliteSession, T> write, Action<T> committed, CancellationToken cancellationToken) =>
        _writer.WriteAsync(write, committed, cancellationToken);

    /// <summary>A write that no caller waits for, durable with the next commit of any write queued after it (<see cref="SqliteWriter.WriteBefore"/>).</summary>
    internal void WriteBefore(Action<SqliteSession> write, Action committed) => _writer.WriteBefore(write, committed);

    internal T Read<T>(Func<SqliteSession, T> read)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Interlocked.Increment(ref _fileReads);
        SqliteSession session;
        if (_readers.TryTake(out var pooled))
        {
            Interlocked.Decrement(ref _readersPooled);
            session = pooled;
        }
        else
        {
            session = OpenReader();
        }

        try
        {
            return read(session);
        }
        catch (SqliteException ex)
        {
            throw SqliteFaults.Translate(ex);
        }
        finally
        {
            if (Interlocked.Increment(ref _readersPooled) <= ReadersKept && _disposed == 0)
            {
                _readers.Add(session);
            }
            else
            {
                Interlocked.Decrement(ref _readersPooled);
                session.Dispose();
            }
        }
    }

    private SqliteSession OpenReader()
    {
        try
        {
            return new SqliteSession(_connectionString, _readerPragmas);
        }
        catch (SqliteException ex)
        {
            throw SqliteFaults.Translate(ex);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _sessionIdScan.Join(); // it stops at its next row once _disposed is set
        _checkpointer.Dispose();
        _writer.Dispose(); // drains the queue: every accepted write is committed before the file closes
        WriterSession.Dispose();
        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }

        _ownership.Dispose();
    }
}
