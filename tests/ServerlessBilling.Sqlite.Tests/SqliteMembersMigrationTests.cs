using System.Globalization;
using System.Text.Json;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>Schema 6: the member rows of an account document (one per session) in <c>account_members</c>, moved there from a file of schema 5.</summary>
public sealed class SqliteMembersMigrationTests
{
    private const string MemberRows = "SELECT count(*) FROM account_parts WHERE member <> '' AND substr(part, -2) <> '[]'";

    private static string Serializer<T>(T value) => JsonSerializer.Serialize(value, StoredJson.Options);

    [Fact]
    public async Task A_file_of_schema_5_is_migrated_at_open_and_every_document_reads_back_byte_for_byte_as_before()
    {
        using var store = new TempStore();
        await FillAsync(store);

        // The file as schema 5 wrote it: every part row in account_parts (those of a part stored by member too).
        await store.Database.WriteAsync(TempStore.AsSchema5, default);
        Assert.True(Count(store, MemberRows) > 50);
        var rows = PartRows(store, "account_parts");
        var assembled = Assembled(store, "SELECT account_id, part, member, json FROM account_parts");
        var other = SqliteDocumentRowsTests.Dump(store);
        var sessionIds = Strings(store, "SELECT session_id FROM sessions ORDER BY session_id");
        Assert.True(sessionIds.Count > 60);
        Assert.Equal(4, assembled.Count);

        store.Reopen();
        Assert.True(store.Database.SchemaVersion >= 6, $"schema {store.Database.SchemaVersion}");
        Assert.Equal(SqliteSchema.Latest, store.Database.SchemaVersion);
        Assert.Equal(0, Count(store, MemberRows));
        Assert.True(Count(store, "SELECT count(*) FROM account_members") > 50);

        // The same rows, in the two tables; each document put together from them is the same bytes.
        var migratedRows = PartRows(store, "account_parts").Concat(PartRows(store, "account_members")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(rows.Order(StringComparer.Ordinal), migratedRows);
        var migrated = Assembled(store, "SELECT account_id, part, member, json FROM account_parts UNION ALL SELECT account_id, part, member, json FROM account_members");
        Assert.Equal(assembled.Keys.Order(StringComparer.Ordinal), migrated.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, (version, json)) in assembled)
        {
            Assert.Equal(version, migrated[id].Version);
            Assert.True(json.AsSpan().SequenceEqual(migrated[id].Json), $"account {id} reads back other bytes");
        }

        Assert.Equal(other, SqliteDocumentRowsTests.Dump(store)); // nothing else moved

        // Through the stores (nothing known: the file is read): each document, a page of them, the sessions and closed sessions.
        var stores = store.Stores;
        foreach (var (id, (version, json)) in assembled)
        {
            var read = (await stores.Accounts.GetAsync(id, default))!;
            Assert.Equal(version.ToString(CultureInfo.InvariantCulture), read.ETag);
            Assert.Equal(Serializer(SqliteValues.FromJson<AccountState>(json)), Serializer(read.Value));
        }

        var page = await ((SqliteAccountStore)stores.Accounts).ListPageAsync(null, 10, default);
        Assert.Equal(assembled.Keys.Order(StringComparer.Ordinal), page.Select(a => a.AccountId));
        Assert.Equal(assembled.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => Serializer(SqliteValues.FromJson<AccountState>(a.Value.Json))), page.Select(Serializer));
        foreach (var sessionId in sessionIds)
        {
            var closedJson = store.Database.Read(s => s.Command("SELECT closed FROM sessions WHERE session_id = $id").With("$id", sessionId).ExecuteScalar());
            var closed = await stores.Sessions.FindClosedAsync(sessionId, default);
            Assert.Equal(closedJson is byte[] bytes ? Serializer(SqliteValues.FromJson<ClosedSession>(bytes)) : null, closed is null ? null : Serializer(closed));
            Assert.NotNull(await stores.Sessions.FindAccountAsync(sessionId, default));
        }

        // Written after the migration (the first write replaces all of the account's rows, the next only what changed), and read again after a restart.
        var rich = (await stores.Accounts.GetAsync("rich", default))!;
        var richer = rich.Value with { Balance = rich.Value.Balance + 1m, OpeningBalance = rich.Value.OpeningBalance + 1m };
        var etag = (await stores.Accounts.TryReplaceAsync(richer, rich.ETag, default))!;
        var oldest = richer.ClosedOrder.First();
        var fewer = richer with { Sessions = richer.Sessions.Remove(oldest), ClosedOrder = richer.ClosedOrder.Skip(1).ToList() };
        etag = (await stores.Accounts.TryReplaceAsync(fewer, etag, default))!;
        Assert.Equal(0, Count(store, $"SELECT count(*) FROM account_members WHERE account_id = 'rich' AND member = '{oldest}'"));
        Assert.Equal(0, Count(store, MemberRows));
        store.Reopen();
        var again = (await store.Stores.Accounts.GetAsync("rich", default))!;
        Assert.Equal((etag, Serializer(fewer)), (again.ETag, Serializer(again.Value)));
    }

    /// <summary>A busy account (sessions open, closed and expired, top-ups, usage), a small one, and two with applied CDR ids (in chunks, and short).</summary>
    private static async Task FillAsync(TempStore store)
    {
        var stores = store.Stores;
        var harness = new CreditControlHarness(stores.Accounts, stores.Sessions, stores.Decks, new CreditControlOptions { ClosedSessionsKept = 100 }, stores.Usage, stores.Quarantine, stores.TopUps);
        await SqliteDocumentRowsTests.BusyVersionsAsync(harness);
        await harness.OpenAsync("small", Fixtures.Prepaid("deck"), 3m);
        foreach (var (id, count) in new[] { ("applied", 400), ("few", 3) })
        {
            var state = AccountState.Open(id, Fixtures.Prepaid(), 10m, Fixtures.Now);
            for (var i = 0; i < count; i++)
            {
                state = state.RememberApplied("cdr-" + i.ToString("D8", CultureInfo.InvariantCulture));
            }

            Assert.NotNull(await stores.Accounts.TryCreateAsync(state, default));
        }
    }

    /// <summary>Each account's version and its document put together from its head and <paramref name="partRows"/>, as schema 5 read it.</summary>
    private static Dictionary<string, (long Version, byte[] Json)> Assembled(TempStore store, string partRows) => store.Database.Read(s =>
    {
        var heads = new Dictionary<string, (long Version, byte[] Head)>();
        using (var reader = s.Command("SELECT account_id, version, doc FROM accounts").ExecuteReader())
        {
            while (reader.Read())
            {
                heads[reader.GetString(0)] = (reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));
            }
        }

        var rows = heads.Keys.ToDictionary(id => id, _ => new List<(string Part, string Member, byte[] Json)>());
        using (var reader = s.Command(partRows).ExecuteReader())
        {
            while (reader.Read())
            {
                rows[reader.GetString(0)].Add((reader.GetString(1), reader.GetString(2), reader.GetFieldValue<byte[]>(3)));
            }
        }

        return heads.ToDictionary(h => h.Key, h => (h.Value.Version, SqliteDocumentRows.Assemble(h.Value.Head, rows[h.Key])));
    });

    private static List<string> PartRows(TempStore store, string table) => store.Database.Read(s =>
    {
        using var reader = s.Command($"SELECT account_id, part, member, hex(json) FROM {table}").ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add($"{reader.GetString(0)} | {reader.GetString(1)} | {reader.GetString(2)} | {reader.GetString(3)}");
        }

        return rows;
    });

    private static List<string> Strings(TempStore store, string sql) => store.Database.Read(s =>
    {
        using var reader = s.Command(sql).ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    });

    private static long Count(TempStore store, string sql) => store.Database.Read(s => (long)s.Command(sql).ExecuteScalar()!);
}
