using System.Text;
using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBilling.AzureAdapters.EventHubs;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.AzureAdapters.Tests;

/// <summary>
/// Round twenty-nine of the hostile review: Event Hubs events of CSV lines without a header carry the columns in the
/// order of docs/formats.md, where <c>session_id</c> is optional. Lines of the seven required columns alone (a mediation
/// that uses no credit control) were read under the eight-column header put before them, so every one was quarantined
/// ("expected 8 columns, found 7") and no call of the event was charged. The header put before them has the columns the
/// event's first line has.
/// </summary>
public sealed class HostileRoundTwentyNineAdapterTests
{
    private const string Account = "acme";

    private static async Task<(CreditControlHarness Harness, CdrEventBatchHandler Handler)> HandlerAsync()
    {
        var harness = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        await harness.OpenAsync(Account, Fixtures.Postpaid(1000m, hard: false), 0m);
        return (harness, new CdrEventBatchHandler(harness.Ingestion, NullLogger<CdrEventBatchHandler>.Instance));
    }

    private static EventData Event(string body, long sequence) =>
        EventHubsModelFactory.EventData(new BinaryData(Encoding.UTF8.GetBytes(body)), sequenceNumber: sequence, offsetString: "0");

    [Theory]
    [InlineData("")]
    [InlineData("\uFEFF")]
    [InlineData("\r\n\r\n")]
    public async Task A_headerless_event_of_the_seven_required_columns_is_charged(string before)
    {
        var (harness, handler) = await HandlerAsync();
        var body = before
            + $"c-1,{Account},+441,+33612345678,2026-11-26T10:00:00Z,60,ANSWERED\n"
            + $"\"c-2\",{Account},\"+44 1\",+33612345678,2026-11-26T10:05:00Z,120,answered\r\n";

        var result = await handler.HandleAsync([Event(body, 7)], default);

        Assert.Equal((2, 2, 0), (result.Received, result.Accepted, result.Quarantined.Count));
        Assert.Equal(0.45m, (await harness.StateAsync(Account)).PeriodSpend);

        // The same calls with the optional column, empty, are the same calls.
        var again = await handler.HandleAsync([Event($"c-1,{Account},+441,+33612345678,2026-11-26T10:00:00Z,60,ANSWERED,\n", 8)], default);
        Assert.Equal((0, 1), (again.Accepted, again.Duplicates));
    }

    [Fact]
    public async Task A_headerless_event_of_eight_columns_is_read_as_before_and_a_line_of_other_width_is_quarantined_with_its_count()
    {
        var (_, handler) = await HandlerAsync();
        var body = $"c-1,{Account},+441,+33612345678,2026-11-26T10:00:00Z,60,ANSWERED,s-1\n"
            + $"c-2,{Account},+441,+33612345678,2026-11-26T10:05:00Z,120,ANSWERED\n";

        var result = await handler.HandleAsync([Event(body, 9)], default);

        Assert.Equal((2, 1), (result.Received, result.Accepted));
        var refused = Assert.Single(result.Quarantined);
        Assert.Equal((2, "event 9: expected 8 columns, found 7"), (refused.Line, refused.Reason));
    }
}
