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
        var header = CsvHeader.TryCreate(headerLine, RequiredColumns, out var headerError, refuseDuplicates: true);
        if (header is null)
        {
            yield return CdrRecord.Rejected(new CdrRejection(1, null, null, headerError!, CdrValidation.ClipRaw(headerLine ?? "")));
            yield break;
        }

        var parser = new CdrLineParser(header);
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return ReadLine(line, lineNumber, parser);
        }
    }

    public static IEnumerable<CdrRecord> Read(string csv) => Read(new StringReader(csv));

    private static CdrRecord ReadLine(string line, int lineNumber, CdrLineParser parser)
    {
        var reason = parser.Parse(line, line, out var fields);
        return reason is null
            ? CdrRecord.Accepted(lineNumber, fields.ToCdr(), line)
            : CdrRecord.Rejected(new CdrRejection(lineNumber, OrNull(fields.CdrId), OrNull(fields.AccountId), reason, CdrValidation.ClipRaw(line)));
    }

    private static string? OrNull(ReadOnlySpan<char> id) => id.IsEmpty ? null : id.ToString();
}
