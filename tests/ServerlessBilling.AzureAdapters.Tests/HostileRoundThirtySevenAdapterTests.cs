using System.Globalization;
using System.Text;
using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBilling.AzureAdapters.EventHubs;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Testing;

namespace ServerlessBilling.AzureAdapters.Tests;

/// <summary>
/// Round thirty-seven of the hostile review, on Event Hubs events that are read but refused as one record larger than the
/// quarantine's raw bound: a JSON object wrapping the CDRs (<c>{"records":[…]}</c>, the envelope Azure services write to
/// Event Hubs), an array of arrays, or a CSV event whose line breaks were lost. Each was one quarantined record of its first
/// 4,096 characters, and the trigger checkpoints past it: every CDR after those characters was neither charged nor kept
/// anywhere (round 32 kept all the text of an event that cannot be read at all, not of one read and refused).
/// </summary>
public sealed class HostileRoundThirtySevenAdapterTests
{
    private const int Cdrs = 700; // the envelope's text is over 30 parts

    private static string JsonCdr(int i) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"cdrId":"wrap-{{i:D4}}","accountId":"acme","callingNumber":"+442071234567","calledNumber":"+447700900123","startTime":"2026-11-26T10:00:00Z","durationSeconds":{{60 + i}},"disposition":"ANSWERED"}""");

    private static string CsvLine(int i) =>
        string.Create(CultureInfo.InvariantCulture, $"wrap-{i:D4},acme,+442071234567,+447700900123,2026-11-26T10:00:00Z,{60 + i},ANSWERED,");

    public static TheoryData<string, string> RefusedWhole => new()
    {
        { "an envelope object", """{"records":[""" + string.Join(',', Enumerable.Range(1, Cdrs).Select(JsonCdr)) + "]}" },
        { "an array of arrays", "[[" + string.Join(',', Enumerable.Range(1, Cdrs).Select(JsonCdr)) + "]]" },
        { "csv without its line breaks", "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\n" + string.Join(' ', Enumerable.Range(1, Cdrs).Select(CsvLine)) + "\n" },
    };

    [Theory]
    [MemberData(nameof(RefusedWhole))]
    public async Task A_refused_record_longer_than_the_raw_bound_is_kept_whole_in_parts(string kind, string body)
    {
        var harness = CreditControlHarness.InMemory();
        await harness.OpenAsync("acme", Fixtures.Postpaid(1000m, hard: false), 0m);
        var handler = new CdrEventBatchHandler(harness.Ingestion, NullLogger<CdrEventBatchHandler>.Instance);
        EventData[] Batch() => [EventHubsModelFactory.EventData(new BinaryData(Encoding.UTF8.GetBytes(body)), sequenceNumber: 7, offsetString: "7")];

        var result = await handler.HandleAsync(Batch(), default);
        var again = await handler.HandleAsync(Batch(), default);

        Assert.Equal(0, result.Accepted);
        Assert.Equal(result.Received, result.Quarantined.Count);
        var kept = (await harness.Quarantine.ListAsync(null, 10_000, default)).OrderBy(q => q.Line).ThenBy(q => q.QuarantineId, StringComparer.Ordinal).ToList();
        Assert.All(kept, q => Assert.InRange(q.Raw.Length, 1, CdrValidation.MaxRawLength));
        // In the order of their ids (the listing's ties), the parts are in the order of the text.
        Assert.Equal(kept.Select(q => Part(q.Reason)), kept.OrderBy(q => q.Line).ThenBy(q => Part(q.Reason)).Select(q => Part(q.Reason)));
        var text = string.Concat(kept.Select(q => q.Raw));
        for (var i = 1; i <= Cdrs; i++)
        {
            Assert.True(text.Contains(string.Create(CultureInfo.InvariantCulture, $"wrap-{i:D4}"), StringComparison.Ordinal), $"{kind}: CDR wrap-{i:D4} is in no quarantined record");
        }

        Assert.Equal(kept.Count, (await harness.Quarantine.ListAsync(null, 10_000, default)).Count);
        Assert.Equal(0, again.Accepted);
    }

    /// <summary>The part of its record a quarantined piece is ("… (part 3 of 9)"), 1 for a whole record.</summary>
    private static int Part(string reason) =>
        System.Text.RegularExpressions.Regex.Match(reason, @"\(part (\d+) of \d+\)$") is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 1;
}
