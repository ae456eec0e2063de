using System.Text;

namespace ServerlessBilling.Core.Cdrs;

/// <summary>A batch of CDR records, or why the document as a whole cannot be read (no header, not JSON).</summary>
public sealed record CdrBatch(IReadOnlyList<CdrRecord> Records, string? DocumentError);

/// <summary>Reads a CDR batch in either format of API.md: a JSON array (or object), or CSV with its header.</summary>
public static class CdrBatchReader
{
    public static CdrBatch Read(ReadOnlySpan<byte> body)
    {
        if (CdrJsonReader.LooksLikeJson(body))
        {
            var records = CdrJsonReader.Read(body);
            return records is [{ Rejection: { Line: 1, Reason: var reason } }] && (reason.StartsWith("malformed JSON", StringComparison.Ordinal) || reason.StartsWith("expected a JSON array", StringComparison.Ordinal))
                ? new CdrBatch([], reason)
                : new CdrBatch(records, null);
        }

        using var reader = new StreamReader(new MemoryStream(body.ToArray()), new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true);
        var csv = CdrCsvReader.Read(reader).ToList();
        return csv is [{ Cdr: null, Rejection.Line: 1 } only] && only.Rejection!.Reason.StartsWith("the header", StringComparison.Ordinal)
            ? new CdrBatch([], only.Rejection.Reason)
            : new CdrBatch(csv, null);
    }
}
