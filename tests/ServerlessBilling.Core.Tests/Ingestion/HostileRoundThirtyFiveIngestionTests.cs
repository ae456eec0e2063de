using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// Two deliveries of the same CDR ids with other content, at once: the second found the ids applied by the first (its
/// account write had landed) but their usage records not yet written, took them as the same calls and counted them as
/// duplicates. Its CDRs, of other durations, were neither charged nor quarantined: lost, with no conflict to tell of them.
/// </summary>
public sealed class HostileRoundThirtyFiveIngestionTests
{
    private const string Called = "+33612345678"; // France: 0.15/min, 1/1

    private static string Batch(string account, int seconds) =>
        Fixtures.CdrHeader + "\n" + string.Concat(Enumerable.Range(1, 3).Select(i =>
            $"c-{i},{account},+441234,{Called},{Fixtures.Now:yyyy-MM-ddTHH:mm:ssZ},{seconds},ANSWERED,\n"));

    [Fact]
    public async Task A_concurrent_copy_with_other_content_of_cdrs_whose_records_were_still_being_written_is_quarantined_as_a_conflict()
    {
        var (h, first, second) = await DeliverTwiceAtOnceAsync("r35-race", secondSeconds: 120);

        Assert.Equal((3, 3, 0, 0), Counts(first));
        Assert.Equal((3, 0, 0, 3), Counts(second));
        Assert.All(second.Quarantined, q => Assert.StartsWith("conflict: CDR id", q.Reason, StringComparison.Ordinal));
        Assert.Equal(0.45m, (await h.StateAsync("r35-race")).PeriodSpend);
        var records = await h.Usage.ListAsync("r35-race", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default);
        Assert.All(records, r => Assert.Equal(60, r.DurationSeconds));

        // A copy of the same content sent afterwards is still a duplicate.
        Assert.Equal((3, 0, 3, 0), Counts(await h.IngestCsvAsync(Batch("r35-race", 60))));
    }

    [Fact]
    public async Task A_concurrent_copy_of_the_same_content_is_a_duplicate()
    {
        var (h, first, second) = await DeliverTwiceAtOnceAsync("r35-same", secondSeconds: 60);

        Assert.Equal((3, 3, 0, 0), Counts(first));
        Assert.Equal((3, 0, 3, 0), Counts(second));
        Assert.Equal(0.45m, (await h.StateAsync("r35-same")).PeriodSpend);
    }

    /// <summary>Three 60-second CDRs, and while their usage records are being written, the same ids with <paramref name="secondSeconds"/>.</summary>
    private static async Task<(CreditControlHarness Harness, IngestResult First, IngestResult Second)> DeliverTwiceAtOnceAsync(string account, int secondSeconds)
    {
        var usage = new FirstWriteHeldUsageStore();
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), usage: usage);
        await h.OpenAsync(account, Fixtures.Postpaid(1_000m, hard: false), 0m);

        // The first delivery moves the money; its usage records are on their way when the second delivery comes.
        var first = h.IngestCsvAsync(Batch(account, 60));
        await usage.FirstWriteArrived;
        var second = await h.IngestCsvAsync(Batch(account, secondSeconds));
        return (h, await first, second);
    }

    private static (int, int, int, int) Counts(IngestResult result) => (result.Received, result.Accepted, result.Duplicates, result.Quarantined.Count);

    /// <summary>
    /// A usage store whose first write of records is held until a second write comes, then done before it: the first
    /// delivery's records land while the second delivery, which found its ids applied without records, is answered.
    /// </summary>
    private sealed class FirstWriteHeldUsageStore : IUsageStore
    {
        private readonly InMemoryUsageStore _inner = new();
        private readonly TaskCompletionSource _firstArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _firstDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _writes;

        public Task FirstWriteArrived => _firstArrived.Task;

        public bool RecordsWholeBatches => _inner.RecordsWholeBatches;

        public int AccountsInParallel => _inner.AccountsInParallel;

        public async Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
        {
            switch (Interlocked.Increment(ref _writes))
            {
                case 1:
                    _firstArrived.SetResult();
                    await _release.Task;
                    var created = await _inner.TryCreateManyAsync(records, cancellationToken);
                    _firstDone.SetResult();
                    return created;
                case 2:
                    _release.SetResult();
                    await _firstDone.Task;
                    break;
            }

            return await _inner.TryCreateManyAsync(records, cancellationToken);
        }

        public Task<IReadOnlyDictionary<string, UsageRecord>> FindExistingAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken) =>
            _inner.FindExistingAsync(accountId, cdrIds, cancellationToken);

        public Task<bool> TryCreateAsync(UsageRecord record, CancellationToken cancellationToken) => _inner.TryCreateAsync(record, cancellationToken);

        public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, ListOrder order, ListCursor? after, CancellationToken cancellationToken) =>
            _inner.ListAsync(accountId, from, to, limit, order, after, cancellationToken);

        public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
            _inner.ListAsync(accountId, from, to, limit, cancellationToken);
    }
}
