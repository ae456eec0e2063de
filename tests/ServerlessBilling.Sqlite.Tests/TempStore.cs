using Microsoft.Data.Sqlite;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>A SQLite store on a file in a fresh temporary folder, deleted on dispose; it can be closed and opened again.</summary>
public sealed class TempStore : IDisposable
{
    public TempStore(SqliteDurability durability = SqliteDurability.ProcessCrash)
    {
        Options = new SqliteOptions { DataDirectory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sb-sqlite-{Guid.NewGuid():N}"), Durability = durability };
        Database = SqliteDatabase.Open(Options, TimeProvider.System);
    }

    public SqliteOptions Options { get; }

    public SqliteDatabase Database { get; private set; }

    public StoreSet Stores => Set(new SqliteAccountStore(Database));

    private StoreSet Set(SqliteAccountStore accounts) => new(
        accounts,
        new SqliteSessionIndex(Database, TimeProvider.System),
        new SqliteRateDeckStore(Database),
        new SqliteUsageStore(Database),
        new SqliteQuarantineStore(Database),
        new SqliteTopUpStore(Database),
        new SqliteAlertStore(Database),
        new SqliteMonitorStore(Database),
        accounts);

    /// <summary>Closes the file and opens it again, as a restart of the host does.</summary>
    public void Reopen()
    {
        Database.Dispose();
        Database = SqliteDatabase.Open(Options, TimeProvider.System);
    }

    public void Dispose()
    {
        Database.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Options.DataDirectory, recursive: true);
    }
}
