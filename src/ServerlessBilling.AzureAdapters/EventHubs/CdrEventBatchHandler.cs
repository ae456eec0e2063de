using System.Globalization;
using System.Text;
using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Logging;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.Csv;
using ServerlessBilling.Core.Ingestion;

namespace ServerlessBilling.AzureAdapters.EventHubs;

/// <summary>
/// Maps an Event Hubs batch to one ingestion call. Each event holds one JSON CDR, a JSON array of them, or CSV
/// lines (with the API.md header, or in its column order without one, session_id there or not). An event that cannot
/// be read at all (malformed JSON, a CSV header refused) is quarantined whole, all of its text line by line, and the
/// batch still succeeds; store faults propagate so the host retries the batch, which is safe because ingestion is
/// idempotent.
/// </summary>
public sealed partial class CdrEventBatchHandler(IngestionService ingestion, ILogger<CdrEventBatchHandler> logger)
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static readonly byte[] DefaultHeader = Encoding.UTF8.GetBytes(string.Join(',', CdrCsvReader.RequiredColumns) + ",session_id\n");

    /// <summary>The header of lines without the optional <c>session_id</c> column (a mediation that uses no credit control).</summary>
    private static readonly byte[] RequiredHeader = Encoding.UTF8.GetBytes(string.Join(',', CdrCsvReader.RequiredColumns) + "\n");

    public async Task<IngestResult> HandleAsync(IReadOnlyList<EventData> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var records = new List<CdrRecord>();
        foreach (var e in events)
        {
            records.AddRange(Read(e));
        }

        var source = events.Count == 0
            ? "eventhubs"
            : string.Create(CultureInfo.InvariantCulture, $"eventhubs:seq {events[0].SequenceNumber}-{events[^1].SequenceNumber}");
        var result = await ingestion.IngestAsync(records, source, cancellationToken);
        LogBatch(logger, events.Count, result.Received, result.Accepted, result.Duplicates, result.Quarantined.Count, source);
        QuarantineLog.Write(logger, source, result);
        return result;
    }

    /// <summary>The records of one event; a line's reason names the event's sequence number so it can be found.</summary>
    public static IEnumerable<CdrRecord> Read(EventData e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var body = e.EventBody.ToMemory();
        var headerless = !CdrJsonReader.LooksLikeJson(body.Span) && !StartsWithHeader(body.Span);

        // Without a header the default one goes first: a byte-order mark of the event would then open the first CDR's
        // id, and each line would be numbered one past its place in the event. It has the columns of the first line: the
        // seven required ones, or with session_id.
        var lines = body.Span.StartsWith(Utf8Bom) ? body.Span[Utf8Bom.Length..] : body.Span;
        var batch = headerless
            ? CdrBatchReader.Read([.. HeaderFor(lines), .. lines])
            : CdrBatchReader.Read(body.Span);
        var shift = headerless ? 1 : 0;
        if (batch.DocumentError is { } error)
        {
            // No caller to answer 400 and the event is not read again: all of it goes to the quarantine, line by line.
            return CdrValidation.RejectWhole(Encoding.UTF8.GetString(body.Span), $"event {e.SequenceNumber}: {error}").Select(CdrRecord.Rejected);
        }

        return batch.Records.Select(r => r.Rejection is { } rejection
            ? CdrRecord.Rejected(rejection with { Line = rejection.Line - shift, Reason = $"event {e.SequenceNumber}: {rejection.Reason}" })
            : r with { Line = r.Line - shift });
    }

    /// <summary>The header for headerless lines: the required columns alone when the first line has that many fields, else with session_id.</summary>
    private static byte[] HeaderFor(ReadOnlySpan<byte> lines)
    {
        var first = FirstLine(lines);
        var row = new CsvRow();
        return row.Split(Encoding.UTF8.GetString(first)) && row.Count == CdrCsvReader.RequiredColumns.Count ? RequiredHeader : DefaultHeader;
    }

    /// <summary>The first line that is not blank (a byte-order mark before it passed over).</summary>
    private static ReadOnlySpan<byte> FirstLine(ReadOnlySpan<byte> body)
    {
        var trimmed = body.TrimStart("\uFEFF"u8).TrimStart(" \t\r\n"u8);
        var end = trimmed.IndexOfAny((byte)'\n', (byte)'\r');
        return end < 0 ? trimmed : trimmed[..end];
    }

    /// <summary>
    /// Whether the first line is a header: one of its fields is the column name <c>cdr_id</c>, matched as the CSV reader
    /// matches names (any case, with or without its underscore, spaces around it, quoted or not). Not any line that holds
    /// the text: a CDR id may.
    /// </summary>
    private static bool StartsWithHeader(ReadOnlySpan<byte> body)
    {
        var first = FirstLine(body);
        foreach (var field in first.Split((byte)','))
        {
            var name = first[field].Trim(" \t"u8).Trim("\""u8).Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "cdr_id"u8) || Ascii.EqualsIgnoreCase(name, "cdrid"u8))
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "CDR batch from {Source}: {Events} event(s), {Received} record(s): {Accepted} accepted, {Duplicates} duplicate(s), {Quarantined} quarantined")]
    private static partial void LogBatch(ILogger logger, int events, int received, int accepted, int duplicates, int quarantined, string source);
}
