using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Testing;

/// <summary>Usage listed newest first (the latest calls of a period), paged by a <see cref="ListCursor"/>, on every store.</summary>
public abstract partial class StoreContract
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public async Task Usage_newest_first_paged_by_cursor_lists_each_record_of_the_range_once_also_among_records_of_one_start_time(int pageSize)
    {
        var (account, t, expected) = await CreateRunOfTiesAsync(ListOrder.NewestFirst);
        var (from, to) = (t, t.AddSeconds(1));

        var listed = await UsagePagesAsync(account, from, to, pageSize, ListOrder.NewestFirst, stopAt: expected.Count);

        Assert.Equal(["m-0", "m-1", "m-2", "m-3", "a-0", "a-1", "z-0", "t-0", "t-1", "t-2", "t-3", "t-4", "t-5", "t-6", "t-7", "t-8"], listed);
        Assert.Equal(expected, listed);
        Assert.Equal(expected, (await Stores.Usage.ListAsync(account, from, to, 100, ListOrder.NewestFirst, after: null, default)).Select(r => r.CdrId));
        Assert.Empty(await Stores.Usage.ListAsync(account, from, to, 100, ListOrder.NewestFirst, new ListCursor(from, "\uffff"), default));
        Assert.Equal(["s-0", "s-1"], (await Stores.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 2, ListOrder.NewestFirst, after: null, default)).Select(r => r.CdrId));
        Assert.Equal(["s-3", "s-4", "m-0"], (await Stores.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 3, ListOrder.NewestFirst, new ListCursor(t.AddSeconds(1), "s-2"), default)).Select(r => r.CdrId));
        Assert.Equal(["b-0", "b-1"], (await Stores.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, ListOrder.NewestFirst, new ListCursor(t, "t-8"), default)).Select(r => r.CdrId));
    }

    [Theory]
    [InlineData(ListOrder.OldestFirst)]
    [InlineData(ListOrder.NewestFirst)]
    public async Task Usage_lists_a_range_whose_end_falls_inside_a_millisecond_up_to_that_end_in_either_order(ListOrder order)
    {
        // A store that keeps milliseconds must not cut the range at the millisecond its end falls in.
        var account = NewId("acc");
        var t = Fixtures.Now;
        Assert.All(await Stores.Usage.TryCreateManyAsync(OneRunOfTies(account, t), default), Assert.True);

        var listed = await Stores.Usage.ListAsync(account, t.AddTicks(-1), t.AddTicks(1), 100, order, after: null, default);

        Assert.Equal(["t-0", "t-1", "t-2", "t-3", "t-4", "t-5", "t-6", "t-7", "t-8"], listed.Select(r => r.CdrId));
        Assert.Equal(
            ["a-0", "a-1", "z-0"],
            (await Stores.Usage.ListAsync(account, t.AddTicks(1), t.AddTicks(2), 100, order, after: null, default)).Select(r => r.CdrId));
    }

    [Fact]
    public async Task Usage_newest_first_lists_the_range_from_inclusive_to_exclusive_up_to_the_limit_and_the_latest_of_many_first()
    {
        var (account, from, to, records) = await CreateRangeEdgesAsync();

        var listed = await Stores.Usage.ListAsync(account, from, to, 100, ListOrder.NewestFirst, after: null, default);
        Assert.Equal(["last", "middle", "at-from-a", "at-from-b"], listed.Select(r => r.CdrId));
        Assert.Equal(records[3], listed[1]);
        Assert.Equal(["last", "middle"], (await Stores.Usage.ListAsync(account, from, to, 2, ListOrder.NewestFirst, after: null, default)).Select(r => r.CdrId));

        // The latest calls of an account with more than a page of them (recorded in no order of time).
        var busy = NewId("acc");
        var many = Enumerable.Range(0, 1_200).Select(i => Usage(busy, $"c-{i:D4}", from.AddSeconds((i * 7919) % 1_200))).ToList();
        Assert.All(await Stores.Usage.TryCreateManyAsync(many, default), Assert.True);
        var latest = await Stores.Usage.ListAsync(busy, from, to, 5, ListOrder.NewestFirst, after: null, default);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => from.AddSeconds(1_199 - i)), latest.Select(r => r.StartTime));
    }

    /// <summary>
    /// A new account's <see cref="OneRunOfTies"/> at <see cref="Fixtures.Now"/>, and the ids of those in [now, now + 1 s)
    /// in <paramref name="order"/> (pages end inside runs of records with one start time and, for a store that orders by
    /// milliseconds, one millisecond).
    /// </summary>
    private async Task<(string Account, DateTimeOffset T, List<string> Expected)> CreateRunOfTiesAsync(ListOrder order)
    {
        var account = NewId("acc");
        var t = Fixtures.Now;
        var records = OneRunOfTies(account, t);
        Assert.All(await Stores.Usage.TryCreateManyAsync(records, default), Assert.True);
        var within = records.Where(r => r.StartTime >= t && r.StartTime < t.AddSeconds(1)).ToList();
        var byTime = order == ListOrder.NewestFirst ? within.OrderByDescending(r => r.StartTime) : within.OrderBy(r => r.StartTime);
        return (account, t, [.. byTime.ThenBy(r => r.CdrId, StringComparer.Ordinal).Select(r => r.CdrId)]);
    }

    /// <summary>The CDR ids of the pages of <paramref name="pageSize"/> in <paramref name="order"/>, each page continuing after the last; at most <paramref name="stopAt"/> + 1 pages.</summary>
    private async Task<List<string>> UsagePagesAsync(string account, DateTimeOffset from, DateTimeOffset to, int pageSize, ListOrder order, int stopAt)
    {
        var listed = new List<string>();
        ListCursor? after = null;
        for (var pages = 0; pages <= stopAt; pages++)
        {
            var page = await Stores.Usage.ListAsync(account, from, to, pageSize, order, after, default);
            Assert.True(page.Count <= pageSize);
            listed.AddRange(page.Select(r => r.CdrId));
            if (page.Count < pageSize)
            {
                break;
            }

            after = ListCursor.After(page[^1]);
        }

        return listed;
    }

    /// <summary>
    /// Nine records at <paramref name="t"/> (one written with another offset), three a tick later, four a millisecond later,
    /// five a second later and two a second earlier, created out of order.
    /// </summary>
    private static List<UsageRecord> OneRunOfTies(string account, DateTimeOffset t)
    {
        var records = new List<UsageRecord>();
        records.AddRange(new[] { 5, 0, 7, 2, 6, 1, 4, 3 }.Select(i => Usage(account, $"t-{i}", t)));
        records.Add(Usage(account, "t-8", t.ToOffset(TimeSpan.FromHours(2))));
        records.AddRange(new[] { "z-0", "a-1", "a-0" }.Select(id => Usage(account, id, t.AddTicks(1))));
        records.AddRange(Enumerable.Range(0, 4).Select(i => Usage(account, $"m-{i}", t.AddMilliseconds(1))));
        records.AddRange(Enumerable.Range(0, 5).Select(i => Usage(account, $"s-{i}", t.AddSeconds(1))));
        records.AddRange(Enumerable.Range(0, 2).Select(i => Usage(account, $"b-{i}", t.AddSeconds(-1))));
        return records;
    }
}
