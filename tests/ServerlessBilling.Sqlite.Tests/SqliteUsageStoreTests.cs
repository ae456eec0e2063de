using System.Globalization;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// The usage look-up takes a few ids as parameters and more as one JSON array: both find exactly the records there. A batch
/// of records is one write of the group commit (one transaction) up to <see cref="SqliteUsageStore.RowsPerWrite"/> rows.
/// </summary>
public sealed class SqliteUsageStoreTests
{
    private static UsageRecord Usage(string account, string cdrId) =>
        new(cdrId, account, null, "+447700900123", Fixtures.Now, 60, "ANSWERED", "44", "United Kingdom", 60, 1.25m, "GBP", "2026-11", Settlement.Cdr, null, Fixtures.Now);

    private static string Id(int i) => "c-" + i.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Existing_records_are_found_for_any_number_of_ids_with_repeats_and_other_accounts_ids()
    {
        using var store = new TempStore();
        var usage = store.Stores.Usage;
        Assert.All(await usage.TryCreateManyAsync([.. Enumerable.Range(0, 30).Where(i => i % 3 == 0).Select(i => Usage("a", Id(i)))], default), Assert.True);
        Assert.True(await usage.TryCreateAsync(Usage("b", Id(1)), default));

        for (var count = 1; count <= 30; count++)
        {
            var ids = Enumerable.Range(0, count).Select(Id).Append(Id(0)).ToList(); // a repeat, and c-1 is b's only
            var found = await usage.FindExistingAsync("a", ids, default);
            Assert.Equal(Enumerable.Range(0, count).Where(i => i % 3 == 0).Select(Id).Order(StringComparer.Ordinal), found.Keys.Order(StringComparer.Ordinal));
            Assert.All(found, f => Assert.Equal(Usage("a", f.Key), f.Value));
        }
    }

    [Fact]
    public async Task A_batch_of_usual_size_over_many_accounts_in_any_order_is_one_write_and_answers_each_record()
    {
        using var store = new TempStore();
        var usage = store.Stores.Usage;
        Assert.True(usage.RecordsWholeBatches);
        Assert.True(await usage.TryCreateAsync(Usage("acct-7", Id(7)), default));

        // Accounts and ids interleaved and descending: the rows go in in key order, the answer lines up with the records.
        var batch = Enumerable.Range(0, 5000).Reverse().Select(i => Usage("acct-" + (i % 1000).ToString(CultureInfo.InvariantCulture), Id(i))).ToList();
        batch.Add(batch[4000]);
        var writes = store.Database.CommitStatistics.Writes;

        var created = await usage.TryCreateManyAsync(batch, default);

        Assert.Equal(writes + 1, store.Database.CommitStatistics.Writes);
        Assert.Equal(Enumerable.Range(0, batch.Count).Select(i => i != batch.Count - 1 && batch[i].CdrId != Id(7)), created);
        Assert.Equal(["c-1007", "c-2007", "c-3007", "c-4007", "c-7"], (await usage.ListAsync("acct-7", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 100, default)).Select(r => r.CdrId));
        Assert.Equal(5, (await usage.ListAsync("acct-999", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 100, default)).Count);
    }

    [Fact]
    public async Task A_batch_larger_than_a_write_is_cut_in_key_order_and_a_copy_across_the_cut_is_not_created()
    {
        using var store = new TempStore();
        var usage = store.Stores.Usage;
        var count = SqliteUsageStore.RowsPerWrite + 100;
        var batch = Enumerable.Range(0, count).Select(i => Usage("a", "c-" + i.ToString("D5", CultureInfo.InvariantCulture))).ToList();
        Assert.True(await usage.TryCreateAsync(batch[^1], default));
        batch.Add(batch[SqliteUsageStore.RowsPerWrite - 1]); // sorts right after its first copy: the first row of the second write
        var writes = store.Database.CommitStatistics.Writes;

        var created = await usage.TryCreateManyAsync(batch, default);

        Assert.Equal(writes + 2, store.Database.CommitStatistics.Writes);
        Assert.Equal(Enumerable.Range(0, batch.Count).Select(i => i < count - 1), created);
        Assert.Equal(count, (await usage.FindExistingAsync("a", batch.Select(r => r.CdrId).ToList(), default)).Count);
    }
}
