using System.Text;
using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBilling.AzureAdapters.EventHubs;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.AzureAdapters.Tests;

/// <summary>Round nineteen of the hostile review: Event Hubs bodies of CSV lines without a header.</summary>
public sealed class HostileRoundNineteenAdapterTests
{
    private const string Account = "acme";
    private const string Line = $"c-1,{Account},+441,+447700900123,2026-11-26T10:00:00Z,60,ANSWERED,\n";

    private static EventData Event(byte[] body, long sequence) =>
        EventHubsModelFactory.EventData(new BinaryData(body), sequenceNumber: sequence, offsetString: "0");

    [Fact]
    public async Task A_headerless_event_that_opens_with_a_byte_order_mark_keeps_its_first_cdr_id_so_a_copy_without_one_is_a_duplicate()
    {
        // The mark was read as part of the first CDR's id, "\uFEFFc-1", an id that passes the id rule and differs from
        // "c-1": the same call sent again without the mark (a producer's retry, or the file over HTTP) was charged twice.
        var harness = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        await harness.OpenAsync(Account, Fixtures.Postpaid(1000m, hard: false), 0m);
        var handler = new CdrEventBatchHandler(harness.Ingestion, NullLogger<CdrEventBatchHandler>.Instance);

        var first = await handler.HandleAsync([Event([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Line)], 1)], default);
        var copy = await handler.HandleAsync([Event(Encoding.UTF8.GetBytes(Line), 2)], default);

        Assert.Equal(1, first.Accepted);
        Assert.Equal(0, copy.Accepted);
        Assert.Equal(1, copy.Duplicates);
        Assert.Equal(1, (await harness.StateAsync(Account)).Totals["2026-11"].Total.Calls);
    }

    [Fact]
    public void A_headerless_event_names_its_own_line_numbers_not_those_of_the_header_put_before_it()
    {
        var body = Encoding.UTF8.GetBytes(Line + $"c-2,{Account},+441,+447700900123,not-a-time,60,ANSWERED,\n");

        var rejected = Assert.Single(CdrEventBatchHandler.Read(Event(body, 7)), r => r.Rejection is not null);

        Assert.Equal(2, rejected.Rejection!.Line);
    }
}
