using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// A usage store that takes whole batches (<see cref="IUsageStore.RecordsWholeBatches"/>: the embedded stores) gets one
/// write per CDR batch, once every account group's money has moved; a failure anywhere in the batch still leaves the
/// money and the usage records of the groups that moved it, and the replay completes the rest exactly once.
/// </summary>
public sealed class WholeBatchUsageTests
{
    [Fact]
    public void The_embedded_memory_store_takes_whole_batches_and_a_store_that_does_not_say_so_does_not()
    {
        Assert.True(new InMemoryUsageStore().RecordsWholeBatches);
        Assert.False(new RecordingUsageStore(new InMemoryUsageStore(), whole: false).RecordsWholeBatches);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 12)]
    public async Task A_batch_over_many_accounts_is_one_usage_write_when_the_store_takes_whole_batches_else_one_per_account(bool whole, int writes)
    {
        var usage = new RecordingUsageStore(new InMemoryUsageStore(), whole);
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), usage: usage);
        var accounts = await OpenAsync(h, 12);
        var csv = Csv(accounts);

        var result = await h.IngestCsvAsync(csv);

        Assert.Equal((37, 36, 0, 1), (result.Received, result.Accepted, result.Duplicates, result.Quarantined.Count));
        Assert.Equal(writes, usage.Writes.Count);
        Assert.Equal(36, usage.Writes.Sum(w => w.Count));
        foreach (var account in accounts)
        {
            var records = await usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default);
            Assert.Equal([$"{account}-c1", $"{account}-c2", $"{account}-c3"], records.Select(r => r.CdrId));
            Assert.Equal((await h.StateAsync(account)).Committed, records.Sum(r => r.Charge));
        }

        var replay = await h.IngestCsvAsync(csv);
        Assert.Equal((0, 36), (replay.Accepted, replay.Duplicates));
        Assert.Equal(writes, usage.Writes.Count); // every record was found: nothing to write again
    }

    [Fact]
    public async Task A_group_failing_mid_batch_leaves_the_records_of_the_groups_whose_money_moved_and_the_replay_completes_the_rest_once()
    {
        var usage = new RecordingUsageStore(new InMemoryUsageStore(), whole: true) { InParallel = 1 };
        var store = new FailingAccountStore(new InMemoryAccountStore());
        var h = new CreditControlHarness(store, new InMemorySessionIndex(), new InMemoryRateDeckStore(), usage: usage);
        var accounts = await OpenAsync(h, 12);
        var csv = Csv(accounts);

        // Groups go one at a time in order of first appearance: the sixth fails, and holds back none of the others (hostile
        // round twenty-four: the six after it used to wait for the redelivery), which move their money.
        store.Fail(accounts[5]);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => h.IngestCsvAsync(csv));
        for (var a = 0; a < accounts.Count; a++)
        {
            var written = await usage.ListAsync(accounts[a], DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default);
            Assert.Equal(a != 5 ? 3 : 0, written.Count);
            Assert.Equal(a != 5, (await h.StateAsync(accounts[a])).Committed > 0m);
        }

        store.Fail(null);
        var replay = await h.IngestCsvAsync(csv);

        Assert.Equal((37, 3, 33, 1), (replay.Received, replay.Accepted, replay.Duplicates, replay.Quarantined.Count));
        foreach (var account in accounts)
        {
            var records = await usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default);
            Assert.Equal([$"{account}-c1", $"{account}-c2", $"{account}-c3"], records.Select(r => r.CdrId));
            Assert.Equal((await h.StateAsync(account)).Committed, records.Sum(r => r.Charge));
            Assert.All(records, r => Assert.Null(r.Note)); // written with their batch, none repaired on replay
        }
    }

    [Fact]
    public async Task A_failed_whole_batch_usage_write_fails_the_batch_and_the_replay_records_every_usage_once_without_moving_money()
    {
        var usage = new RecordingUsageStore(new InMemoryUsageStore(), whole: true) { Fail = true };
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), usage: usage);
        var accounts = await OpenAsync(h, 4);
        var csv = Csv(accounts);

        await Assert.ThrowsAsync<StoreUnavailableException>(() => h.IngestCsvAsync(csv));
        var charged = new Dictionary<string, decimal>();
        foreach (var account in accounts)
        {
            charged[account] = (await h.StateAsync(account)).Committed;
            Assert.True(charged[account] > 0m);
            Assert.Empty(await usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default));
        }

        usage.Fail = false;
        var replay = await h.IngestCsvAsync(csv);

        Assert.Equal((13, 0, 12, 1), (replay.Received, replay.Accepted, replay.Duplicates, replay.Quarantined.Count));
        foreach (var account in accounts)
        {
            Assert.Equal(charged[account], (await h.StateAsync(account)).Committed);
            var records = await usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default);
            Assert.Equal(3, records.Count);
            Assert.Equal(charged[account], records.Sum(r => r.Charge));
            Assert.All(records, r => Assert.Contains("recorded on replay", r.Note, StringComparison.Ordinal));
        }
    }

    private static async Task<List<string>> OpenAsync(CreditControlHarness h, int count)
    {
        var accounts = new List<string>();
        for (var a = 0; a < count; a++)
        {
            accounts.Add(await h.OpenAsync($"whole-{a}", Fixtures.Postpaid(1000m, hard: false), 0m));
        }

        return accounts;
    }

    /// <summary>Three CDRs per account, interleaved across the accounts, and one malformed line.</summary>
    private static string Csv(List<string> accounts)
    {
        var lines = Enumerable.Range(1, 3).SelectMany(i => accounts.Select(account =>
            $"{account}-c{i},{account},+441234,+447700900123,{Fixtures.Now.AddMinutes(i):O},{60 * i},ANSWERED,")).ToList();
        lines.Insert(3, $"bad-1,{accounts[0]},+441234,+447700900123,{Fixtures.Now:O},not-a-number,ANSWERED,");
        return Fixtures.CdrHeader + "\n" + string.Join("\n", lines);
    }

    private sealed class RecordingUsageStore(IUsageStore inner, bool whole) : IUsageStore
    {
        public List<IReadOnlyList<UsageRecord>> Writes { get; } = [];

        public bool Fail { get; set; }

        public int InParallel { get; init; } = 4;

        public int AccountsInParallel => InParallel;

        public bool RecordsWholeBatches => whole;

        public Task<IReadOnlyDictionary<string, UsageRecord>> FindExistingAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken) =>
            inner.FindExistingAsync(accountId, cdrIds, cancellationToken);

        public Task<bool> TryCreateAsync(UsageRecord record, CancellationToken cancellationToken) => inner.TryCreateAsync(record, cancellationToken);

        public Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
        {
            if (Fail)
            {
                throw new StoreUnavailableException("the usage store is down");
            }

            lock (Writes)
            {
                Writes.Add([.. records]);
            }

            return inner.TryCreateManyAsync(records, cancellationToken);
        }

        public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
            inner.ListAsync(accountId, from, to, limit, cancellationToken);

        public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, ListOrder order, ListCursor? after, CancellationToken cancellationToken) =>
            inner.ListAsync(accountId, from, to, limit, order, after, cancellationToken);
    }
}
