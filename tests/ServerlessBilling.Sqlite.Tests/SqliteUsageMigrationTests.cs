using System.Globalization;
using Microsoft.Data.Sqlite;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// Schema 8: usage rows in a rowid table appended in the order written, with (account, CDR id) a unique index, moved
/// there from the WITHOUT ROWID table of schema 7: every record reads back the same, and a record of the file is still
/// refused when created again.
/// </summary>
public sealed class SqliteUsageMigrationTests
{
    private static UsageRecord Usage(string account, int i) =>
        new("c-" + i.ToString("D4", CultureInfo.InvariantCulture), account, i % 2 == 0 ? "s-" + i.ToString(CultureInfo.InvariantCulture) : null, "+447700900123",
            Fixtures.Now.AddMinutes(-i), 60 + i, "ANSWERED", "44", "United Kingdom", 60, 1.25m + i, "GBP", "2026-11", Settlement.Cdr, null, Fixtures.Now);

    [Fact]
    public async Task A_file_of_schema_7_is_migrated_at_open_and_its_usage_reads_back_and_stays_unique()
    {
        var options = new SqliteOptions { DataDirectory = Path.Combine(Path.GetTempPath(), $"sb-sqlite-{Guid.NewGuid():N}") };
        Directory.CreateDirectory(options.DataDirectory);
        try
        {
            var records = Enumerable.Range(0, 300).Select(i => Usage("acct-" + (i % 7).ToString(CultureInfo.InvariantCulture), i)).ToList();
            var connection = new SqliteConnectionStringBuilder { DataSource = options.FilePath, Pooling = false }.ToString();
            using (var session = new SqliteSession(connection, ["PRAGMA journal_mode = WAL"]))
            {
                // The file as schema 7 left it, its usage rows as that build wrote them (one legacy JSON object among them).
                Assert.Equal(7, SqliteSchema.Migrate(session, TimeProvider.System, target: 7));
                Assert.Contains("WITHOUT ROWID", Sql(session, "usage"), StringComparison.Ordinal);
                foreach (var record in records)
                {
                    var doc = record == records[5] ? SqliteValues.Json(record) : SqliteUsageRows.Write(record);
                    session.Statement("INSERT INTO usage (account_id, cdr_id, start_time, doc) VALUES (?1, ?2, ?3, ?4)")
                        .Bind(1, record.AccountId).Bind(2, record.CdrId).Bind(3, SqliteValues.Ticks(record.StartTime)).Bind(4, doc).Run();
                }
            }

            using (var database = SqliteDatabase.Open(options, TimeProvider.System))
            {
                Assert.True(database.SchemaVersion >= 8, $"schema {database.SchemaVersion}");
                Assert.Equal(SqliteSchema.Latest, database.SchemaVersion);
                database.Read(session =>
                {
                    Assert.DoesNotContain("WITHOUT ROWID", Sql(session, "usage"), StringComparison.Ordinal);
                    Assert.Equal(1L, session.Command("SELECT count(*) FROM pragma_index_list('usage') WHERE name = 'usage_by_key' AND \"unique\" = 1").ExecuteScalar());
                    Assert.Equal(1L, session.Command("SELECT count(*) FROM pragma_index_list('usage') WHERE name = 'usage_by_start'").ExecuteScalar());
                    Assert.Equal(300L, session.Command("SELECT count(*) FROM usage").ExecuteScalar());
                    return 0;
                });

                var usage = new SqliteUsageStore(database);
                foreach (var account in records.GroupBy(r => r.AccountId))
                {
                    var found = await usage.FindExistingAsync(account.Key, [.. account.Select(r => r.CdrId), "c-9999"], default);
                    Assert.Equal(account.Select(r => r.CdrId).Order(StringComparer.Ordinal), found.Keys.Order(StringComparer.Ordinal));
                    Assert.All(account, r => Assert.Equal(r, found[r.CdrId]));
                    var listed = await usage.ListAsync(account.Key, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 1000, default);
                    Assert.Equal(account.OrderBy(r => r.StartTime).ThenBy(r => r.CdrId, StringComparer.Ordinal), listed);
                }

                // Still one row per (account, CDR id): the file's records are refused, new ones (and the same id on another account) taken.
                Assert.False(await usage.TryCreateAsync(records[0], default));
                Assert.Equal([false, true, true, false], await usage.TryCreateManyAsync([records[1], Usage("acct-new", 1), Usage("acct-0", 5000), records[2]], default));
                Assert.Equal(302, (await Task.WhenAll(records.Select(r => r.AccountId).Append("acct-new").Distinct()
                    .Select(a => usage.ListAsync(a, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 1000, default)))).Sum(l => l.Count));
            }

            using (var reopened = SqliteDatabase.Open(options, TimeProvider.System))
            {
                Assert.Equal(SqliteSchema.Latest, reopened.SchemaVersion); // the migration ran once
                Assert.Equal(302, reopened.Read(s => Convert.ToInt32(s.Command("SELECT count(*) FROM usage").ExecuteScalar(), CultureInfo.InvariantCulture)));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(options.DataDirectory, recursive: true);
        }
    }

    private static string Sql(SqliteSession session, string table) =>
        (string)session.Command("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $name").With("$name", table).ExecuteScalar()!;
}
