using System.Text.Json;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>What the SQLite store promises beyond the shared contract: exact documents, restarts, durability, schema, group commit.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private readonly TempStore _store = new();

    internal static CreditControlHarness Harness(StoreSet stores) =>
        new(stores.Accounts, stores.Sessions, stores.Decks, new CreditControlOptions { ClosedSessionsKept = 2 }, stores.Usage, stores.Quarantine, stores.TopUps);

    /// <summary>Sessions in every state, interim answers, top-ups, applied CDRs and period totals.</summary>
    internal static async Task<string> RunScenarioAsync(CreditControlHarness harness)
    {
        var account = await harness.OpenAsync("rich", Fixtures.Prepaid("deck"), 50m);
        await harness.Admin.TopUpAsync(new TopUpRequest(account, "t-1", 7.5m), default);
        for (var i = 0; i < 4; i++)
        {
            await harness.AuthorizeAsync(account, $"call-{i}", "+442071234567", 120);
            await harness.InterimAsync($"call-{i}", 1, 60, 60);
            if (i < 3)
            {
                await harness.TerminateAsync($"call-{i}", 2, 17 * i);
            }
        }

        await harness.AuthorizeAsync(account, "expiring", "+33145678901", 300);
        harness.Clock.Advance(TimeSpan.FromHours(1));
        await harness.CreditControl.ReleaseExpiredAsync(default);
        await harness.AuthorizeAsync(account, "open", "+447700900123", 60);
        await harness.IngestCsvAsync($"""
            {Fixtures.CdrHeader}
            cdr-1,{account},+441,+447700900123,2026-11-26T10:00:00Z,61,ANSWERED,
            cdr-2,{account},+441,+33145678901,2026-10-31T23:30:00Z,60,ANSWERED,
            cdr-3,{account},+441,+442071234567,2026-11-26T10:00:00Z,0,NO_ANSWER,call-0

            """);
        return account;
    }

    [Fact]
    public async Task An_account_document_round_trips_exactly_the_state_the_in_memory_store_holds()
    {
        var memoryAccounts = new InMemoryAccountStore();
        var memory = Harness(new StoreSet(memoryAccounts, new InMemorySessionIndex(), new InMemoryRateDeckStore(),
            new InMemoryUsageStore(), new InMemoryQuarantineStore(), new InMemoryTopUpStore(), new InMemoryAlertStore(), new InMemoryMonitorStore(), memoryAccounts));
        var sqlite = Harness(_store.Stores);
        var account = await RunScenarioAsync(memory);
        await RunScenarioAsync(sqlite);
        _store.Reopen();

        var expected = await memory.StateAsync(account);
        var read = (await _store.Stores.Accounts.GetAsync(account, default))!.Value;
        Assert.Equal(JsonSerializer.Serialize(expected, StoredJson.Options), JsonSerializer.Serialize(read, StoredJson.Options));
        Assert.Equal(expected.Sessions.Keys.Order(), read.Sessions.Keys.Order());
        Assert.Contains(read.Sessions.Values, s => s.Status == SessionStatus.Expired);
        Assert.Contains(read.Sessions.Values, s => s.Status == SessionStatus.Active);
        Assert.Equal(expected.ClosedOrder, read.ClosedOrder);
        Assert.Equal(expected.AppliedCdrs, read.AppliedCdrs);
        Assert.Equal(expected.RecentTopUps, read.RecentTopUps);
        Assert.Equal(expected.Totals.Keys, read.Totals.Keys);
        Assert.Equal(expected.Totals["2026-11"].ByDestination, read.Totals["2026-11"].ByDestination);
        Assert.Equal((expected.Balance, expected.Reserved, expected.NextExpiry), (read.Balance, read.Reserved, read.NextExpiry));
        Fixtures.AssertConserved(read);
    }

    [Fact]
    public async Task Everything_written_is_there_after_the_file_is_closed_and_opened_again()
    {
        var harness = Harness(_store.Stores);
        var account = await RunScenarioAsync(harness);
        await harness.IngestCsvAsync($"{Fixtures.CdrHeader}\nbad-1,{account},+441,+999,2026-11-26T10:00:00Z,60,ANSWERED,\n");
        var before = await harness.StateAsync(account);
        var usage = await harness.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 100, default);
        var closed = await _store.Stores.Sessions.FindClosedAsync("call-1", default);
        _store.Reopen();

        var stores = _store.Stores;
        var after = (await stores.Accounts.GetAsync(account, default))!.Value;
        Assert.Equal(JsonSerializer.Serialize(before, StoredJson.Options), JsonSerializer.Serialize(after, StoredJson.Options));
        Assert.Equal(usage, await stores.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 100, default));
        Assert.Equal(3, usage.Count);
        Assert.Single(await stores.Quarantine.ListAsync(account, 10, default));
        Assert.Equal(closed, await stores.Sessions.FindClosedAsync("call-1", default));
        Assert.Equal(account, await stores.Sessions.FindAccountAsync("open", default));
        Assert.Equal(7.5m, (await stores.TopUps.FindAsync(account, "t-1", default))?.Amount);
        Assert.Equal(3, (await stores.Decks.GetAsync("deck", default))!.Rows.Count);
    }

    [Theory]
    [InlineData(SqliteDurability.ProcessCrash, 1L)] // NORMAL
    [InlineData(SqliteDurability.PowerLoss, 2L)]    // FULL
    public async Task The_durability_setting_chooses_the_synchronous_mode_of_the_writer_in_wal_mode(SqliteDurability durability, long synchronous)
    {
        using var store = new TempStore(durability);
        var (mode, journal) = await store.Database.WriteAsync(
            s => ((long)s.Command("PRAGMA synchronous").ExecuteScalar()!, (string)s.Command("PRAGMA journal_mode").ExecuteScalar()!), default);
        Assert.Equal(synchronous, mode);
        Assert.Equal("wal", journal);
    }

    [Fact]
    public async Task The_schema_is_migrated_once_and_a_newer_file_is_refused()
    {
        Assert.Equal(SqliteSchema.Latest, _store.Database.SchemaVersion);
        _store.Reopen();
        var versions = _store.Database.Read(s => (long)s.Command("SELECT count(*) FROM schema_version").ExecuteScalar()!);
        Assert.Equal(SqliteSchema.Latest, versions);

        await _store.Database.WriteAsync(s => s.Command($"INSERT INTO schema_version VALUES ({SqliteSchema.Latest + 1}, 'future')").ExecuteNonQuery(), default);
        _store.Database.Dispose();
        var refused = Assert.Throws<InvalidOperationException>(() => SqliteDatabase.Open(_store.Options, TimeProvider.System));
        Assert.Contains($"schema version {SqliteSchema.Latest + 1}", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(SqliteOptions.MaxWritesPerCommit), "Sqlite:MaxWritesPerCommit")]
    [InlineData(nameof(SqliteOptions.BusyTimeout), "Sqlite:BusyTimeout")]
    [InlineData(nameof(SqliteOptions.FileName), "Sqlite:FileName")]
    [InlineData(nameof(SqliteOptions.DataDirectory), "Sqlite:DataDirectory")]
    public void Invalid_settings_are_refused_at_open_naming_the_setting(string property, string named)
    {
        var options = new SqliteOptions { DataDirectory = _store.Options.DataDirectory };
        switch (property)
        {
            case nameof(SqliteOptions.MaxWritesPerCommit): options.MaxWritesPerCommit = 0; break;
            case nameof(SqliteOptions.BusyTimeout): options.BusyTimeout = TimeSpan.Zero; break;
            case nameof(SqliteOptions.FileName): options.FileName = "../escape.db"; break;
            default: options.DataDirectory = " "; break;
        }

        var error = Assert.Throws<InvalidOperationException>(() => SqliteDatabase.Open(options, TimeProvider.System));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_writes_share_commits()
    {
        var accounts = _store.Stores.Accounts;
        var (commitsBefore, writesBefore) = _store.Database.CommitStatistics;
        var created = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i =>
            accounts.TryCreateAsync(Core.Accounts.AccountState.Open($"a-{i}", Fixtures.Prepaid(), i, Fixtures.Now), default)));

        Assert.All(created, Assert.NotNull);
        var (commits, writes) = _store.Database.CommitStatistics;
        Assert.Equal(2000, writes - writesBefore);
        Assert.True(commits - commitsBefore < 1000, $"{commits - commitsBefore} commits for 2000 concurrent writes: they were not grouped");
    }

    [Fact]
    public async Task A_usage_batch_is_one_write_in_one_transaction()
    {
        var (commitsBefore, writesBefore) = _store.Database.CommitStatistics;
        var batch = Enumerable.Range(0, 300).Select(i => new Core.Ingestion.UsageRecord(
            $"c-{i}", "batched", null, "+447700900123", Fixtures.Now.AddSeconds(i), 60, "ANSWERED", "44", "United Kingdom", 60, 1m, "GBP", "2026-11",
            Core.Ingestion.Settlement.Cdr, null, Fixtures.Now)).ToList();

        Assert.All(await _store.Stores.Usage.TryCreateManyAsync(batch, default), Assert.True);

        var (commits, writes) = _store.Database.CommitStatistics;
        Assert.Equal((1L, 1L), (commits - commitsBefore, writes - writesBefore));
    }

    [Fact]
    public async Task A_write_that_fails_fails_alone_and_the_others_in_its_transaction_commit()
    {
        var accounts = _store.Stores.Accounts;
        var gate = new TaskCompletionSource();
        // Hold the writer so that the next writes queue up and are run in one transaction.
        var hold = _store.Database.WriteAsync(_ => gate.Task.Wait(TimeSpan.FromSeconds(10)), default);
        var good = Enumerable.Range(0, 5).Select(i => accounts.TryCreateAsync(Core.Accounts.AccountState.Open($"g-{i}", Fixtures.Prepaid(), 1m, Fixtures.Now), default)).ToList();
        var bad = _store.Database.WriteAsync(s => s.Command("INSERT INTO no_such_table VALUES (1)").ExecuteNonQuery(), default);
        var after = accounts.TryCreateAsync(Core.Accounts.AccountState.Open("g-after", Fixtures.Prepaid(), 1m, Fixtures.Now), default);
        gate.SetResult();
        await hold;

        var fault = await Assert.ThrowsAsync<StoreUnavailableException>(() => bad);
        Assert.Equal("SQLite store", fault.Store); // a 503 names it
        Assert.StartsWith("SQLite error 1: ", fault.Message, StringComparison.Ordinal);
        Assert.All(await Task.WhenAll(good.Append(after)), Assert.NotNull);
        Assert.NotNull(await accounts.GetAsync("g-after", default));
    }

    [Fact]
    public async Task Reservations_due_are_found_through_the_next_expiry_column_after_a_restart()
    {
        var accounts = _store.Stores.Accounts;
        var soon = Core.Accounts.AccountState.Open("soon", Fixtures.Prepaid(), 0m, Fixtures.Now) with { NextExpiry = Fixtures.Now.AddMinutes(1) };
        var etag = (await accounts.TryCreateAsync(soon, default))!;
        await accounts.TryCreateAsync(Core.Accounts.AccountState.Open("none", Fixtures.Prepaid(), 0m, Fixtures.Now), default);
        _store.Reopen();

        Assert.Equal(["soon"], await _store.Stores.Accounts.FindExpiringAsync(Fixtures.Now.AddMinutes(2), default).ToListAsync());
        Assert.NotNull(await _store.Stores.Accounts.TryReplaceAsync(soon with { NextExpiry = null }, etag, default));
        Assert.Empty(await _store.Stores.Accounts.FindExpiringAsync(Fixtures.Now.AddYears(1), default).ToListAsync());
        var plan = _store.Database.Read(s =>
        {
            using var reader = s.Command("EXPLAIN QUERY PLAN SELECT account_id FROM accounts WHERE next_expiry <= 0").ExecuteReader();
            return reader.Read() ? reader.GetString(3) : "";
        });
        Assert.Contains("accounts_by_next_expiry", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_update_that_keeps_the_next_expiry_leaves_its_index_alone_and_one_that_moves_it_is_found_after_a_restart()
    {
        var accounts = _store.Stores.Accounts;
        var state = Core.Accounts.AccountState.Open("acct", Fixtures.Prepaid(), 10m, Fixtures.Now) with { NextExpiry = Fixtures.Now.AddMinutes(5) };
        var etag = (await accounts.TryCreateAsync(state, default))!;
        async Task<long> WalOfAsync(Core.Accounts.AccountState next)
        {
            var before = _store.Database.WalBytesWritten;
            etag = (await accounts.TryReplaceAsync(next, etag, default))!;
            Assert.NotNull(etag);
            state = next;
            return _store.Database.WalBytesWritten - before;
        }

        var kept = await WalOfAsync(state with { Balance = 9m });
        var moved = await WalOfAsync(state with { Balance = 8m, NextExpiry = Fixtures.Now.AddMinutes(2) });
        var keptAgain = await WalOfAsync(state with { Balance = 7m });
        Assert.True(kept < moved, $"an update keeping the expiry appended {kept} bytes, one moving it {moved}");
        Assert.Equal(kept, keptAgain);

        _store.Reopen(); // nothing known: the next update names next_expiry, whatever it is
        accounts = _store.Stores.Accounts;
        Assert.Equal(["acct"], await accounts.FindExpiringAsync(Fixtures.Now.AddMinutes(2), default).ToListAsync());
        Assert.Empty(await accounts.FindExpiringAsync(Fixtures.Now.AddMinutes(1), default).ToListAsync());
        etag = (await accounts.GetAsync("acct", default))!.ETag;
        await WalOfAsync(state with { Balance = 6m, NextExpiry = Fixtures.Now.AddMinutes(3) });
        await WalOfAsync(state with { Balance = 5m });
        _store.Reopen();
        Assert.Empty(await _store.Stores.Accounts.FindExpiringAsync(Fixtures.Now.AddMinutes(2), default).ToListAsync());
        var read = (await _store.Stores.Accounts.GetAsync("acct", default))!.Value;
        Assert.Equal((5m, Fixtures.Now.AddMinutes(3)), (read.Balance, read.NextExpiry));
        Assert.Equal(["acct"], await _store.Stores.Accounts.FindExpiringAsync(Fixtures.Now.AddMinutes(3), default).ToListAsync());
    }

    [Fact]
    public async Task A_store_that_remembers_a_document_still_reads_a_newer_version_written_by_another_writer()
    {
        var mine = new SqliteAccountStore(_store.Database);
        var theirs = new SqliteAccountStore(_store.Database);
        var account = Core.Accounts.AccountState.Open("shared", Fixtures.Prepaid(), 10m, Fixtures.Now);
        var first = (await mine.TryCreateAsync(account, default))!;
        Assert.Equal(10m, (await mine.GetAsync("shared", default))!.Value.Balance);

        var second = await theirs.TryReplaceAsync(account with { Balance = 4m, Committed = 6m }, first, default);
        var read = (await mine.GetAsync("shared", default))!;
        Assert.Equal((second, 4m), (read.ETag, read.Value.Balance));
        Assert.Null(await mine.TryReplaceAsync(account with { Balance = 1m }, first, default));
    }

    public void Dispose() => _store.Dispose();
}
