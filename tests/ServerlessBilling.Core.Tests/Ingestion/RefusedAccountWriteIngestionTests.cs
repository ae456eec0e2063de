using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;
using UsageRecord = ServerlessBilling.Core.Ingestion.UsageRecord;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// A write the account store refuses for good (Cosmos DB's 413, a document over 2 MB: <see cref="StoreRefusedException"/>)
/// failed the whole batch as a store fault does. A fault passes and the batch's redelivery completes it; a refusal does
/// not: the Event Hubs trigger retries a failed batch without end, so one such account stopped the ingestion of its
/// partition for good (every later CDR on it unread until the hub's retention dropped it), and over HTTP the batch was
/// answered 507 again on every retry with its CDRs neither accepted nor quarantined. They are quarantined with the reason.
/// </summary>
public sealed class RefusedAccountWriteIngestionTests
{
    [Fact]
    public async Task Cdrs_of_an_account_whose_write_the_store_refuses_are_quarantined_and_the_batch_completes()
    {
        var h = new CreditControlHarness(new RefusingAccountStore(new InMemoryAccountStore(), "big"), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        await h.OpenAsync("big", Fixtures.Postpaid(1_000m, hard: false), 0m);
        await h.OpenAsync("fine", Fixtures.Postpaid(1_000m, hard: false), 0m);
        var at = Fixtures.Now.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

        var result = await h.IngestCsvAsync($"""
            {Fixtures.CdrHeader}
            b-1,big,+441234,+33612345678,{at},60,ANSWERED,
            f-1,fine,+441234,+33612345678,{at},60,ANSWERED,
            b-2,big,+441234,+33612345678,{at},60,ANSWERED,
            b-1,big,+441234,+33612345678,{at},60,ANSWERED,
            """);

        Assert.Equal((4, 1, 0), (result.Received, result.Accepted, result.Duplicates));
        Assert.Equal([(2, "b-1"), (4, "b-2"), (5, "b-1")], result.Quarantined.Select(q => (q.Line, q.CdrId)).ToList());
        Assert.All(result.Quarantined, q => Assert.Contains("the account store refused the write", q.Reason, StringComparison.Ordinal));
        Assert.Equal(0m, (await h.StateAsync("big")).PeriodSpend);
        Assert.Equal(0.15m, (await h.StateAsync("fine")).PeriodSpend);
    }

    /// <summary>
    /// Only the CDRs the refused write would have charged are quarantined. Every CDR of the step was: also one delivered
    /// again that the account had been charged for before (a duplicate, its usage recorded), and one whose money had moved
    /// but whose usage record a failed delivery left unwritten; both were quarantined as "not charged" although they were,
    /// so a CDR stood rated and quarantined at once, and the second's usage record was never written (the account charged
    /// for a call no usage shows, its invoice short of the money taken).
    /// </summary>
    [Fact]
    public async Task Cdrs_charged_before_the_refusal_are_answered_as_charged_not_quarantined()
    {
        var accounts = new RefusingAccountStore(new InMemoryAccountStore());
        var usage = new DroppingUsageStore(new InMemoryUsageStore());
        var h = new CreditControlHarness(accounts, new InMemorySessionIndex(), new InMemoryRateDeckStore(), usage: usage);
        await h.OpenAsync("big", Fixtures.Postpaid(1_000m, hard: false), 0m);
        var at = Fixtures.Now.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        string Cdr(string id) => $"{id},big,+441234,+33612345678,{at},60,ANSWERED,";

        Assert.Equal(1, (await h.IngestCsvAsync($"{Fixtures.CdrHeader}\n{Cdr("recorded")}\n")).Accepted);
        usage.DropNext = true; // charged, and the delivery fails before its usage record is written
        await Assert.ThrowsAsync<StoreUnavailableException>(() => h.IngestCsvAsync($"{Fixtures.CdrHeader}\n{Cdr("unrecorded")}\n"));
        Assert.Equal(0.30m, (await h.StateAsync("big")).PeriodSpend);

        // From now on the store refuses the account's document; the two are delivered again with a new CDR.
        accounts.Refused = "big";
        var result = await h.IngestCsvAsync($"{Fixtures.CdrHeader}\n{Cdr("recorded")}\n{Cdr("unrecorded")}\n{Cdr("new")}\n");

        Assert.Equal([(4, "new")], result.Quarantined.Select(q => (q.Line, q.CdrId)).ToList());
        Assert.Equal((3, 0, 2), (result.Received, result.Accepted, result.Duplicates)); // both charged by an earlier delivery, as a redelivery counts them
        Assert.Equal(["recorded", "unrecorded"], (await h.Usage.ListAsync("big", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default)).Select(u => u.CdrId).Order().ToList());
        Assert.Equal(0.30m, (await h.StateAsync("big")).PeriodSpend);
    }

    /// <summary>A usage store whose next batch write fails after nothing was written, as a crash after the money moved leaves it.</summary>
    private sealed class DroppingUsageStore(IUsageStore inner) : IUsageStore
    {
        public bool DropNext { get; set; }

        public Task<IReadOnlyDictionary<string, UsageRecord>> FindExistingAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken) =>
            inner.FindExistingAsync(accountId, cdrIds, cancellationToken);

        public Task<bool> TryCreateAsync(UsageRecord record, CancellationToken cancellationToken) => inner.TryCreateAsync(record, cancellationToken);

        public Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
        {
            if (DropNext)
            {
                DropNext = false;
                throw new StoreUnavailableException("the usage store is away (injected)");
            }

            return inner.TryCreateManyAsync(records, cancellationToken);
        }

        public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
            inner.ListAsync(accountId, from, to, limit, cancellationToken);

        public Task<IReadOnlyList<UsageRecord>> ListAsync(
            string accountId, DateTimeOffset from, DateTimeOffset to, int limit, ListOrder order, ListCursor? after, CancellationToken cancellationToken) =>
            inner.ListAsync(accountId, from, to, limit, order, after, cancellationToken);
    }
}
