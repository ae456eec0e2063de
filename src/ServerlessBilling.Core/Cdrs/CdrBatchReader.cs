using System.Text;

namespace ServerlessBilling.Core.Cdrs;

/// <summary>A batch of CDR records, or why the document as a whole cannot be read (no header, not JSON).</summary>
public sealed record CdrBatch(IReadOnlyList<CdrRecord> Records, string? DocumentError);

/// <summary>Reads a CDR batch in either format of API.md: a JSON array (or object), or CSV with its header.</summary>
public static class CdrBatchReader
{
    public static CdrBatch Read(ReadOnlySpan<byte> body) =>
        CdrJsonReader.LooksLikeJson(body) ? ReadJson(body) : ReadCsv(body.ToArray());

    /// <summary>As <see cref="Read(ReadOnlySpan{byte})"/>, reading a CSV body where it lies instead of from a copy.</summary>
    public static CdrBatch Read(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return CdrJsonReader.LooksLikeJson(body) ? ReadJson(body) : ReadCsv(body);
    }

    /// <summary>
    /// As <see cref="Read(byte[])"/> over the first <paramref name="length"/> bytes of <paramref name="body"/> (a pooled
    /// buffer), a CSV batch in UTF-8 read into <paramref name="records"/> (a reused list, which is then the batch's
    /// <see cref="CdrBatch.Records"/>); a JSON batch or another encoding gets lists of its own. The records of a CSV batch
    /// keep their lines as ranges of <paramref name="body"/>: it must not be reused while they are in use.
    /// </summary>
    public static CdrBatch Read(byte[] body, int length, List<CdrRecord> records)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, body.Length);
        var text = new ReadOnlySpan<byte>(body, 0, length);
        if (CdrJsonReader.LooksLikeJson(text))
        {
            return ReadJson(text);
        }

        return CdrCsvReader.ReadUtf8(body, length, records) ? ToBatch(records) : ReadCsv(new MemoryStream(body, 0, length, writable: false));
    }

    /// <summary>
    /// CSV in UTF-8 is read from the bytes, a line at a time into one buffer (the records keep their lines as ranges of
    /// <paramref name="body"/>); a body with a UTF-16 or UTF-32 byte-order mark goes through a <see cref="StreamReader"/>.
    /// </summary>
    private static CdrBatch ReadCsv(byte[] body) =>
        CdrCsvReader.ReadUtf8(body) is { } records ? ToBatch(records) : ReadCsv(new MemoryStream(body, writable: false));

    private static CdrBatch ReadJson(ReadOnlySpan<byte> body)
    {
        var records = CdrJsonReader.Read(body);
        return records is [{ Rejection: { Line: 1, Reason: var reason } }] && (reason.StartsWith("malformed JSON", StringComparison.Ordinal) || reason.StartsWith("expected a JSON array", StringComparison.Ordinal))
            ? new CdrBatch([], reason)
            : new CdrBatch(records, null);
    }

    private static CdrBatch ReadCsv(MemoryStream body)
    {
        using var reader = new StreamReader(body, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true);
        return ToBatch(CdrCsvReader.Read(reader).ToList());
    }

    private static CdrBatch ToBatch(List<CdrRecord> csv)
    {
        return csv is [{ Cdr: null, Rejection.Line: 1 } only] && only.Rejection!.Reason.StartsWith("the header", StringComparison.Ordinal)
            ? new CdrBatch([], only.Rejection.Reason)
            : new CdrBatch(csv, null);
    }
}
