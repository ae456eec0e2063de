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

    /// <summary>
    /// The other order: the second delivery's answer comes before the first's records land. It found the ids applied without
    /// records and wrote the records itself, with its own copies' content: they stood (create-only) for calls charged at the
    /// first copies' price, the first's were refused as already there, and the second's copies, matching the records they
    /// had written, were counted as duplicates. The usage disagreed with the money, and the conflict was never quarantined.
    /// Now a delivery leaves the records of ids another delivery under way holds to that delivery (<see cref="DeliveriesInFlight"/>).
    /// </summary>
    [Fact]
    public async Task The_records_of_cdrs_whose_money_another_delivery_moved_are_that_delivery_s_and_other_content_is_a_conflict()
    {
        var (h, first, second) = await DeliverTwiceAtOnceAsync("race-order", secondSeconds: 120, secondRecordsFirst: true);

        Assert.Equal((3, 3, 0, 0), Counts(first));
        Assert.Equal((3, 0, 0, 3), Counts(second));
        Assert.All(second.Quarantined, q => Assert.StartsWith("conflict: CDR id", q.Reason, StringComparison.Ordinal));
        Assert.Equal(0.45m, (await h.StateAsync("race-order")).PeriodSpend);
        var records = await h.Usage.ListAsync("race-order", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default);
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal((60, 0.15m), (r.DurationSeconds, r.Charge)));
    }

    [Fact]
    public async Task In_the_other_order_a_concurrent_copy_of_the_same_content_is_a_duplicate_and_the_records_are_written_once()
    {
        var (h, first, second) = await DeliverTwiceAtOnceAsync("race-same", secondSeconds: 60, secondRecordsFirst: true);

        Assert.Equal((3, 3, 0, 0), Counts(first));
        Assert.Equal((3, 0, 3, 0), Counts(second));
        Assert.Equal(0.45m, (await h.StateAsync("race-same")).PeriodSpend);
        Assert.Equal(3, (await h.Usage.ListAsync("race-same", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default)).Count);
    }

    [Fact]
    public async Task Applied_cdrs_whose_records_no_delivery_under_way_holds_are_still_recorded_by_their_replay()
    {
        // The crash case: the money moved, the records were never written, no delivery is under way. The replay writes them.
        var usage = new FirstWriteHeldUsageStore { FailWrites = true };
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), usage: usage);
        await h.OpenAsync("race-crash", Fixtures.Postpaid(1_000m, hard: false), 0m);
        await Assert.ThrowsAnyAsync<StoreUnavailableException>(() => h.IngestCsvAsync(Batch("race-crash", 60)));
        usage.FailWrites = false;
        usage.ReleaseFirst();

        Assert.Equal((3, 0, 3, 0), Counts(await h.IngestCsvAsync(Batch("race-crash", 60))));
        Assert.Equal(3, (await h.Usage.ListAsync("race-crash", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default)).Count);
        Assert.Equal(0.45m, (await h.StateAsync("race-crash")).PeriodSpend);
    }

    /// <summary>
    /// Three 60-second CDRs, and while their usage records are being written, the same ids with <paramref name="secondSeconds"/>;
    /// with <paramref name="secondRecordsFirst"/> a record write of the second delivery (if it makes one) lands before the first's.
    /// </summary>
    private static async Task<(CreditControlHarness Harness, IngestResult First, IngestResult Second)> DeliverTwiceAtOnceAsync(string account, int secondSeconds, bool secondRecordsFirst = false)
    {
        var usage = new FirstWriteHeldUsageStore { SecondWritesFirst = secondRecordsFirst };
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), usage: usage);
        await h.OpenAsync(account, Fixtures.Postpaid(1_000m, hard: false), 0m);

        // The first delivery moves the money; its usage records are on their way when the second delivery comes.
        var first = h.IngestCsvAsync(Batch(account, 60));
        await usage.FirstWriteArrived;
        var second = h.IngestCsvAsync(Batch(account, secondSeconds));

        // The second delivery leaves the records of the ids the first holds to the first and waits for them, writing none
        // of its own (it used to write them, which released the first): the first is let go after a while.
        await Task.WhenAny(second, Task.Delay(TimeSpan.FromMilliseconds(500)));
        usage.ReleaseFirst();
        return (h, await first, await second);
    }

    private static (int, int, int, int) Counts(IngestResult result) => (result.Received, result.Accepted, result.Duplicates, result.Quarantined.Count);

    /// <summary>
    /// A usage store whose first write of records is held until a second write comes, then done before it (or, with
    /// <see cref="SecondWritesFirst"/>, after it), or until <see cref="ReleaseFirst"/>: the first delivery's records land
    /// while the second delivery, which found its ids applied without records, is answered. <see cref="FailWrites"/> fails every write.
    /// </summary>
    private sealed class FirstWriteHeldUsageStore : IUsageStore
    {
        private readonly InMemoryUsageStore _inner = new();
        private readonly TaskCompletionSource _firstArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _firstDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _writes;

        public Task FirstWriteArrived => _firstArrived.Task;

        public void ReleaseFirst() => _release.TrySetResult();

        public bool RecordsWholeBatches => _inner.RecordsWholeBatches;

        public int AccountsInParallel => _inner.AccountsInParallel;

        public bool SecondWritesFirst { get; init; }

        public bool FailWrites { get; set; }

        public async Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
        {
            if (FailWrites)
            {
                throw new StoreUnavailableException("held down by the test") { Store = "usage store" };
            }

            switch (Interlocked.Increment(ref _writes))
            {
                case 1:
                    _firstArrived.SetResult();
                    await _release.Task;
                    var created = await _inner.TryCreateManyAsync(records, cancellationToken);
                    _firstDone.SetResult();
                    return created;
                case 2 when SecondWritesFirst:
                    var createdFirst = await _inner.TryCreateManyAsync(records, cancellationToken);
                    _release.TrySetResult();
                    return createdFirst;
                case 2:
                    _release.TrySetResult();
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
