using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBilling.AzureAdapters.EventHubs;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.AzureAdapters.Tests;

/// <summary>
/// Round sixteen of the hostile review: an Event Hubs batch of several events, each read as its own batch, so that the
/// line numbers of their records start again in every event (a one-CDR JSON event is always line 1).
/// </summary>
public sealed class HostileRoundSixteenAdapterTests
{
    private const string Account = "acme";

    private static EventData Event(string body, long sequence) =>
        EventHubsModelFactory.EventData(new BinaryData(body), sequenceNumber: sequence, offsetString: "0");

    private static async Task<(CdrEventBatchHandler Handler, CreditControlHarness Harness)> CreateAsync()
    {
        var harness = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        await harness.OpenAsync(Account, Fixtures.Postpaid(1000m, hard: false), 0m);
        return (new CdrEventBatchHandler(harness.Ingestion, NullLogger<CdrEventBatchHandler>.Instance), harness);
    }

    [Fact]
    public async Task A_cdr_quarantined_when_rated_keeps_its_own_text_when_an_earlier_event_of_the_batch_has_the_same_line()
    {
        // The text of a CDR refused at rating (no deck prefix, unknown account, conflict) was looked up by its line
        // number among the account's records of the batch: the first record with that line won. Every one-CDR JSON event
        // is line 1, so the quarantine kept the first event's CDR (a good one, charged) in place of the refused one,
        // whose own text, the only copy the operator has to repair and resend, was lost.
        var (handler, harness) = await CreateAsync();
        var good = $$"""{"cdrId":"j-1","accountId":"{{Account}}","callingNumber":"+441","calledNumber":"+447700900123","startTime":"2026-11-26T10:00:00Z","durationSeconds":60,"disposition":"ANSWERED"}""";
        var unrated = $$"""{"cdrId":"j-2","accountId":"{{Account}}","callingNumber":"+441","calledNumber":"+999123","startTime":"2026-11-26T10:00:00Z","durationSeconds":60,"disposition":"ANSWERED"}""";
        var goodLine = $"c-1,{Account},+441,+447700900123,2026-11-26T10:00:00Z,60,ANSWERED,\n";
        var unratedLine = $"c-2,{Account},+441,+999456,2026-11-26T10:00:00Z,60,ANSWERED,\n";

        var result = await handler.HandleAsync([Event(good, 1), Event(unrated, 2), Event(goodLine, 3), Event(unratedLine, 4)], default);

        Assert.Equal(2, result.Accepted);
        Assert.Equal(2, result.Quarantined.Count);
        var stored = await harness.Quarantine.ListAsync(Account, 10, default);
        var json = Assert.Single(stored, q => q.CdrId == "j-2");
        Assert.Equal(unrated, json.Raw);
        var csv = Assert.Single(stored, q => q.CdrId == "c-2");
        Assert.Equal(unratedLine.TrimEnd('\n'), csv.Raw);
    }
}
