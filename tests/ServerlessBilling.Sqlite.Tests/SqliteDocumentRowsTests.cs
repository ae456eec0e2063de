using System.Text.Json;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;
using Xunit.Abstractions;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>An account document stored as rows (<see cref="SqliteDocumentRows"/>): read back whole, and a step writes only what changed.</summary>
public sealed class SqliteDocumentRowsTests(ITestOutputHelper output)
{
    private const int Calls = 60;

    private static string Serializer(AccountState state) => JsonSerializer.Serialize(state, StoredJson.Options);

    /// <summary>Every version of an account that made <see cref="Calls"/> calls (all kept: up to 100 closed sessions), after the rich scenario's.</summary>
    internal static async Task<List<AccountState>> BusyVersionsAsync(CreditControlHarness? into = null)
    {
        var recording = new RecordingAccountStore();
        var harness = into ?? new CreditControlHarness(recording, new InMemorySessionIndex(), new InMemoryRateDeckStore(), new CreditControlOptions { ClosedSessionsKept = 100 },
            new InMemoryUsageStore(), new InMemoryQuarantineStore(), new InMemoryTopUpStore());
        var account = await SqliteStoreTests.RunScenarioAsync(harness);
        for (var i = 0; i < Calls; i++)
        {
            Assert.Null((await harness.AuthorizeAsync(account, $"busy-{i}")).Error);
            Assert.Null((await harness.TerminateAsync($"busy-{i}", 1, 30 + i)).Error);
        }

        return recording.Written;
    }

    private static AccountDocument Written(AccountState state, AccountDocument? previous) => SqliteDocumentRows.Write(1, state, previous);

    private static string Read(AccountDocument document) => Serializer(SqliteValues.FromJson<AccountState>(
        SqliteDocumentRows.Assemble(document.Head, [.. document.Rows.Select(p => (p.Key.Part, p.Key.Member, p.Value))])));

    [Fact]
    public async Task Every_version_put_together_from_its_rows_is_the_document_written_whatever_it_was_written_from()
    {
        var versions = await BusyVersionsAsync();
        Assert.Contains(versions, v => v.Sessions.Count > 50);
        AccountDocument? previous = null;
        var byMember = 0;
        foreach (var version in versions)
        {
            var document = Written(version, previous);
            previous = document;
            byMember += document.Rows.Keys.Any(k => k.Member != SqliteDocumentRows.Whole) ? 1 : 0;
            Assert.Equal(Serializer(version), Read(document));
            Assert.Equal(Serializer(version), Read(Written(version, null)));
        }

        Assert.InRange(byMember, 1, versions.Count - 1); // small documents are stored whole, large ones by member
        var other = Written(AccountState.Open("other", Fixtures.Prepaid(), 1m, Fixtures.Now), null);
        Assert.Equal(Serializer(versions[^1]), Read(Written(versions[^1], other)));
        Assert.Equal(Serializer(versions[0]), Read(Written(versions[0], Written(versions[^1], null)))); // backwards in time
    }

    [Fact]
    public async Task The_changes_found_part_by_part_take_the_rows_of_the_document_before_to_those_of_the_next_whatever_it_was_written_from()
    {
        var versions = await BusyVersionsAsync();
        AccountDocument? previous = null;
        foreach (var version in versions)
        {
            var document = Written(version, previous);
            AssertTakes(previous, document);
            previous = document;
        }

        // Documents that are not the version before: backwards in time, written from another, another account.
        var random = new Random(7);
        var other = Written(AccountState.Open("other", Fixtures.Prepaid(), 1m, Fixtures.Now), null);
        for (var i = 0; i < 40; i++)
        {
            var from = Written(versions[random.Next(versions.Count)], i % 3 == 0 ? null : Written(versions[random.Next(versions.Count)], null));
            AssertTakes(from, Written(versions[random.Next(versions.Count)], from));
            AssertTakes(from, Written(versions[random.Next(versions.Count)], null));
            AssertTakes(other, Written(versions[random.Next(versions.Count)], other));
            AssertTakes(from, other);
        }
    }

    /// <summary>The part-by-part changes from <paramref name="before"/> to <paramref name="after"/> are those of comparing every row, and applied to the rows before give the rows after.</summary>
    internal static void AssertTakes(AccountDocument? before, AccountDocument after)
    {
        var fast = SqliteDocumentRows.Changes(before, after);
        var full = SqliteDocumentRows.Changes(before?.Rows, after.Rows);
        Assert.Equal(full.ReplaceAll, fast.ReplaceAll);
        Assert.Equal(Keys(full.Upserts.Select(u => u.Key)), Keys(fast.Upserts.Select(u => u.Key)));
        Assert.Equal(Keys(full.Deletes), Keys(fast.Deletes));
        var rows = fast.ReplaceAll || before is null ? [] : new Dictionary<PartKey, byte[]>(before.Rows);
        foreach (var key in fast.Deletes)
        {
            Assert.True(rows.Remove(key), $"{key} deleted but not there");
        }

        foreach (var upsert in fast.Upserts)
        {
            rows[upsert.Key] = upsert.Json;
        }

        Assert.Equal(Keys(after.Rows.Keys), Keys(rows.Keys));
        Assert.All(after.Rows, r => Assert.Equal(r.Value, rows[r.Key]));
    }

    private static List<string> Keys(IEnumerable<PartKey> keys) => [.. keys.Select(k => k.Part + "/" + k.Member).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task A_session_that_is_the_same_object_keeps_its_row_and_only_the_changed_one_is_serialized_again()
    {
        var state = (await BusyVersionsAsync()).Last(v => v.Sessions.Count > 50);
        var before = Written(state, null);
        var changed = state.Sessions.Values.First();
        var next = state with { Balance = state.Balance - 1m, Sessions = state.Sessions.SetItem(changed.SessionId, changed with { UsedSeconds = changed.UsedSeconds + 1 }) };

        // Proof that an unchanged session's row is the one written before, not serialized again: a digit altered in
        // that row shows up in the next version's row.
        var kept = state.Sessions.Keys.First(id => id != changed.SessionId);
        var keptRow = before.Rows[new PartKey("sessions", kept)];
        var digit = Array.FindIndex(keptRow, b => b is >= (byte)'0' and <= (byte)'8');
        keptRow[digit]++;
        var after = Written(next, before);
        Assert.Same(keptRow, after.Rows[new PartKey("sessions", kept)]);
        keptRow[digit]--;
        Assert.Equal(Serializer(next), Read(after));

        var changes = SqliteDocumentRows.Changes(before.Rows, after.Rows);
        Assert.Equal([new PartKey("sessions", changed.SessionId)], changes.Upserts.Select(u => u.Key));
        Assert.Empty(changes.Deletes);
    }

    [Fact]
    public async Task A_step_of_an_account_with_many_sessions_writes_a_small_head_and_a_few_rows_not_the_document()
    {
        var versions = await BusyVersionsAsync();
        var before = Written(versions[^2], null);
        var after = Written(versions[^1], before); // the last terminate
        var document = JsonSerializer.SerializeToUtf8Bytes(versions[^1], StoredJson.Options).Length;
        Assert.True(document > 20_000, $"document of {document} bytes");
        var changes = SqliteDocumentRows.Changes(before.Rows, after.Rows);
        output.WriteLine($"document {document} B, head {after.Head.Length} B, {after.Rows.Count} part rows");
        foreach (var part in after.Rows.GroupBy(p => p.Key.Part))
        {
            output.WriteLine($"  {part.Key}: {part.Count()} row(s), {part.Sum(p => p.Value.Length)} B");
        }

        output.WriteLine($"changed: {string.Join(", ", changes.Upserts.Select(u => $"{u.Key.Part}/{u.Key.Member} {u.Json.Length} B"))}; deleted {changes.Deletes.Count}");
        Assert.True(after.Head.Length < SqliteDocumentRows.ByMemberBytes, $"head of {after.Head.Length} bytes");
        var sessionRows = after.Rows.Keys.Where(k => k.Part == "sessions").ToList();
        Assert.Equal(versions[^1].Sessions.Count, sessionRows.Count); // one row per session
        Assert.Contains(changes.Upserts, u => u.Key.Part == "sessions");
        Assert.True(changes.Upserts.Count(u => u.Key.Part == "sessions") <= 2, "only the terminated session (and none other) is written again");
        Assert.True(changes.Upserts.Sum(u => u.Json.Length) + after.Head.Length < document / 10);
    }

    [Fact]
    public async Task A_busy_account_on_the_file_reads_back_as_written_after_a_restart_and_cold_writes()
    {
        using var store = new TempStore();
        var stores = store.Stores;
        var harness = new CreditControlHarness(stores.Accounts, stores.Sessions, stores.Decks, new CreditControlOptions { ClosedSessionsKept = 100 }, stores.Usage, stores.Quarantine, stores.TopUps);
        await BusyVersionsAsync(harness);
        var written = (await stores.Accounts.GetAsync("rich", default))!;
        Assert.True(Count(store, "SELECT count(*) FROM account_members WHERE account_id = 'rich' AND part = 'sessions'") > 50);

        store.Reopen();
        var accounts = store.Stores.Accounts;
        var read = (await accounts.GetAsync("rich", default))!;
        Assert.Equal((written.ETag, Serializer(written.Value)), (read.ETag, Serializer(read.Value)));
        Assert.Equal(Serializer(written.Value), Serializer((await ((SqliteAccountStore)accounts).ListPageAsync(null, 10, default)).Single(a => a.AccountId == "rich")));

        // The first write after the restart has no rows to compare with: it replaces them all, and drops what is gone.
        var fewer = read.Value with { Sessions = read.Value.Sessions.Clear(), ClosedOrder = [] };
        var etag = (await accounts.TryReplaceAsync(fewer, read.ETag, default))!;
        Assert.Equal(0, Count(store, "SELECT count(*) FROM account_members WHERE account_id = 'rich' AND part = 'sessions'"));
        store.Reopen();
        var again = (await store.Stores.Accounts.GetAsync("rich", default))!;
        Assert.Equal((etag, Serializer(fewer)), (again.ETag, Serializer(again.Value)));
    }

    [Fact]
    public async Task A_file_of_schema_3_is_migrated_at_open_reads_back_identical_and_its_documents_go_to_rows_when_written()
    {
        using var store = new TempStore();
        var stores = store.Stores;
        var harness = new CreditControlHarness(stores.Accounts, stores.Sessions, stores.Decks, new CreditControlOptions { ClosedSessionsKept = 100 }, stores.Usage, stores.Quarantine, stores.TopUps);
        await BusyVersionsAsync(harness);
        await harness.OpenAsync("small", Fixtures.Prepaid("deck"), 3m);
        var accounts = (SqliteAccountStore)stores.Accounts;
        var ids = await accounts.ListAccountIdsAsync(default).ToListAsync();
        Assert.Equal(2, ids.Count);
        var expected = new Dictionary<string, (string ETag, string Json)>();
        foreach (var id in ids)
        {
            var state = (await accounts.GetAsync(id, default))!;
            expected[id] = (state.ETag, Serializer(state.Value));
        }

        // The file as schema 3 wrote it: each document whole (the serializer's bytes) in accounts.doc, no part rows.
        await store.Database.WriteAsync(s =>
        {
            foreach (var (id, written) in expected)
            {
                s.Command("UPDATE accounts SET doc = $doc WHERE account_id = $id").With("$id", id).With("$doc", System.Text.Encoding.UTF8.GetBytes(written.Json)).ExecuteNonQuery();
            }

            s.Execute("DROP TABLE account_parts");
            s.Execute("DROP TABLE account_members");
            return s.Execute("DELETE FROM schema_version WHERE version >= 4");
        }, default);
        store.Reopen();
        Assert.Equal(SqliteSchema.Latest, Count(store, "SELECT max(version) FROM schema_version")); // migrated at open: 4 and later are recorded again
        Assert.Equal(SqliteSchema.Latest, store.Database.SchemaVersion);
        var dump = Dump(store);
        Assert.Equal(0, Count(store, "SELECT count(*) FROM account_parts"));
        Assert.Equal(0, Count(store, "SELECT count(*) FROM account_members"));

        accounts = (SqliteAccountStore)store.Stores.Accounts;
        foreach (var (id, written) in expected)
        {
            var read = (await accounts.GetAsync(id, default))!;
            Assert.Equal(written, (read.ETag, Serializer(read.Value)));
        }

        Assert.Equal(expected.Values.Select(e => e.Json).Order(), (await accounts.ListPageAsync(null, 10, default)).Select(Serializer).Order());

        // A write stores the document in rows; read again after a restart, it is what was written; nothing else moved.
        var rich = (await accounts.GetAsync("rich", default))!;
        var next = rich.Value with { Balance = rich.Value.Balance - 1m, OpeningBalance = rich.Value.OpeningBalance - 1m };
        var etag = (await accounts.TryReplaceAsync(next, rich.ETag, default))!;
        Assert.True(Count(store, "SELECT (SELECT count(*) FROM account_parts WHERE account_id = 'rich') + (SELECT count(*) FROM account_members WHERE account_id = 'rich')") > 50);
        store.Reopen();
        var again = (await store.Stores.Accounts.GetAsync("rich", default))!;
        Assert.Equal((etag, Serializer(next)), (again.ETag, Serializer(again.Value)));
        Assert.Equal(dump, Dump(store));
    }

    /// <summary>Every row of every table but the accounts' (and the schema's record), as text.</summary>
    internal static List<string> Dump(TempStore store) => store.Database.Read(s =>
    {
        var tables = new List<string>();
        using (var names = s.Command("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('accounts', 'account_parts', 'account_members', 'schema_version') ORDER BY name").ExecuteReader())
        {
            while (names.Read())
            {
                tables.Add(names.GetString(0));
            }
        }

        var rows = new List<string>();
        foreach (var table in tables)
        {
            using var command = s.Connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add(table + ": " + string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i) switch
                {
                    byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
                    var value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
                })));
            }
        }

        Assert.Contains(rows, r => r.StartsWith("usage: ", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("sessions: ", StringComparison.Ordinal));
        rows.Sort(StringComparer.Ordinal);
        return rows;
    });

    private static long Count(TempStore store, string sql) => store.Database.Read(s => (long)s.Command(sql).ExecuteScalar()!);

    /// <summary>The in-memory account store, keeping every version written.</summary>
    internal sealed class RecordingAccountStore : IAccountStore
    {
        private readonly InMemoryAccountStore _inner = new();

        public List<AccountState> Written { get; } = [];

        public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) => _inner.GetAsync(accountId, cancellationToken);

        public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken)
        {
            Written.Add(account);
            return _inner.TryCreateAsync(account, cancellationToken);
        }

        public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
        {
            Written.Add(account);
            return _inner.TryReplaceAsync(account, ifMatch, cancellationToken);
        }

        public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) => _inner.FindExpiringAsync(instant, cancellationToken);
    }
}
