using ServerlessBilling.Core.Csv;

namespace ServerlessBilling.Core.Cdrs;

/// <summary>
/// Streams the CDR CSV of API.md: one <see cref="CdrRecord"/> per non-blank line, so a file of any size
/// is read in constant memory and a bad line never stops the rest.
/// </summary>
public static class CdrCsvReader
{
    public static readonly IReadOnlyList<string> RequiredColumns =
        ["cdr_id", "account_id", "calling_number", "called_number", "start_time", "duration_seconds", "disposition"];

    public const int MaxLineLength = 8192;

    /// <summary>Reads the header, then yields a record a line. A bad header yields one rejection for line 1 and stops.</summary>
    public static IEnumerable<CdrRecord> Read(TextReader reader)
    {
        var headerLine = reader.ReadLine();
        var header = CsvHeader.TryCreate(headerLine, RequiredColumns, out var headerError);
        if (header is null)
        {
            yield return CdrRecord.Rejected(new CdrRejection(1, null, null, headerError!, CdrValidation.ClipRaw(headerLine ?? "")));
            yield break;
        }

        var columns = new Columns(header);
        var row = new CsvRow();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return ReadLine(line, lineNumber, columns, row);
        }
    }

    public static IEnumerable<CdrRecord> Read(string csv) => Read(new StringReader(csv));

    private static CdrRecord ReadLine(string line, int lineNumber, Columns c, CsvRow row)
    {
        if (line.Length > MaxLineLength)
        {
            return Reject(lineNumber, null, null, $"line is longer than {MaxLineLength} characters", line);
        }

        if (!row.Split(line))
        {
            return Reject(lineNumber, null, null, row.Error!, line);
        }

        if (row.Count != c.Count)
        {
            return Reject(lineNumber, First(row, c.CdrId), First(row, c.AccountId), $"expected {c.Count} columns, found {row.Count}", line);
        }

        var cdr = CdrValidation.TryBuild(
            row[c.CdrId], row[c.AccountId], row[c.Calling], row[c.Called], row[c.Start], row[c.Duration], row[c.Disposition],
            c.Session >= 0 ? row[c.Session] : [],
            out var reason);
        return cdr is null
            ? Reject(lineNumber, First(row, c.CdrId), First(row, c.AccountId), reason!, line)
            : CdrRecord.Accepted(lineNumber, cdr, line);
    }

    private static CdrRecord Reject(int line, string? cdrId, string? accountId, string reason, string raw) =>
        CdrRecord.Rejected(new CdrRejection(line, cdrId, accountId, reason, CdrValidation.ClipRaw(raw)));

    /// <summary>The id as far as it can be told from a bad line, for the quarantine record.</summary>
    private static string? First(CsvRow row, int column)
    {
        if (column >= row.Count)
        {
            return null;
        }

        var value = row[column].Trim();
        return Identifiers.IsValid(value) ? value.ToString() : null;
    }

    private sealed class Columns(CsvHeader header)
    {
        public int Count { get; } = header.Count;
        public int CdrId { get; } = header.IndexOf("cdr_id");
        public int AccountId { get; } = header.IndexOf("account_id");
        public int Calling { get; } = header.IndexOf("calling_number");
        public int Called { get; } = header.IndexOf("called_number");
        public int Start { get; } = header.IndexOf("start_time");
        public int Duration { get; } = header.IndexOf("duration_seconds");
        public int Disposition { get; } = header.IndexOf("disposition");
        public int Session { get; } = header.IndexOf("session_id");
    }
}
