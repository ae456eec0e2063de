using System.Globalization;
using System.Text;
using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBilling.AzureAdapters.EventHubs;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Testing;

namespace ServerlessBilling.AzureAdapters.Tests;

/// <summary>
/// Round thirty-two of the hostile review, on Event Hubs events that cannot be read as a whole: a JSON array of CDRs with
/// a syntax error anywhere in it, or CSV under a header that names a column twice. Such an event was quarantined as one
/// record holding its first 4,096 characters, and the trigger then checkpointed past it: every CDR beyond those
/// characters (an event of 500 CDRs is about 60 KB) was neither charged nor kept anywhere, where an HTTP caller is
/// answered 400 and still holds its batch.
/// </summary>
public sealed class HostileRoundThirtyTwoAdapterTests
{
    private const int Cdrs = 200;

    private static string Line(int i) =>
        string.Create(CultureInfo.InvariantCulture, $"big-{i:D4},acme,+442071234567,+447700900123,2026-11-26T10:00:00Z,{60 + i},ANSWERED,call-{i:D4}");

    private static string JsonCdr(int i) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"cdrId":"big-{{i:D4}}","accountId":"acme","callingNumber":"+442071234567","calledNumber":"+447700900123","startTime":"2026-11-26T10:00:00Z","durationSeconds":{{60 + i}},"disposition":"ANSWERED"}""");

    public static TheoryData<string, string> UnreadableEvents => new()
    {
        // Minified JSON: one line of about 36 KB whose last element is cut off.
        { "json on one line", "[" + string.Join(',', Enumerable.Range(1, Cdrs).Select(JsonCdr)) + ",{\"cdrId\":" },
        // Pretty-printed JSON with a syntax error near its end.
        { "json on lines", "[\n" + string.Join(",\n", Enumerable.Range(1, Cdrs).Select(JsonCdr)) + "\n,,]\n" },
        // CSV whose header names cdr_id twice: the header is refused, so is the whole event.
        { "csv, bad header", "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,CDR_ID\n" + string.Join('\n', Enumerable.Range(1, Cdrs).Select(Line)) + "\n" },
        // CSV with a byte-order mark and CRLF, under a header that lacks a required column.
        { "csv, missing column", "\uFEFFcdr_id,account_id,called_number,start_time,duration_seconds,disposition\r\n" + string.Join("\r\n", Enumerable.Range(1, Cdrs).Select(Line)) + "\r\n" },
    };

    /// <summary>The Event Hubs handler over in-memory stores holding one post-paid account, "acme".</summary>
    private static async Task<(CreditControlHarness Harness, CdrEventBatchHandler Handler)> PostpaidAcmeAsync()
    {
        var harness = CreditControlHarness.InMemory();
        await harness.OpenAsync("acme", Fixtures.Postpaid(1000m, hard: false), 0m);
        return (harness, new CdrEventBatchHandler(harness.Ingestion, NullLogger<CdrEventBatchHandler>.Instance));
    }

    /// <summary>The part of its line a quarantined piece is ("… (part 3 of 9 of line 1)"), 1 for a whole line.</summary>
    private static int Part(string reason) =>
        System.Text.RegularExpressions.Regex.Match(reason, @"\(part (\d+) of \d+ of line \d+\)$") is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 1;

    [Theory]
    [MemberData(nameof(UnreadableEvents))]
    public async Task An_event_that_cannot_be_read_is_quarantined_whole_with_every_cdr_of_it_kept(string kind, string body)
    {
        var (harness, handler) = await PostpaidAcmeAsync();
        EventData[] Batch() => [EventHubsModelFactory.EventData(new BinaryData(Encoding.UTF8.GetBytes(body)), sequenceNumber: 42, offsetString: "42")];

        var result = await handler.HandleAsync(Batch(), default);
        var again = await handler.HandleAsync(Batch(), default);

        // Nothing of it is charged; all of it is in the quarantine, in order, each piece within the quarantine's raw bound and
        // saying why; the event delivered again adds nothing.
        Assert.Equal(0, result.Accepted);
        Assert.Equal(result.Received, result.Quarantined.Count);
        var kept = (await harness.Quarantine.ListAsync(null, 10_000, default)).OrderBy(q => q.Line).ThenBy(q => Part(q.Reason)).ToList();
        Assert.Equal(result.Received, kept.Count);
        Assert.All(kept, q => Assert.StartsWith("event 42: ", q.Reason, StringComparison.Ordinal));
        Assert.All(kept, q => Assert.InRange(q.Raw.Length, 1, CdrValidation.MaxRawLength));
        static string Text(string s) => s.Replace("\uFEFF", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);
        var text = Text(string.Concat(kept.Select(q => q.Raw)));
        Assert.Equal(Text(body), text);
        for (var i = 1; i <= Cdrs; i++)
        {
            Assert.True(text.Contains(string.Create(CultureInfo.InvariantCulture, $"big-{i:D4}"), StringComparison.Ordinal), $"{kind}: CDR big-{i:D4} is in no quarantined record");
        }

        Assert.Equal(0, again.Accepted);
        Assert.Equal(kept.Count, (await harness.Quarantine.ListAsync(null, 10_000, default)).Count);
        Assert.Empty(await harness.Usage.ListAsync("acme", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default));
    }

    [Fact]
    public async Task A_byte_order_mark_inside_an_event_makes_no_second_cdr_of_a_call_sent_again_without_it()
    {
        // Mediation joins two headerless files into one event, the second written with a byte-order mark; later it sends the
        // second file again on its own. The mark opened the second file's first CDR id, "\uFEFFc-2", which is invisible and
        // was another id than "c-2": the call was charged twice.
        var (harness, handler) = await PostpaidAcmeAsync();
        const string first = "c-1,acme,+441,+447700900123,2026-11-26T10:00:00Z,60,ANSWERED,\n";
        const string second = "\uFEFFc-2,acme,+441,+447700900123,2026-11-26T10:05:00Z,120,ANSWERED,\n";
        EventData Event(string body, long sequence) => EventHubsModelFactory.EventData(new BinaryData(Encoding.UTF8.GetBytes(body)), sequenceNumber: sequence, offsetString: "0");

        var joined = await handler.HandleAsync([Event(first + second, 1)], default);
        var alone = await handler.HandleAsync([Event(second, 2)], default);

        Assert.Equal((2, 1, 0, 1), (joined.Received, joined.Accepted, joined.Duplicates, joined.Quarantined.Count));
        Assert.Contains("byte-order mark", joined.Quarantined[0].Reason, StringComparison.Ordinal);
        Assert.Equal((1, 1, 0, 0), (alone.Received, alone.Accepted, alone.Duplicates, alone.Quarantined.Count));
        var usage = await harness.Usage.ListAsync("acme", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default);
        Assert.Equal(["c-1", "c-2"], usage.Select(u => u.CdrId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_json_cdr_whose_field_name_escapes_a_lone_surrogate_is_quarantined_and_holds_back_no_batch()
    {
        // JSON may escape half a surrogate pair in a name as in a value: reading the name threw InvalidOperationException
        // out of the batch, which the CDR trigger retries without end, so the partition's CDRs behind it were never charged
        // (over HTTP: a 500).
        var (harness, handler) = await PostpaidAcmeAsync();
        EventData[] batch =
        [
            EventHubsModelFactory.EventData(new BinaryData("""[{"cdrId":"s-1","account\ud800Id":"acme","calledNumber":"+447700900123","startTime":"2026-11-26T10:00:00Z","durationSeconds":60,"disposition":"ANSWERED"},{"cdrId":"s-2","accountId":"acme","calledNumber":"+447700900123","startTime":"2026-11-26T10:00:00Z","durationSeconds":60,"disposition":"ANSWERED"}]"""u8.ToArray()), sequenceNumber: 5, offsetString: "5"),
            EventHubsModelFactory.EventData(new BinaryData("s-3,acme,+441,+447700900123,2026-11-26T10:00:00Z,60,ANSWERED,\n"u8.ToArray()), sequenceNumber: 6, offsetString: "6"),
        ];

        var result = await handler.HandleAsync(batch, default);

        Assert.Equal((3, 2, 0, 1), (result.Received, result.Accepted, result.Duplicates, result.Quarantined.Count));
        Assert.Equal(1, result.Quarantined[0].Line);
        Assert.Contains("unpaired surrogate", result.Quarantined[0].Reason, StringComparison.Ordinal);
        var usage = await harness.Usage.ListAsync("acme", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default);
        Assert.Equal(["s-2", "s-3"], usage.Select(u => u.CdrId).Order(StringComparer.Ordinal));
    }

    private static readonly string[] EventSeeds =
    [
        "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\nc-1,acme,+441,+447700900123,2026-11-26T10:00:00Z,60,ANSWERED,s-1\n",
        "c-1,acme,+441,+447700900123,2026-11-26T10:00:00Z,60,ANSWERED,s-1\nc-2,acme,+441,+447700900123,2026-11-26T10:00:00Z,60,ANSWERED\n",
        """[{"cdrId":"c-1","accountId":"acme","callingNumber":"+441","calledNumber":"+447700900123","startTime":"2026-11-26T10:00:00Z","durationSeconds":60,"disposition":"ANSWERED","sessionId":"s-1"}]""",
        """{"cdrId":"c-1","accountId":"acme","calledNumber":"+447700900123","startTime":"2026-11-26T10:00:00Z","durationSeconds":60,"disposition":"ANSWERED"}""",
    ];

    private static readonly byte[][] EventPieces =
    [
        [0xEF, 0xBB, 0xBF], [0xFF, 0xFE], [0xFE, 0xFF], [0x00], [0xFF], [0xC3], [(byte)'"'], [(byte)','], [(byte)'\r'], [(byte)'\n'],
        [(byte)'['], [(byte)'{'], [(byte)'}'], [(byte)']'], "\\u0000"u8.ToArray(), "\\ud800"u8.ToArray(), "1e999"u8.ToArray(), "-0"u8.ToArray(),
        "😀"u8.ToArray(), "cdr_id"u8.ToArray(), " "u8.ToArray(), "\t"u8.ToArray(), "99999999999999999999"u8.ToArray(), "null"u8.ToArray(),
    ];

    [Fact]
    public async Task Mutated_events_never_fail_a_batch_and_their_counts_reconcile()
    {
        var random = new Random(32);
        // Seeded mutations of good events (CSV with and without a header, JSON arrays and objects): a batch fails only on a
        // store fault, which the trigger retries without end, so an event that makes it throw would hold back its partition.
        var (_, handler) = await PostpaidAcmeAsync();
        var failures = new List<string>();
        for (var round = 0; round < 4000; round++)
        {
            var events = new List<EventData>();
            for (var e = 0; e < random.Next(1, 4); e++)
            {
                var bytes = Encoding.UTF8.GetBytes(EventSeeds[random.Next(EventSeeds.Length)]).ToList();
                for (var m = 0; m < random.Next(1, 6); m++)
                {
                    var at = random.Next(bytes.Count + 1);
                    switch (random.Next(3))
                    {
                        case 0: bytes.InsertRange(at, EventPieces[random.Next(EventPieces.Length)]); break;
                        case 1 when bytes.Count > 0: bytes.RemoveRange(Math.Min(at, bytes.Count - 1), Math.Min(random.Next(1, 5), bytes.Count - Math.Min(at, bytes.Count - 1))); break;
                        default: if (at < bytes.Count) bytes[at] = (byte)random.Next(256); break;
                    }
                }

                events.Add(EventHubsModelFactory.EventData(new BinaryData(bytes.ToArray()), sequenceNumber: round * 10 + e, offsetString: "0"));
            }

            try
            {
                var r = await handler.HandleAsync(events, default);
                if (r.Received != r.Accepted + r.Duplicates + r.Quarantined.Count)
                {
                    failures.Add($"counts {r}: {string.Join(" | ", events.Select(x => Convert.ToHexString(x.EventBody.ToArray())))}");
                }
            }
            catch (Exception ex)
            {
                failures.Add($"{ex.GetType().Name}: {ex.Message}: {string.Join(" | ", events.Select(x => Convert.ToHexString(x.EventBody.ToArray())))}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }
}
