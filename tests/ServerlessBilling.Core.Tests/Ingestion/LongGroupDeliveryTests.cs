using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// One account's share of a batch longer than the document's applied set (<see cref="AccountState.AppliedCdrCapacity"/>):
/// a second delivery of the same CDRs while the first one's usage records are still being written, or a redelivery
/// after the first was cut short between its money and its records, charges nothing again. The applied set forgets
/// only ids whose records exist, and a long group moves its money in steps whose records are written in between.
/// </summary>
public sealed class LongGroupDeliveryTests
{
    private const int Calls = 2_500;

    private static string Batch(string account) =>
        Fixtures.CdrHeader + "\n" + string.Join("\n", Enumerable.Range(0, Calls).Select(i =>
            $"long-{i:D5},{account},+441234,+447700900123,{Fixtures.Now.AddSeconds(-i):O},{30 + (i % 200)},ANSWERED,"));

    private static async Task<(CreditControlHarness Harness, string Account)> OpenAsync(IUsageStore usage, string name)
    {
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), usage: usage);
        return (h, await h.OpenAsync(name, Fixtures.Postpaid(1_000_000m, hard: false), 0m));
    }

    /// <summary>What one clean pass of the batch charges.</summary>
    private static async Task<decimal> OnePassAsync()
    {
        var (h, account) = await OpenAsync(new InMemoryUsageStore(), "once");
        Assert.Equal(Calls, (await h.IngestCsvAsync(Batch(account))).Accepted);
        return (await h.StateAsync(account)).Committed;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_second_delivery_while_the_first_one_writes_its_records_charges_nothing_again(bool wholeBatches)
    {
        var expected = await OnePassAsync();
        var usage = new GatedUsageStore(new InMemoryUsageStore(), wholeBatches);
        var (h, account) = await OpenAsync(usage, "gated");

        // The first delivery moves money, then waits in its first usage write; the second runs meanwhile. It moves the money
        // of the CDRs the first has not reached and leaves the records of those the first holds to the first, then waits for
        // them to judge its copies (it used to write them itself, with its own copies' content), so the first is let go.
        var first = Task.Run(() => h.IngestCsvAsync(Batch(account)));
        await usage.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var secondRun = h.IngestCsvAsync(Batch(account));
        await Task.WhenAny(secondRun, Task.Delay(TimeSpan.FromMilliseconds(500)));
        usage.Release.SetResult();
        var second = await secondRun.WaitAsync(TimeSpan.FromSeconds(30));
        var firstResult = await first.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Calls, firstResult.Accepted + second.Accepted);
        Assert.Equal(Calls, firstResult.Duplicates + second.Duplicates);
        Assert.Empty(firstResult.Quarantined.Concat(second.Quarantined));
        var state = await h.StateAsync(account);
        Assert.Equal(expected, state.Committed);
        var records = await h.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10_000, default);
        Assert.Equal(Calls, records.Count);
        Assert.Equal(expected, records.Sum(r => r.Charge));

        // A third delivery, after both, finds every CDR recorded.
        var third = await h.IngestCsvAsync(Batch(account));
        Assert.Equal((0, Calls), (third.Accepted, third.Duplicates));
        Assert.Equal(expected, (await h.StateAsync(account)).Committed);
    }

    [Fact]
    public async Task A_redelivery_after_the_usage_writes_failed_charges_each_cdr_once()
    {
        var expected = await OnePassAsync();
        var usage = new GatedUsageStore(new InMemoryUsageStore(), wholeBatches: true) { Fail = true };
        usage.Release.SetResult();
        var (h, account) = await OpenAsync(usage, "cut");

        await Assert.ThrowsAsync<StoreUnavailableException>(() => h.IngestCsvAsync(Batch(account)));
        var moved = (await h.StateAsync(account)).Committed;
        Assert.True(moved > 0m);

        usage.Fail = false;
        var replay = await h.IngestCsvAsync(Batch(account));
        Assert.Equal(Calls, replay.Accepted + replay.Duplicates);
        var state = await h.StateAsync(account);
        Assert.Equal(expected, state.Committed);
        var records = await h.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10_000, default);
        Assert.Equal(Calls, records.Count);
        Assert.Equal(expected, records.Sum(r => r.Charge));
    }

    [Fact]
    public async Task Long_groups_delivered_one_after_another_leave_the_applied_set_at_its_capacity()
    {
        var (h, account) = await OpenAsync(new InMemoryUsageStore(), "steady");
        for (var run = 0; run < 3; run++)
        {
            var csv = Batch(account).Replace("long-", $"r{run}-", StringComparison.Ordinal);
            Assert.Equal(Calls, (await h.IngestCsvAsync(csv)).Accepted);
            var state = await h.Accounts.GetAsync(account, default);
            Assert.Equal(AccountState.AppliedCdrCapacity, state!.Value.AppliedCount);
        }
    }

    [Fact]
    public async Task Applied_ids_whose_records_never_came_stay_and_are_warned_about_once_a_minute()
    {
        // Batches cut short after their money moved and never delivered again: 3,500 applied ids without usage records.
        var accounts = new InMemoryAccountStore();
        var decks = new InMemoryRateDeckStore();
        var h = new CreditControlHarness(accounts, new InMemorySessionIndex(), decks);
        var account = await h.OpenAsync("stuck", Fixtures.Postpaid(1_000_000m, hard: false), 0m);
        var current = (await accounts.GetAsync(account, default))!;
        var state = current.Value;
        const int lost = 3_500;
        for (var i = 0; i < lost; i++)
        {
            state = state.RememberApplied($"lost-{i:D5}", capacity: int.MaxValue);
        }

        Assert.NotNull(await accounts.TryReplaceAsync(state, current.ETag, default));
        var log = new ListLogger(Microsoft.Extensions.Logging.LogLevel.Warning);
        var service = new IngestionService(accounts, h.Updater, new InMemorySessionIndex(), h.Usage, h.Quarantine, new RateDeckCache(decks, h.Clock), h.Clock, h.Options, new TypedLogger(log));

        async Task IngestAsync(string run) => Assert.Equal(10, (await service.IngestAsync(
            CdrCsvReader.Read(Batch(account).Replace("long-", run, StringComparison.Ordinal)).Take(10).ToList(), "test", default)).Accepted);

        await IngestAsync("a-");
        await IngestAsync("b-");
        var held = (await h.StateAsync(account)).AppliedWindow;
        Assert.Equal(lost + 20, held.Count);
        Assert.True(held.Contains("lost-00000"));
        var warning = Assert.Single(log.Lines);
        Assert.Contains("2510 applied CDR ids have no usage record", warning.Message, StringComparison.Ordinal);

        h.Clock.Advance(TimeSpan.FromMinutes(2));
        await IngestAsync("c-");
        Assert.Equal(2, log.Lines.Count);
    }

    private sealed class TypedLogger(ListLogger inner) : Microsoft.Extensions.Logging.ILogger<IngestionService>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }

    /// <summary>
    /// Usage whose first batch write waits for <see cref="Release"/> (signalling <see cref="Entered"/>), as a slow commit
    /// does; with <see cref="Fail"/> every write fails.
    /// </summary>
    private sealed class GatedUsageStore(IUsageStore inner, bool wholeBatches) : IUsageStore
    {
        private int _calls;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Fail { get; set; }

        public bool RecordsWholeBatches => wholeBatches;

        public Task<IReadOnlyDictionary<string, UsageRecord>> FindExistingAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken) =>
            inner.FindExistingAsync(accountId, cdrIds, cancellationToken);

        public Task<bool> TryCreateAsync(UsageRecord record, CancellationToken cancellationToken) =>
            Fail ? throw new StoreUnavailableException("the usage container is down") : inner.TryCreateAsync(record, cancellationToken);

        public async Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                Entered.SetResult();
                await Release.Task;
            }

            return Fail ? throw new StoreUnavailableException("the usage container is down") : await inner.TryCreateManyAsync(records, cancellationToken);
        }

        public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
            inner.ListAsync(accountId, from, to, limit, cancellationToken);

        public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, ListOrder order, ListCursor? after, CancellationToken cancellationToken) =>
            inner.ListAsync(accountId, from, to, limit, order, after, cancellationToken);
    }
}
