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

    /// <summary>
    /// Lays the file's account rows out as schema 5 wrote them (every part row in account_parts, the member rows too)
    /// and drops what schema 6 added, so that the next open migrates it again; run inside a write.
    /// </summary>
    internal static int AsSchema5(SqliteSession session)
    {
        session.Execute("INSERT INTO account_parts (account_id, part, member, json) SELECT account_id, part, member, json FROM account_members");
        session.Execute("DROP TABLE account_members");
        return session.Execute("DELETE FROM schema_version WHERE version >= 6");
    }

    public void Dispose()
    {
        Database.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Options.DataDirectory, recursive: true);
    }
}
