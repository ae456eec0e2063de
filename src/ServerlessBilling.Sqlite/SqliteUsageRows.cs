using System.Buffers;
using System.Text.Json;
using ServerlessBilling.Core.Ingestion;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// The <c>doc</c> column of a usage row since schema 7: a JSON array of the record's values in a fixed order, without
/// the member names and without what the row's key columns hold (account, CDR id, and the start as UTC ticks), about a
/// third of the JSON object. A usage row is inserted among its account's rows (the key is account then CDR id), so a
/// page of an account fills up and SQLite rebalances it with its siblings (three or four pages written again) once
/// per page of rows: the smaller the rows, the fewer of those. A row written before (a JSON object, <c>{</c>) is read
/// as it was. Instants keep their offsets (minutes) and ticks, amounts their scale: the record reads back equal.
/// </summary>
/// <remarks>
/// The array: session id, called number, start offset (minutes), duration, disposition, prefix, destination, billed
/// seconds, charge, currency, period, settled by (0 CDR, 1 session), note, applied at (UTC ticks), its offset (minutes).
/// </remarks>
internal static class SqliteUsageRows
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = Core.Storage.StoredJson.Options.Encoder, SkipValidation = true };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static byte[] Write(UsageRecord record)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        writer.WriteStartArray();
        WriteText(writer, record.SessionId);
        writer.WriteStringValue(record.CalledNumber);
        writer.WriteNumberValue((int)record.StartTime.Offset.TotalMinutes);
        writer.WriteNumberValue(record.DurationSeconds);
        writer.WriteStringValue(record.Disposition);
        writer.WriteStringValue(record.Prefix);
        writer.WriteStringValue(record.Destination);
        writer.WriteNumberValue(record.BilledSeconds);
        writer.WriteNumberValue(record.Charge);
        writer.WriteStringValue(record.Currency);
        writer.WriteStringValue(record.Period);
        writer.WriteNumberValue(record.SettledBy switch { Settlement.Cdr => 0, Settlement.Session => 1, _ => throw new ArgumentOutOfRangeException(nameof(record), "an unknown settlement") });
        WriteText(writer, record.Note);
        writer.WriteNumberValue(record.AppliedAt.UtcTicks);
        writer.WriteNumberValue((int)record.AppliedAt.Offset.TotalMinutes);
        writer.WriteEndArray();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The record of a row: its key columns and its doc (the compact array, or a JSON object as schema 6 and before wrote it).</summary>
    public static UsageRecord Read(string accountId, string cdrId, long startTicks, byte[] doc)
    {
        if (doc.Length == 0 || doc[0] != (byte)'[')
        {
            return SqliteValues.FromJson<UsageRecord>(doc);
        }

        var reader = new Utf8JsonReader(doc);
        Next(ref reader, JsonTokenType.StartArray);
        var sessionId = Text(ref reader);
        var called = Text(ref reader)!;
        var startOffset = Int(ref reader);
        var duration = Int(ref reader);
        var disposition = Text(ref reader)!;
        var prefix = Text(ref reader)!;
        var destination = Text(ref reader)!;
        var billed = Int(ref reader);
        Next(ref reader, JsonTokenType.Number);
        var charge = reader.GetDecimal();
        var currency = Text(ref reader)!;
        var period = Text(ref reader)!;
        var settledBy = Int(ref reader) switch { 0 => Settlement.Cdr, 1 => Settlement.Session, _ => throw new InvalidDataException("a stored usage row has an unknown settlement") };
        var note = Text(ref reader);
        Next(ref reader, JsonTokenType.Number);
        var appliedTicks = reader.GetInt64();
        var appliedOffset = Int(ref reader);
        Next(ref reader, JsonTokenType.EndArray);
        return new UsageRecord(cdrId, accountId, sessionId, called, Instant(startTicks, startOffset), duration, disposition, prefix, destination, billed, charge,
            currency, period, settledBy, note, Instant(appliedTicks, appliedOffset));
    }

    private static DateTimeOffset Instant(long utcTicks, int offsetMinutes) =>
        new DateTimeOffset(utcTicks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(offsetMinutes));

    private static void WriteText(Utf8JsonWriter writer, string? text)
    {
        if (text is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }

    private static void Next(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        if (!reader.Read() || reader.TokenType != expected)
        {
            throw new InvalidDataException($"a stored usage row is not as written: {expected} expected");
        }
    }

    private static string? Text(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
        {
            throw new InvalidDataException("a stored usage row is not as written: a string expected");
        }

        return reader.GetString();
    }

    private static int Int(ref Utf8JsonReader reader)
    {
        Next(ref reader, JsonTokenType.Number);
        return reader.GetInt32();
    }
}
