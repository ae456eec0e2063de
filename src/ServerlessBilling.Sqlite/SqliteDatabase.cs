using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// The data file: one writer (<see cref="SqliteWriter"/>, group commit) and a pool of reader connections, which
/// WAL mode lets read a consistent snapshot while the writer commits. Opening it creates the file and runs the
/// schema's migrations.
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    private const int ReadersKept = 16;
    private readonly ConcurrentBag<SqliteSession> _readers = [];
    private readonly string _connectionString;
    private readonly string[] _readerPragmas;
    private readonly SqliteWriter _writer;
    private int _disposed;

    private SqliteDatabase(SqliteOptions options, TimeProvider clock)
    {
        Options = options;
        Directory.CreateDirectory(Path.GetDirectoryName(options.FilePath)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false, // the writer and the readers keep their own connections open
        }.ToString();
        var busy = $"PRAGMA busy_timeout = {(int)options.BusyTimeout.TotalMilliseconds}";
        _readerPragmas = [busy];
        var writerSession = new SqliteSession(_connectionString,
        [
            busy,
            "PRAGMA journal_mode = WAL",
            options.Durability == SqliteDurability.PowerLoss ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
        ]);
        try
        {
            SchemaVersion = SqliteSchema.Migrate(writerSession, clock);
        }
        catch
        {
            writerSession.Dispose();
            throw;
        }

        _writer = new SqliteWriter(writerSession, options.MaxWritesPerCommit);
        WriterSession = writerSession;
    }

    public SqliteOptions Options { get; }

    /// <summary>The schema version of the file after the migrations that ran at open.</summary>
    public int SchemaVersion { get; }

    /// <summary>Commits and writes so far: writes per commit is how much group commit saves.</summary>
    public (long Commits, long Writes) CommitStatistics => (_writer.Commits, _writer.Writes);

    private SqliteSession WriterSession { get; }

    public static SqliteDatabase Open(SqliteOptions options, TimeProvider clock)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("SQLite settings are invalid: " + string.Join("; ", errors));
        }

        try
        {
            return new SqliteDatabase(options, clock);
        }
        catch (SqliteException ex)
        {
            throw new InvalidOperationException($"cannot open the SQLite data file '{options.FilePath}': {ex.Message}", ex);
        }
    }

    internal Task<T> WriteAsync<T>(Func<SqliteSession, T> write, CancellationToken cancellationToken) =>
        _writer.WriteAsync(write, cancellationToken);

    internal T Read<T>(Func<SqliteSession, T> read)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var session = _readers.TryTake(out var pooled) ? pooled : OpenReader();
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
            if (_readers.Count < ReadersKept && _disposed == 0)
            {
                _readers.Add(session);
            }
            else
            {
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

        _writer.Dispose(); // drains the queue: every accepted write is committed before the file closes
        WriterSession.Dispose();
        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }
}
