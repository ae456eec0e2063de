using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// A statement prepared once on a connection and run with positional parameters (<c>?1</c>, <c>?2</c>, ...) straight
/// through SQLite's API: the writer's hot statements, where Microsoft.Data.Sqlite's command (a parameter collection
/// rebuilt per call, a data reader per run) cost more managed CPU than SQLite's own work on the row. Used by one
/// thread at a time, as its <see cref="SqliteSession"/>. An error is thrown as the <see cref="SqliteException"/>
/// Microsoft.Data.Sqlite would throw, so it is translated the same way (<see cref="SqliteFaults"/>).
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public SqliteStatement(sqlite3 db, string sql)
    {
        _db = db;
        Check(raw.sqlite3_prepare_v3(db, sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement, out var tail));
        if (!string.IsNullOrWhiteSpace(tail))
        {
            _statement.Dispose();
            throw new ArgumentException("one statement only", nameof(sql));
        }
    }

    public SqliteStatement Bind(int index, string value)
    {
        Check(raw.sqlite3_bind_text(_statement, index, value));
        return this;
    }

    public SqliteStatement Bind(int index, byte[] value) => Bind(index, value.AsSpan());

    /// <summary>Binds a blob; SQLite takes its own copy, so the memory may be reused once this returns.</summary>
    public SqliteStatement Bind(int index, ReadOnlySpan<byte> value)
    {
        Check(raw.sqlite3_bind_blob(_statement, index, value));
        return this;
    }

    public SqliteStatement Bind(int index, long value)
    {
        Check(raw.sqlite3_bind_int64(_statement, index, value));
        return this;
    }

    public SqliteStatement Bind(int index, long? value)
    {
        Check(value is { } v ? raw.sqlite3_bind_int64(_statement, index, v) : raw.sqlite3_bind_null(_statement, index));
        return this;
    }

    /// <summary>Runs the statement (one that returns no rows) and returns the rows it changed; the bindings are cleared.</summary>
    public int Run()
    {
        try
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc != raw.SQLITE_DONE)
            {
                Check(rc == raw.SQLITE_ROW ? raw.SQLITE_MISUSE : rc);
            }

            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
            raw.sqlite3_clear_bindings(_statement);
        }
    }

    /// <summary>Runs a query and returns the text of its first row's first column (null when there is no row, or it is null); the bindings are cleared.</summary>
    public string? Text()
    {
        try
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_DONE)
            {
                return null;
            }

            Check(rc == raw.SQLITE_ROW ? raw.SQLITE_OK : rc);
            return raw.sqlite3_column_type(_statement, 0) == raw.SQLITE_NULL ? null : raw.sqlite3_column_text(_statement, 0).utf8_to_string();
        }
        finally
        {
            raw.sqlite3_reset(_statement);
            raw.sqlite3_clear_bindings(_statement);
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string() ?? $"SQLite error {rc}", rc, raw.sqlite3_extended_errcode(_db));
        }
    }

    public void Dispose() => _statement.Dispose();
}
