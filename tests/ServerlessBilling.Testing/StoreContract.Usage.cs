using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Testing;

/// <summary>What every <see cref="IUsageStore"/> and <see cref="IQuarantineStore"/> must do.</summary>
public abstract partial class StoreContract
{
    private static UsageRecord Usage(string account, string cdrId, DateTimeOffset start, decimal charge = 1.25m) =>
        new(cdrId, account, null, "+447700900123", start, 60, "ANSWERED", "44", "United Kingdom", 60, charge, "GBP", "2026-11",
            Settlement.Cdr, null, Fixtures.Now);

    private static QuarantineRecord Rejected(string? account, string id, DateTimeOffset receivedAt) =>
        new(id, account, "cdr-" + id, 2, "destination not rated", $"{id},{account},+441,+999", "test", receivedAt);

    [Fact]
    public async Task Usage_is_created_once_per_cdr_id_and_found_per_account()
    {
        var account = NewId("acc");
        var first = Usage(account, "c-1", Fixtures.Now, 1.25m);
        Assert.True(await Stores.Usage.TryCreateAsync(first, default));
        Assert.False(await Stores.Usage.TryCreateAsync(first with { Charge = 9m }, default));
        Assert.True(await Stores.Usage.TryCreateAsync(Usage(NewId("other"), "c-2", Fixtures.Now), default));

        var existing = await Stores.Usage.FindExistingAsync(account, ["c-1", "c-2", "c-3"], default);
        Assert.Equal(["c-1"], existing.Keys);
        Assert.Equal(first, existing["c-1"]);
        Assert.Empty(await Stores.Usage.FindExistingAsync(account, [], default));
        Assert.Equal(first, Assert.Single(await Stores.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public async Task Usage_paged_by_cursor_lists_each_record_of_the_range_once_in_order_also_among_records_of_one_start_time(int pageSize)
    {
        // Pages end inside runs of records with one start time (and, for a store that orders by milliseconds, one millisecond).
        var (account, t, expected) = await CreateRunOfTiesAsync(ListOrder.OldestFirst);
        var (from, to) = (t, t.AddSeconds(1));

        var listed = await UsagePagesAsync(account, from, to, pageSize, ListOrder.OldestFirst, stopAt: expected.Count);

        Assert.Equal(expected, listed);
        Assert.Equal(16, listed.Count);
        Assert.Equal(expected, (await Stores.Usage.ListAsync(account, from, to, 100, default)).Select(r => r.CdrId));
        Assert.Empty(await Stores.Usage.ListAsync(account, from, to, 100, ListOrder.OldestFirst, new ListCursor(to, ""), default));
        Assert.Equal(["b-0", "b-1"], (await Stores.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 2, default)).Select(r => r.CdrId));
        Assert.Equal(["s-3", "s-4"], (await Stores.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, ListOrder.OldestFirst, new ListCursor(t.AddSeconds(1), "s-2"), default)).Select(r => r.CdrId));
    }

    [Fact]
    public async Task The_ids_without_a_usage_record_are_answered_per_account_in_their_order()
    {
        var account = NewId("acc");
        Assert.All(await Stores.Usage.TryCreateManyAsync([Usage(account, "r-1", Fixtures.Now), Usage(account, "r-3", Fixtures.Now)], default), Assert.True);
        Assert.True(await Stores.Usage.TryCreateAsync(Usage(NewId("other"), "r-2", Fixtures.Now), default));

        var ids = Enumerable.Range(1, 40).Select(i => $"r-{i}").ToList();
        Assert.Equal(ids.Where(id => id is not "r-1" and not "r-3"), await Stores.Usage.FindUnrecordedAsync(account, ids, default));
        Assert.Equal(["r-2"], await Stores.Usage.FindUnrecordedAsync(account, ["r-2", "r-3"], default));
        Assert.Empty(await Stores.Usage.FindUnrecordedAsync(account, ["r-3", "r-1"], default));
        Assert.Empty(await Stores.Usage.FindUnrecordedAsync(account, [], default));
        Assert.Equal(ids, await Stores.Usage.FindUnrecordedAsync(NewId("none"), ids, default));
    }

    [Fact]
    public async Task Usage_batches_create_what_is_new_and_report_what_was_there_including_an_earlier_copy_in_the_batch()
    {
        var account = NewId("acc");
        var other = NewId("acc");
        var existing = Usage(account, "c-old", Fixtures.Now, 1.25m);
        Assert.True(await Stores.Usage.TryCreateAsync(existing, default));
        UsageRecord[] batch =
        [
            Usage(account, "c-1", Fixtures.Now.AddMinutes(1)),
            existing with { Charge = 9m },
            Usage(other, "c-1", Fixtures.Now.AddMinutes(2)), // the same CDR id on another account is another record
            Usage(account, "c-2", Fixtures.Now.AddMinutes(3), 2.5m),
            Usage(account, "c-1", Fixtures.Now.AddMinutes(4), 7m),
        ];

        var created = await Stores.Usage.TryCreateManyAsync(batch, default);

        Assert.Equal([true, false, true, true, false], created);
        var listed = await Stores.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default);
        Assert.Equal([existing, batch[0], batch[3]], listed); // the first copy wins; nothing present is overwritten
        Assert.Equal([batch[2]], await Stores.Usage.ListAsync(other, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default));
        Assert.Empty(await Stores.Usage.TryCreateManyAsync([], default));
    }

    [Fact]
    public async Task Usage_batch_larger_than_a_statement_answers_each_record_also_copies_far_apart_and_records_stored_before()
    {
        // A store may insert a batch in pieces (SQLite: rows a statement): the answer still lines up with the records.
        var account = NewId("acc");
        var batch = Enumerable.Range(0, 150).Select(i => Usage(account, $"c-{i:D3}", Fixtures.Now.AddSeconds(i))).ToList();
        Assert.True(await Stores.Usage.TryCreateAsync(batch[70], default));
        batch.Insert(100, batch[3] with { Charge = 5m });
        batch.Insert(40, batch[39]);

        var created = await Stores.Usage.TryCreateManyAsync(batch, default);

        Assert.Equal(Enumerable.Range(0, batch.Count).Select(i => i is not (40 or 71 or 101)), created);
        var listed = await Stores.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 1000, default);
        Assert.Equal(150, listed.Count);
        Assert.Equal(1.25m, listed.Single(r => r.CdrId == "c-003").Charge);
    }

    [Fact]
    public async Task Usage_batch_delivered_again_creates_nothing_and_a_large_batch_is_stored_whole()
    {
        var accounts = Enumerable.Range(0, 3).Select(_ => NewId("acc")).ToArray();
        var batch = Enumerable.Range(0, 600)
            .Select(i => Usage(accounts[i % 3], $"c-{i:D4}", Fixtures.Now.AddSeconds(i), 0.01m * i))
            .ToList();

        Assert.All(await Stores.Usage.TryCreateManyAsync(batch, default), Assert.True);
        Assert.All(await Stores.Usage.TryCreateManyAsync(batch, default), Assert.False);

        foreach (var account in accounts)
        {
            var mine = batch.Where(r => r.AccountId == account).ToList();
            Assert.Equal(mine, await Stores.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 1000, default));
            Assert.Equal(mine.Count, (await Stores.Usage.FindExistingAsync(account, mine.Select(r => r.CdrId).ToList(), default)).Count);
        }
    }

    [Fact]
    public async Task Usage_lists_the_range_from_inclusive_to_exclusive_oldest_first_then_by_id_up_to_the_limit()
    {
        var (account, from, to, records) = await CreateRangeEdgesAsync();

        var listed = await Stores.Usage.ListAsync(account, from, to, 100, default);
        Assert.Equal(["at-from-a", "at-from-b", "middle", "last"], listed.Select(r => r.CdrId));
        Assert.Equal(records[3], listed[2]);

        var limited = await Stores.Usage.ListAsync(account, from, to, 2, default);
        Assert.Equal(["at-from-a", "at-from-b"], limited.Select(r => r.CdrId));
        Assert.Equal(["at-to"], (await Stores.Usage.ListAsync(account, to, to.AddDays(1), 100, default)).Select(r => r.CdrId));
    }

    /// <summary>A new account's records at and around the ends of [now, now + 1 h), one of another account among them, created one by one, latest first.</summary>
    private async Task<(string Account, DateTimeOffset From, DateTimeOffset To, UsageRecord[] Records)> CreateRangeEdgesAsync()
    {
        var account = NewId("acc");
        var from = Fixtures.Now;
        var to = Fixtures.Now.AddHours(1);
        var plusTwo = TimeSpan.FromHours(2);
        UsageRecord[] records =
        [
            Usage(account, "before", from.AddTicks(-1)),
            Usage(account, "at-from-b", from),
            Usage(account, "at-from-a", from.ToOffset(plusTwo)), // the same instant written with another offset
            Usage(account, "middle", from.AddMinutes(30).ToOffset(plusTwo)),
            Usage(account, "last", to.AddTicks(-1)),
            Usage(account, "at-to", to),
            Usage(NewId("other"), "elsewhere", from.AddMinutes(10)),
        ];
        foreach (var record in records.Reverse())
        {
            Assert.True(await Stores.Usage.TryCreateAsync(record, default));
        }

        return (account, from, to, records);
    }

    [Fact]
    public async Task Quarantine_keeps_one_copy_of_a_record_added_twice()
    {
        var account = NewId("acc");
        var record = Rejected(account, NewId("q"), Fixtures.Now);
        await Stores.Quarantine.AddAsync(record, default);
        await Stores.Quarantine.AddAsync(record, default);

        Assert.Equal(record, Assert.Single(await Stores.Quarantine.ListAsync(account, 10, default)));
    }

    [Fact]
    public async Task Quarantine_adds_a_batch_keeping_one_copy_of_each_record_also_of_one_added_before_or_twice_in_the_batch()
    {
        var account = NewId("acc");
        var tag = NewId("qb");
        var before = Rejected(account, tag + "-0", Fixtures.Now);
        await Stores.Quarantine.AddAsync(before, default);
        var batch = Enumerable.Range(0, 5).Select(i => Rejected(account, $"{tag}-{i}", Fixtures.Now.AddSeconds(-i))).ToList();

        await Stores.Quarantine.AddManyAsync([.. batch, batch[3]], default);
        await Stores.Quarantine.AddManyAsync(batch, default);
        await Stores.Quarantine.AddManyAsync([], default);

        Assert.Equal(batch, await Stores.Quarantine.ListAsync(account, 100, default));
    }

    [Fact]
    public async Task Quarantine_lists_newest_first_then_by_id_per_account_or_for_all_up_to_the_limit()
    {
        var account = NewId("acc");
        var other = NewId("acc");
        var tag = NewId("q");
        QuarantineRecord[] records =
        [
            Rejected(account, $"{tag}-old", Fixtures.Now.AddMinutes(-5)),
            Rejected(account, $"{tag}-b", Fixtures.Now),
            Rejected(account, $"{tag}-a", Fixtures.Now.ToOffset(TimeSpan.FromHours(-3))),
            Rejected(account, $"{tag}-new", Fixtures.Now.AddMinutes(5)),
            Rejected(other, $"{tag}-other", Fixtures.Now.AddMinutes(1)),
            Rejected(null, $"{tag}-unnamed", Fixtures.Now.AddMinutes(2)),
        ];
        foreach (var record in records)
        {
            await Stores.Quarantine.AddAsync(record, default);
        }

        var mine = await Stores.Quarantine.ListAsync(account, 100, default);
        Assert.Equal([$"{tag}-new", $"{tag}-a", $"{tag}-b", $"{tag}-old"], mine.Select(r => r.QuarantineId));
        Assert.Equal(records[2], mine[1]);
        Assert.Equal([$"{tag}-new", $"{tag}-a"], (await Stores.Quarantine.ListAsync(account, 2, default)).Select(r => r.QuarantineId));

        // Other tests may share the store: check the order of this test's records within the whole list.
        var all = (await Stores.Quarantine.ListAsync(null, 10_000, default)).Where(r => r.QuarantineId.StartsWith(tag, StringComparison.Ordinal));
        Assert.Equal([$"{tag}-new", $"{tag}-unnamed", $"{tag}-other", $"{tag}-a", $"{tag}-b", $"{tag}-old"], all.Select(r => r.QuarantineId));
    }
}
