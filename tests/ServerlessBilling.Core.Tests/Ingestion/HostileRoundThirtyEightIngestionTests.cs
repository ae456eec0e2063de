using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// Review thirty-eight: several deliveries at once of the same CDR ids, each copy with other content, on real threads,
/// over usage stores whose writes and look-ups take varying time (per group and whole-batch), with a group longer than
/// the applied set. Whatever the interleaving, each id is charged once, its usage record says what the charged copy said
/// (so the money equals the records' charges), every other copy is a conflict, and no delivery waits for ever.
/// </summary>
public sealed class HostileRoundThirtyEightIngestionTests
{
    private const string Called = "+33612345678"; // France: 0.15/min, 1/1
    private const int Long = 1_300;
    private const int Short = 40;

    /// <summary>Delivery <paramref name="k"/>'s copies: the same ids, every call lasting <c>60 * (k + 1)</c> seconds.</summary>
    private static string Batch(int k) =>
        Fixtures.CdrHeader + "\n" + string.Concat(Enumerable.Range(0, Long).Select(i => Line($"l-{i:D5}", "r38-long", k, i)))
        + string.Concat(Enumerable.Range(0, Short).Select(i => Line($"s-{i:D5}", "r38-short", k, i)));

    private static string Line(string id, string account, int k, int i) =>
        $"{id},{account},+441234,{Called},{Fixtures.Now.AddSeconds(-i):yyyy-MM-ddTHH:mm:ssZ},{60 * (k + 1)},ANSWERED,\n";

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 4)]
    [InlineData(true, 1)]
    public async Task Deliveries_at_once_of_other_content_charge_each_id_once_and_its_record_says_what_was_charged(bool wholeBatches, int accountsInParallel)
    {
        for (var round = 0; round < 4; round++)
        {
            var usage = new JitteryUsageStore(wholeBatches, accountsInParallel, seed: round);
            var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), usage: usage);
            await h.OpenAsync("r38-long", Fixtures.Postpaid(10_000_000m, hard: false), 0m);
            await h.OpenAsync("r38-short", Fixtures.Postpaid(10_000_000m, hard: false), 0m);

            const int deliveries = 3;
            var runs = Enumerable.Range(0, deliveries).Select(k => Task.Run(() => h.IngestCsvAsync(Batch(k)))).ToList();
            var results = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(60));

            foreach (var (account, calls) in new[] { ("r38-long", Long), ("r38-short", Short) })
            {
                var records = await h.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10_000, default);
                Assert.Equal(calls, records.Count);
                Assert.Equal(records.Sum(r => r.Charge), (await h.StateAsync(account)).PeriodSpend);
            }

            var all = await AllRecordsAsync(h);
            for (var k = 0; k < deliveries; k++)
            {
                var r = results[k];
                Assert.Equal(r.Received, r.Accepted + r.Duplicates + r.Quarantined.Count);
                Assert.Equal(0, r.Duplicates);

                // What delivery k charged is what the records of its content say: no record made from another copy stands for it.
                Assert.Equal(all.Count(x => x.DurationSeconds == 60 * (k + 1)), r.Accepted);
            }

            Assert.Equal(Long + Short, results.Sum(r => r.Accepted));
        }
    }

    /// <summary>
    /// The delivery that moved the money of three CDRs fails to write their usage records (a store fault: its batch fails,
    /// to be delivered again) while a second delivery of the same ids with other durations waits for those records. The
    /// second took the failure as "written" and wrote the records itself from its own copies: they stood for calls charged
    /// at the first copies' price (the money 0.45, the records 0.90), the second's copies counted as duplicates of
    /// themselves, and the first's redelivery, the copies actually charged, was quarantined as a conflict. Now the second
    /// fails (a store fault, delivered again) rather than write records from copies that may not be what was charged.
    /// </summary>
    [Fact]
    public async Task A_delivery_waiting_for_records_another_failed_to_write_does_not_write_them_from_its_own_copies()
    {
        var usage = new FirstWriteFailsUsageStore();
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), usage: usage);
        await h.OpenAsync("r38-fail", Fixtures.Postpaid(1_000m, hard: false), 0m);

        var first = h.IngestCsvAsync(Three("r38-fail", 60));
        await usage.FirstWriteArrived.WaitAsync(TimeSpan.FromSeconds(30));
        usage.ResetLookUps();
        var second = h.IngestCsvAsync(Three("r38-fail", 120));
        await usage.LookedUp.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.WhenAny(second, Task.Delay(TimeSpan.FromMilliseconds(300)));
        usage.FailFirst();

        await Assert.ThrowsAsync<StoreUnavailableException>(() => first.WaitAsync(TimeSpan.FromSeconds(30)));
        var secondFault = await Record.ExceptionAsync(() => second.WaitAsync(TimeSpan.FromSeconds(30)));

        // Both delivered again, the charged copies first: their records are written, the other copies are conflicts.
        var firstAgain = await h.IngestCsvAsync(Three("r38-fail", 60));
        var secondAgain = await h.IngestCsvAsync(Three("r38-fail", 120));
        var records = await h.Usage.ListAsync("r38-fail", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default);
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal((60, 0.15m), (r.DurationSeconds, r.Charge)));
        Assert.Equal(0.45m, (await h.StateAsync("r38-fail")).PeriodSpend);
        Assert.Equal((3, 0, 3, 0), Counts(firstAgain));
        Assert.Equal((3, 0, 0, 3), Counts(secondAgain));
        Assert.IsType<StoreUnavailableException>(secondFault);
    }

    private static string Three(string account, int seconds) =>
        Fixtures.CdrHeader + "\n" + string.Concat(Enumerable.Range(1, 3).Select(i =>
            $"f-{i},{account},+441234,{Called},{Fixtures.Now:yyyy-MM-ddTHH:mm:ssZ},{seconds},ANSWERED,\n"));

    private static (int, int, int, int) Counts(IngestResult result) => (result.Received, result.Accepted, result.Duplicates, result.Quarantined.Count);

    private static async Task<List<UsageRecord>> AllRecordsAsync(CreditControlHarness h) =>
        [.. await h.Usage.ListAsync("r38-long", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10_000, default),
            .. await h.Usage.ListAsync("r38-short", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10_000, default)];

    /// <summary>In-memory usage whose first write waits until <see cref="FailFirst"/>, then fails; <see cref="LookedUp"/> tells of a look-up after <see cref="ResetLookUps"/>.</summary>
    private sealed class FirstWriteFailsUsageStore : IUsageStore
    {
        private readonly InMemoryUsageStore _inner = new();
        private readonly TaskCompletionSource _firstArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _fail = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource _lookedUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _writes;

        public Task FirstWriteArrived => _firstArrived.Task;

        public Task LookedUp => _lookedUp.Task;

        public void ResetLookUps() => _lookedUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void FailFirst() => _fail.TrySetResult();

        public bool RecordsWholeBatches => _inner.RecordsWholeBatches;

        public async Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _writes) == 1)
            {
                _firstArrived.SetResult();
                await _fail.Task;
                throw new StoreUnavailableException("the usage container is down") { Store = "usage store" };
            }

            return await _inner.TryCreateManyAsync(records, cancellationToken);
        }

        public async Task<IReadOnlyDictionary<string, UsageRecord>> FindExistingAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken)
        {
            var found = await _inner.FindExistingAsync(accountId, cdrIds, cancellationToken);
            _lookedUp.TrySetResult();
            return found;
        }

        public Task<bool> TryCreateAsync(UsageRecord record, CancellationToken cancellationToken) => _inner.TryCreateAsync(record, cancellationToken);

        public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, ListOrder order, ListCursor? after, CancellationToken cancellationToken) =>
            _inner.ListAsync(accountId, from, to, limit, order, after, cancellationToken);

        public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
            _inner.ListAsync(accountId, from, to, limit, cancellationToken);
    }

    /// <summary>In-memory usage whose writes and look-ups each take a few random milliseconds.</summary>
    private sealed class JitteryUsageStore(bool wholeBatches, int accountsInParallel, int seed) : IUsageStore
    {
        private readonly InMemoryUsageStore _inner = new();
        private readonly Random _random = new(seed);
        private readonly Lock _lock = new();

        public bool RecordsWholeBatches => wholeBatches;

        public int AccountsInParallel => accountsInParallel;

        private Task JitterAsync()
        {
            int ms;
            lock (_lock)
            {
                ms = _random.Next(0, 6);
            }

            return ms == 0 ? Task.CompletedTask : Task.Delay(ms);
        }

        public async Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
        {
            await JitterAsync();
            return await _inner.TryCreateManyAsync(records, cancellationToken);
        }

        public async Task<IReadOnlyDictionary<string, UsageRecord>> FindExistingAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken)
        {
            await JitterAsync();
            return await _inner.FindExistingAsync(accountId, cdrIds, cancellationToken);
        }

        public Task<bool> TryCreateAsync(UsageRecord record, CancellationToken cancellationToken) => _inner.TryCreateAsync(record, cancellationToken);

        public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, ListOrder order, ListCursor? after, CancellationToken cancellationToken) =>
            _inner.ListAsync(accountId, from, to, limit, order, after, cancellationToken);

        public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
            _inner.ListAsync(accountId, from, to, limit, cancellationToken);
    }
}
