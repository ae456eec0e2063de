using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Testing;

/// <summary>Listings newest first (the quarantine, alerts) paged by a <see cref="ListCursor"/>, on every store.</summary>
public abstract partial class StoreContract
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public Task Quarantine_paged_by_cursor_lists_each_entry_once_newest_first_also_among_entries_of_one_time(int pageSize) =>
        PagedNewestFirstAsync(
            pageSize,
            (account, id, at) => Rejected(account, id, at),
            entries => Stores.Quarantine.AddManyAsync(entries, default),
            async (account, after) => (await Stores.Quarantine.ListAsync(account, pageSize, after, default)).Select(r => (r.ReceivedAt, r.QuarantineId)).ToList());

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public Task Alerts_paged_by_cursor_list_each_alert_once_newest_first_also_among_alerts_of_one_time(int pageSize) =>
        PagedNewestFirstAsync(
            pageSize,
            NewAlert,
            async alerts => Assert.All(await Task.WhenAll(alerts.Select(a => Stores.Alerts.TryCreateAsync(a, default))), Assert.True),
            async (account, after) => (await Stores.Alerts.ListAsync(account, pageSize, after, default)).Select(a => (a.RaisedAt, a.AlertId)).ToList());

    /// <summary>
    /// Entries at one time (ids added out of order), one tick later, a millisecond earlier and a second later, plus one
    /// of another account at the same time: paged one account's and across accounts, each comes once, in order.
    /// </summary>
    private async Task PagedNewestFirstAsync<T>(
        int pageSize, Func<string, string, DateTimeOffset, T> make, Func<IReadOnlyList<T>, Task> add,
        Func<string?, ListCursor?, Task<List<(DateTimeOffset At, string Id)>>> page)
    {
        var account = NewId("acc");
        var tag = NewId("p");
        var t = new DateTimeOffset(2003, 3, 3, 3, 3, 3, TimeSpan.Zero);
        var mine = new List<(DateTimeOffset At, string Id)>();
        mine.AddRange(new[] { 4, 0, 5, 2, 1, 3 }.Select(i => (t, $"{tag}-t{i}")));
        mine.AddRange(new[] { "z", "a" }.Select(id => (t.AddTicks(1), $"{tag}-{id}")));
        mine.AddRange(Enumerable.Range(0, 3).Select(i => (t.AddMilliseconds(-1), $"{tag}-m{i}")));
        mine.Add((t.AddSeconds(1), $"{tag}-s"));
        var elsewhere = (At: t, Id: $"{tag}-x");
        await add([.. mine.Select(e => make(account, e.Id, e.At)), make(NewId("acc"), elsewhere.Id, elsewhere.At)]);
        static List<string> Ordered(IEnumerable<(DateTimeOffset At, string Id)> entries) =>
            [.. entries.OrderByDescending(e => e.At).ThenBy(e => e.Id, StringComparer.Ordinal).Select(e => e.Id)];

        Assert.Equal(Ordered(mine), await PagesAsync(account, start: null, stopAt: mine.Count));
        // Across accounts (the store may hold other tests' entries: read from where this test's start).
        Assert.Equal(Ordered([.. mine, elsewhere]), await PagesAsync(null, new ListCursor(t.AddSeconds(1), ""), stopAt: mine.Count + 1));

        async Task<List<string>> PagesAsync(string? accountId, ListCursor? start, int stopAt)
        {
            var listed = new List<string>();
            var after = start;
            for (var pages = 0; pages < 200 && listed.Count < stopAt; pages++)
            {
                var entries = await page(accountId, after);
                Assert.True(entries.Count <= pageSize);
                listed.AddRange(entries.Select(e => e.Id).Where(id => id.StartsWith(tag, StringComparison.Ordinal)));
                if (entries.Count < pageSize)
                {
                    break;
                }

                after = new ListCursor(entries[^1].At, entries[^1].Id);
            }

            return listed;
        }
    }
}
