using Microsoft.Data.Sqlite;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

internal static class SqliteFaults
{
    /// <summary>
    /// A database fault (disk full, I/O error, a lock held too long) is infrastructure: the HTTP layer answers 503
    /// rather than a business result. Anything else is a bug and stays what it is.
    /// </summary>
    public static Exception Translate(Exception exception) => exception is SqliteException sqlite
        ? new StoreUnavailableException($"SQLite error {sqlite.SqliteErrorCode}: {sqlite.Message}", sqlite) { Store = "SQLite store" }
        : exception;
}
