using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBilling.AzureAdapters.EventHubs;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.AzureAdapters.Tests;

/// <summary>
/// Round fourteen of the hostile review: the Event Hubs entry point given CSV events whose first line the adapter
/// misjudged. docs/formats.md matches column names without regard to case and in any order, and the adapter takes
/// "the same content, one batch per event" (with the header, or lines in its column order without one).
/// </summary>
public sealed class HostileRoundFourteenAdapterTests
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
    public async Task An_upper_case_header_in_its_own_column_order_is_read_as_the_header()
    {
        // The header was recognised only by a lower-case "cdr_id": an upper-case one was taken for a data line (and
        // quarantined), and the lines below it were read in the default column order. With the called and calling
        // columns swapped, as here, each call was accepted and priced to the caller's destination: France at 0.15
        // instead of the United Kingdom at 1.00, silently.
        var (handler, harness) = await CreateAsync();
        var body = "CDR_ID,ACCOUNT_ID,CALLED_NUMBER,CALLING_NUMBER,START_TIME,DURATION_SECONDS,DISPOSITION\n"
            + $"u-1,{Account},+447700900123,+33145678901,2026-11-26T10:00:00Z,60,ANSWERED\n";

        var result = await handler.HandleAsync([Event(body, 7)], default);

        Assert.Empty(result.Quarantined);
        Assert.Equal(1, result.Accepted);
        Assert.Equal(new UsageTotals(1, 60, 1.00m), (await harness.StateAsync(Account)).Totals["2026-11"].Total);
    }

    [Fact]
    public async Task Headerless_lines_whose_cdr_ids_contain_cdr_id_are_read_as_lines()
    {
        // Any first line that held the bytes "cdr_id" was taken for a header: an event of headerless lines whose ids
        // carry that text (a switch's own naming) lost its first line as a "header" that then lacked every column, and
        // the whole event was quarantined as one record: none of its calls charged, and the quarantine kept only its
        // first 4,096 characters.
        var (handler, harness) = await CreateAsync();
        var body = $"cdr_id-0001,{Account},+441,+447700900123,2026-11-26T10:00:00Z,60,ANSWERED,\n"
            + $"cdr_id-0002,{Account},+441,+447700900123,2026-11-26T10:05:00Z,60,ANSWERED,\n";

        var result = await handler.HandleAsync([Event(body, 8)], default);

        Assert.Empty(result.Quarantined);
        Assert.Equal(2, result.Accepted);
        Assert.Equal(new UsageTotals(2, 120, 2.00m), (await harness.StateAsync(Account)).Totals["2026-11"].Total);
    }

    [Theory]
    [InlineData("cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition")]
    [InlineData("\uFEFF CDR_ID ,Account_Id,calling_number,called_number,start_time,duration_seconds,disposition")]
    [InlineData("\"Cdr_Id\",account_id,calling_number,called_number,start_time,duration_seconds,disposition")]
    [InlineData("account_id,cdr_id,calling_number,called_number,start_time,duration_seconds,disposition")]
    public async Task A_header_is_recognised_in_any_case_quoting_or_position(string header)
    {
        var (handler, _) = await CreateAsync();
        var columns = header.TrimStart('\uFEFF', ' ').StartsWith("account_id", StringComparison.Ordinal)
            ? $"{Account},h-1"
            : $"h-1,{Account}";
        var body = $"{header}\r\n{columns},+441,+447700900123,2026-11-26T10:00:00Z,60,ANSWERED\r\n";

        var result = await handler.HandleAsync([Event(body, 9)], default);

        Assert.True(result.Quarantined.Count == 0, string.Join("; ", result.Quarantined.Select(q => q.Reason)));
        Assert.Equal(1, result.Accepted);
    }

    [Fact]
    public void An_alert_of_an_account_with_a_long_id_becomes_a_service_bus_message_with_a_stable_id_within_128_characters()
    {
        // An account id may be 128 characters, and its alert ids add "-threshold-" and 16 hex digits; the message id was
        // the alert id as it is, and Service Bus allows 128 characters: building the message threw, the change-feed batch
        // failed on every retry, and with it the alerts of every other account in that batch.
        var longAccount = new string('a', 120) + "-longest";
        var id = longAccount + "-threshold-0011223344556677";
        var other = longAccount + "-threshold-8899aabbccddeeff";

        var message = ServiceBus.ServiceBusAlertSink.ToMessage(LongAlert(id, longAccount));

        Assert.InRange(message.MessageId.Length, 1, 128);
        Assert.Equal(message.MessageId, ServiceBus.ServiceBusAlertSink.ToMessage(LongAlert(id, longAccount)).MessageId); // duplicate detection still drops a repeat
        Assert.NotEqual(message.MessageId, ServiceBus.ServiceBusAlertSink.ToMessage(LongAlert(other, longAccount)).MessageId);
        Assert.Equal(id, System.Text.Json.JsonDocument.Parse(message.Body.ToString()).RootElement.GetProperty("alertId").GetString());
        Assert.Equal(longAccount, message.ApplicationProperties["accountId"]);
    }

    private static Core.Monitoring.Alert LongAlert(string id, string account) => new(
        id, account, Core.Monitoring.AlertType.ThresholdReached, 0.8m, 4012.5m, 5000m,
        new DateTimeOffset(2026, 11, 26, 10, 5, 0, TimeSpan.Zero), "spend reached 80% of the limit", "GBP");
}
