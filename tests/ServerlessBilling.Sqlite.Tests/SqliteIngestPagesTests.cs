using System.Globalization;
using System.Text;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Testing;
using Xunit.Abstractions;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// What a CDR batch spread over many accounts in the steady state (applied sets full) costs the file: pages of the WAL
/// per account of the batch, and the batch still exact (a replay accepts nothing).
/// </summary>
public sealed class SqliteIngestPagesTests(ITestOutputHelper output)
{
    private const int Accounts = 200;
    private const int PerAccount = 5;

    private static string Deck()
    {
        var csv = new StringBuilder("prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to\n");
        for (var p = 0; p < 100; p++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"44{p:D2},Destination {p},0.{p + 1:D2},0,1,1,,\n");
        }

        return csv.ToString();
    }

    private static string Batch(int batch)
    {
        var csv = new StringBuilder(Fixtures.CdrHeader).Append('\n');
        var random = new Random(batch);
        for (var a = 0; a < Accounts; a++)
        {
            for (var k = 0; k < PerAccount; k++)
            {
                var start = Fixtures.Now.AddMinutes(-(batch * 10) - k).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                csv.Append(CultureInfo.InvariantCulture, $"b{batch:D3}-{a:D4}-{k},acct-{a:D4},+441,+44{random.Next(100):D2}71234567,{start},{random.Next(1, 600)},ANSWERED,\n");
            }
        }

        return csv.ToString();
    }

    /// <summary>
    /// With the usage on the file too, and on the memory store (what the account documents alone cost). Measured 9.7 and
    /// 3.9 with schema 7: on the file, each account's 5 new usage rows landed in its own leaves of the usage table and of its
    /// by-start index, next to its 1,000 earlier rows, and often split them; and the period totals (1.4 to 2 KB) were a
    /// row of account_parts with an overflow page. Measured 8.0 and 3.4 since schema 8 (usage rows appended, the key a
    /// small index) and the totals stored by member (<see cref="SqliteDocumentRows.ByMemberBytes"/>).
    /// </summary>
    [Theory]
    [InlineData(true, 8.6)]
    [InlineData(false, 3.8)]
    public async Task A_batch_spread_over_accounts_with_full_applied_sets_costs_few_pages_per_account_and_a_replay_accepts_nothing(bool usageOnFile, double bound)
    {
        using var store = new TempStore();
        var stores = store.Stores;
        var usage = usageOnFile ? stores.Usage : new Core.Storage.InMemory.InMemoryUsageStore();
        var harness = new CreditControlHarness(stores.Accounts, stores.Sessions, stores.Decks, new CreditControlOptions(), usage, stores.Quarantine, stores.TopUps);
        var appliedAt = Fixtures.Now.AddDays(-1);
        for (var a = 0; a < Accounts; a++)
        {
            var id = $"acct-{a:D4}";
            await harness.OpenAsync(id, Fixtures.Prepaid("deck"), 1_000_000m);
            var current = (await stores.Accounts.GetAsync(id, default))!;
            var state = current.Value;
            var records = new List<UsageRecord>(AccountState.AppliedCdrCapacity);
            for (var i = 0; i < AccountState.AppliedCdrCapacity; i++)
            {
                var cdrId = $"prior-{id}-{i:D6}";
                state = state.RememberApplied(cdrId);
                records.Add(new UsageRecord(cdrId, id, null, "+447100000000", appliedAt, 60, "ANSWERED", "4400", "Destination 0", 60, 0.01m,
                    state.Settings.Currency.Code, state.PeriodBook.PeriodOf(appliedAt, state.Settings).Label, Settlement.Cdr, null, appliedAt));
            }

            // The steady state: each applied id has its usage record, so the oldest leave the set as new ones come.
            await usage.TryCreateManyAsync(records, default);
            Assert.NotNull(await stores.Accounts.TryReplaceAsync(state, current.ETag, default));
        }

        Assert.True((await harness.Admin.ImportDeckAsync("deck", new StringReader(Deck()), default)).Succeeded); // a hundred destinations
        for (var b = 0; b < 3; b++)
        {
            await harness.IngestCsvAsync(Batch(b)); // warm: the writes now start from the rows of the version before
        }

        var pageBytes = store.Database.PageSize + 24.0;
        var wal0 = store.Database.WalBytesWritten;
        const int Batches = 10;
        for (var b = 3; b < 3 + Batches; b++)
        {
            var result = await harness.IngestCsvAsync(Batch(b));
            Assert.Equal(Accounts * PerAccount, result.Accepted);
        }

        var pagesPerAccount = (store.Database.WalBytesWritten - wal0) / pageBytes / Batches / Accounts;
        output.WriteLine($"WAL pages per account of a batch: {pagesPerAccount:F2}");
        // No part row of account_parts is longer than its page keeps (1,002 bytes of a 4 KB page): none has an overflow page.
        var longest = store.Database.Read(s => Convert.ToInt64(s.Command("SELECT max(length(account_id) + length(part) + length(member) + length(json)) FROM account_parts").ExecuteScalar(), CultureInfo.InvariantCulture));
        Assert.True(longest < 990, $"a part row of {longest} bytes");
        var replay = await harness.IngestCsvAsync(Batch(5));
        Assert.Equal((0, Accounts * PerAccount), (replay.Accepted, replay.Duplicates));
        Assert.True(pagesPerAccount < bound, $"{pagesPerAccount:F2} pages per account");
    }
}
