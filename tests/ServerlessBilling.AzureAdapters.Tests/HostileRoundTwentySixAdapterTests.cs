using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBilling.AzureAdapters.EventHubs;
using ServerlessBilling.Testing;

namespace ServerlessBilling.AzureAdapters.Tests;

/// <summary>
/// Round twenty-six of the hostile review: identical bad lines within one Event Hubs event were one quarantine record
/// while the answer counted each (received = accepted + duplicates + quarantined held only in the answer). Each is
/// kept, and the event delivered again adds none.
/// </summary>
public sealed class HostileRoundTwentySixAdapterTests
{
    [Fact]
    public async Task Identical_bad_lines_within_one_event_are_each_quarantined_once_over_redeliveries()
    {
        var harness = CreditControlHarness.InMemory();
        await harness.OpenAsync("acme", Fixtures.Postpaid(1000m, hard: false), 0m);
        var handler = new CdrEventBatchHandler(harness.Ingestion, NullLogger<CdrEventBatchHandler>.Instance);
        const string bad = "c-1,acme,+441,+447700900123,not-a-time,120,ANSWERED,\n";
        EventData[] Batch() => [EventHubsModelFactory.EventData(new BinaryData(bad + bad + "c-2,acme,+441,+447700900123,2026-11-26T10:00:00Z,60,ANSWERED,\n" + bad), sequenceNumber: 7, offsetString: "7")];

        var result = await handler.HandleAsync(Batch(), default);
        await handler.HandleAsync(Batch(), default);

        Assert.Equal((4, 1, 0, 3), (result.Received, result.Accepted, result.Duplicates, result.Quarantined.Count));
        var kept = await harness.Quarantine.ListAsync(null, 100, default);
        Assert.Equal([1, 2, 4], kept.Select(q => q.Line).Order());
    }
}
