using System.Globalization;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>The usage look-up takes a few ids as parameters and more as one JSON array: both find exactly the records there.</summary>
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
}
