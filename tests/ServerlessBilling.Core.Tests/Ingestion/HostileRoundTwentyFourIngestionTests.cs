using System.Text;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// Round twenty-four of the hostile review, on a CDR batch (an Event Hubs batch) holding CDRs of many accounts, one of
/// which cannot be written (its partition throttled or unavailable, a 412 storm). The batch failed at that account and
/// the groups of the accounts not yet started were not applied at all: the batch is delivered again until it succeeds,
/// so while that one account's store stayed away, the other accounts of the batch went uncharged (a post-paid account's
/// spend stayed low against its hard limit, its monitoring blind). Every group is applied; then the fault fails the batch.
/// </summary>
public sealed class HostileRoundTwentyFourIngestionTests
{
    private const int Healthy = 12;

    [Fact]
    public async Task An_account_that_cannot_be_written_holds_back_no_other_account_of_the_batch_and_the_redelivery_counts_each_cdr_once()
    {
        var store = new FailingAccountStore(new InMemoryAccountStore());
        var h = new CreditControlHarness(store, new InMemorySessionIndex(), new InMemoryRateDeckStore());
        await h.OpenAsync("ing-poisoned", Fixtures.Postpaid(1_000m, hard: true), 0m);
        var batch = new StringBuilder(Fixtures.CdrHeader).Append('\n')
            .Append("p-1,ing-poisoned,+441234,+447700900123,2026-11-26T09:00:00Z,60,ANSWERED,\n");
        for (var i = 0; i < Healthy; i++)
        {
            await h.OpenAsync($"ing-healthy-{i:00}", Fixtures.Postpaid(1_000m, hard: true), 0m);
            batch.Append($"h-{i},ing-healthy-{i:00},+441234,+447700900123,2026-11-26T09:{i:00}:00Z,{60 * (i + 1)},ANSWERED,\n");
        }

        batch.Append("p-2,ing-poisoned,+441234,+447700900123,2026-11-26T09:30:00Z,60,ANSWERED,\n")
            .Append("x-1,ing-healthy-00,+441234,+999,2026-11-26T09:31:00Z,60,ANSWERED,\n");

        store.Fail("ing-poisoned");
        await Assert.ThrowsAsync<StoreUnavailableException>(() => h.IngestCsvAsync(batch.ToString()));

        for (var i = 0; i < Healthy; i++)
        {
            Assert.Equal(i + 1m, (await h.StateAsync($"ing-healthy-{i:00}")).PeriodSpend);
            Assert.Equal($"h-{i}", Assert.Single(await h.Usage.ListAsync($"ing-healthy-{i:00}", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default)).CdrId);
        }

        Assert.Equal(0m, (await h.StateAsync("ing-poisoned")).PeriodSpend);

        // Delivered again once the store answers: each CDR counts once over the two deliveries.
        store.Fail(null);
        var again = await h.IngestCsvAsync(batch.ToString());
        Assert.Equal((Healthy + 3, 2, Healthy, 1), (again.Received, again.Accepted, again.Duplicates, again.Quarantined.Count));
        Assert.Equal(2.00m, (await h.StateAsync("ing-poisoned")).PeriodSpend);
        Assert.Equal(1m, (await h.StateAsync("ing-healthy-00")).PeriodSpend);
    }
}
