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

    private static async Task<List<UsageRecord>> AllRecordsAsync(CreditControlHarness h) =>
        [.. await h.Usage.ListAsync("r38-long", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10_000, default),
            .. await h.Usage.ListAsync("r38-short", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10_000, default)];

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
