using System.Runtime.CompilerServices;
using System.Text;
using ServerlessBilling.Core.Csv;

namespace ServerlessBilling.Core.Cdrs;

/// <summary>
/// Streams the CDR CSV of API.md: one <see cref="CdrRecord"/> per non-blank line, so a file of any size
/// is read in constant memory and a bad line never stops the rest. Lines end at LF, CR or CRLF (as
/// <see cref="TextReader.ReadLine"/> reads them), whichever of the three entry points reads them.
/// </summary>
public static class CdrCsvReader
{
    public static readonly IReadOnlyList<string> RequiredColumns =
        ["cdr_id", "account_id", "calling_number", "called_number", "start_time", "duration_seconds", "disposition"];

    public const int MaxLineLength = 8192;

    /// <summary>Reads the header, then yields a record a line. A bad header yields one rejection for line 1 and stops.</summary>
    public static IEnumerable<CdrRecord> Read(TextReader reader)
    {
        if (Start(reader.ReadLine(), out var headerRejection) is not { } parser)
        {
            yield return headerRejection;
            yield break;
        }

        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var reason = parser.Parse(line, line, out var fields);
            yield return reason is null
                ? CdrRecord.Accepted(lineNumber, fields.ToCdr(parser.Strings), line)
                : Rejected(lineNumber, reason, fields, line);
        }
    }

    /// <summary>
    /// As <see cref="Read(TextReader)"/> over the text: the lines are read where they lie, and an accepted record keeps its
    /// line as a range of <paramref name="csv"/> (no string per line).
    /// </summary>
    public static IEnumerable<CdrRecord> Read(string csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var at = 0;
        var headerLine = NextLine(csv, ref at, out var headerStart, out var headerLength) ? csv.Substring(headerStart, headerLength) : null;
        if (Start(headerLine, out var headerRejection) is not { } parser)
        {
            yield return headerRejection;
            yield break;
        }

        var lineNumber = 1;
        while (NextLine(csv, ref at, out var start, out var length))
        {
            lineNumber++;
            if (csv.AsSpan(start, length).IsWhiteSpace())
            {
                continue;
            }

            yield return ReadLine(csv, start, length, lineNumber, parser);
        }
    }

    /// <summary>
    /// Reads CSV in UTF-8 (a byte-order mark is skipped; invalid bytes read as U+FFFD) as <see cref="StreamReader"/> would
    /// decode it for <see cref="Read(TextReader)"/>, the same records, without a string per line: each line is decoded into
    /// one reused buffer, and an accepted record keeps its line as a range of <paramref name="utf8"/>, which must not change
    /// while the records are in use. Null when the body starts with a UTF-16 or UTF-32 byte-order mark (read it with a
    /// <see cref="StreamReader"/>).
    /// </summary>
    public static List<CdrRecord>? ReadUtf8(byte[] utf8)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        var records = new List<CdrRecord>();
        return ReadUtf8(utf8, utf8.Length, records) ? records : null;
    }

    /// <summary>
    /// As <see cref="ReadUtf8(byte[])"/> over the first <paramref name="length"/> bytes of <paramref name="utf8"/> (a pooled
    /// buffer may be longer than its body), adding the records to <paramref name="records"/> (a reused list: no list per
    /// batch). False, and nothing added, when the body starts with a UTF-16 or UTF-32 byte-order mark.
    /// </summary>
    public static bool ReadUtf8(byte[] utf8, int length, List<CdrRecord> records)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, utf8.Length);
        var text = new ReadOnlySpan<byte>(utf8, 0, length);
        if (text is [0xFE, 0xFF, ..] or [0xFF, 0xFE, ..] or [0x00, 0x00, 0xFE, 0xFF, ..])
        {
            return false;
        }

        var at = text is [0xEF, 0xBB, 0xBF, ..] ? 3 : 0;
        var headerLine = NextLine(text, ref at, out var headerStart, out var headerLength) ? Encoding.UTF8.GetString(utf8, headerStart, headerLength) : null;
        if (Start(headerLine, out var headerRejection) is not { } parser)
        {
            records.Add(headerRejection);
            return true;
        }

        records.EnsureCapacity(records.Count + text[at..].Count((byte)'\n') + 1); // about the lines left: the list is sized once
        Span<char> stack = stackalloc char[256];
        char[]? rented = null;
        var buffer = stack;
        var lineNumber = 1;
        try
        {
            while (NextLine(text, ref at, out var start, out var lineLength))
            {
                lineNumber++;
                var bytes = text.Slice(start, lineLength);
                if (buffer.Length < bytes.Length)
                {
                    if (rented is not null)
                    {
                        System.Buffers.ArrayPool<char>.Shared.Return(rented);
                    }

                    buffer = rented = System.Buffers.ArrayPool<char>.Shared.Rent(Math.Max(bytes.Length, buffer.Length * 2));
                }

                var line = buffer[..Encoding.UTF8.GetChars(bytes, buffer)]; // UTF-8 never has more chars than bytes
                if (line.IsWhiteSpace())
                {
                    continue;
                }

                var reason = parser.Parse(line, null, out var fields);
                records.Add(reason is null
                    ? CdrRecord.Accepted(lineNumber, fields.ToCdr(parser.Strings), utf8, start, lineLength)
                    : Rejected(lineNumber, reason, fields, line.ToString()));
            }
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<char>.Shared.Return(rented);
            }
        }

        return true;
    }

    private static CdrRecord ReadLine(string csv, int start, int length, int lineNumber, CdrLineParser parser)
    {
        var reason = parser.Parse(csv.AsSpan(start, length), null, out var fields);
        return reason is null
            ? CdrRecord.Accepted(lineNumber, fields.ToCdr(parser.Strings), csv, start, length)
            : Rejected(lineNumber, reason, fields, csv.Substring(start, length));
    }

    /// <summary>The parser of the lines under <paramref name="headerLine"/>, or null and the rejection of line 1 when the header is bad.</summary>
    private static CdrLineParser? Start(string? headerLine, out CdrRecord rejection)
    {
        rejection = default;
        if (CsvHeader.TryCreate(headerLine, RequiredColumns, out var error, refuseDuplicates: true) is { } header)
        {
            return new CdrLineParser(header);
        }

        rejection = CdrRecord.Rejected(new CdrRejection(1, null, null, error!, CdrValidation.ClipRaw(headerLine ?? "")));
        return null;
    }

    private static CdrRecord Rejected(int lineNumber, string reason, CdrFields fields, string line) =>
        CdrRecord.Rejected(new CdrRejection(lineNumber, OrNull(fields.CdrId), OrNull(fields.AccountId), reason, line)); // whole: kept in parts when longer than the quarantine's bound

    private static string? OrNull(ReadOnlySpan<char> id) => id.IsEmpty ? null : id.ToString();

    /// <summary>
    /// The next line from <paramref name="at"/> as <see cref="TextReader.ReadLine"/> finds it: up to a CR, an LF or a CRLF,
    /// which is passed; false at the end of the text.
    /// </summary>
    private static bool NextLine<T>(ReadOnlySpan<T> text, ref int at, out int start, out int length)
        where T : unmanaged, IEquatable<T>
    {
        (start, length) = (at, 0);
        if (at >= text.Length)
        {
            return false;
        }

        var (cr, lf) = (Char<T>('\r'), Char<T>('\n'));
        var end = text[at..].IndexOfAny(cr, lf);
        if (end < 0)
        {
            (length, at) = (text.Length - at, text.Length);
            return true;
        }

        length = end;
        at += end + 1;
        if (text[at - 1].Equals(cr) && at < text.Length && text[at].Equals(lf))
        {
            at++;
        }

        return true;
    }

    private static bool NextLine(string text, ref int at, out int start, out int length) => NextLine(text.AsSpan(), ref at, out start, out length);

    private static T Char<T>(char c)
        where T : unmanaged =>
        typeof(T) == typeof(byte) ? Unsafe.BitCast<byte, T>((byte)c) : Unsafe.BitCast<char, T>(c);
}
