using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

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
}
