using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ServerlessBilling.Core.Csv;

namespace ServerlessBilling.Core.Cdrs;

/// <summary>
/// Reads one line of a CDR CSV file into validated <see cref="CdrFields"/>: the rules of
/// <see cref="CdrCsvReader"/>, shared by it and the <c>rate</c> command. A line without quotes is split in place
/// (nothing allocated); a line with quotes goes through <see cref="CsvRow"/>. Not thread-safe: one per thread,
/// and the fields of a line are valid until the next line is read.
/// </summary>
public sealed class CdrLineParser
{
    private static readonly string TooLong = $"line is longer than {CdrCsvReader.MaxLineLength} characters";

    private readonly CsvRow _row = new();
    private readonly int _count;
    private readonly int _cdrId;
    private readonly int _accountId;
    private readonly int _calling;
    private readonly int _called;
    private readonly int _start;
    private readonly int _duration;
    private readonly int _disposition;
    private readonly int _session;
    private readonly string _wrongCount;
    private readonly int[] _starts;
    private readonly int[] _ends;

    /// <summary>The strings of the lines read that repeat (account ids), for <see cref="CdrFields.ToCdr(CdrStrings)"/>.</summary>
    public CdrStrings Strings { get; } = new();

    public CdrLineParser(CsvHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        _count = header.Count;
        _cdrId = header.IndexOf("cdr_id");
        _accountId = header.IndexOf("account_id");
        _calling = header.IndexOf("calling_number");
        _called = header.IndexOf("called_number");
        _start = header.IndexOf("start_time");
        _duration = header.IndexOf("duration_seconds");
        _disposition = header.IndexOf("disposition");
        _session = header.IndexOf("session_id");
        _wrongCount = $"expected {_count} columns, found ";
        _starts = new int[_count + 1];
        _ends = new int[_count + 1];
    }

    /// <summary>
    /// Why <paramref name="line"/> (not blank) is not a CDR, or null with <paramref name="fields"/> set. On a
    /// rejection, <paramref name="fields"/> holds the ids as far as they can be told. <paramref name="text"/> is the
    /// line as a string when the caller has one (a quoted line then costs no copy).
    /// </summary>
    public string? Parse(ReadOnlySpan<char> line, string? text, out CdrFields fields)
    {
        fields = default;
        if (line.Length > CdrCsvReader.MaxLineLength)
        {
            return TooLong;
        }

        var count = Split(line);
        return count < 0 ? ParseQuoted(text ?? line.ToString(), out fields) : ParsePlain(line, count, out fields);
    }

    /// <summary>
    /// Notes where each field of a line without quotes starts and ends (commas found 16 characters at a time);
    /// returns how many fields it has, or -1 when it has a quote (then <see cref="CsvRow"/> reads it).
    /// </summary>
    private int Split(ReadOnlySpan<char> line)
    {
        var count = 0;
        var start = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var chars = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(line));
            var commas = Vector256.Create((ushort)',');
            var quotes = Vector256.Create((ushort)'"');
            for (; i <= line.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var block = Vector256.LoadUnsafe(ref chars, (nuint)i);
                if (Vector256.EqualsAny(block, quotes))
                {
                    return -1;
                }

                for (var mask = Vector256.Equals(block, commas).ExtractMostSignificantBits(); mask != 0; mask &= mask - 1)
                {
                    var comma = i + BitOperations.TrailingZeroCount(mask);
                    Note(ref count, start, comma);
                    start = comma + 1;
                }
            }
        }

        for (; i < line.Length; i++)
        {
            if (line[i] == '"')
            {
                return -1;
            }

            if (line[i] == ',')
            {
                Note(ref count, start, i);
                start = i + 1;
            }
        }

        Note(ref count, start, line.Length);
        return count;
    }

    private void Note(ref int count, int start, int end)
    {
        if (count < _starts.Length)
        {
            _starts[count] = start;
            _ends[count] = end;
        }

        count++;
    }

    private ReadOnlySpan<char> Field(ReadOnlySpan<char> line, int index) => line[_starts[index].._ends[index]];

    private string? ParsePlain(ReadOnlySpan<char> line, int count, out CdrFields fields)
    {
        if (count != _count)
        {
            fields = Ids(line, count);
            return string.Concat(_wrongCount, count.ToString(CultureInfo.InvariantCulture));
        }

        var reason = CdrValidation.Validate(
            Field(line, _cdrId), Field(line, _accountId), Field(line, _calling), Field(line, _called), Field(line, _start),
            Field(line, _duration), Field(line, _disposition), _session >= 0 ? Field(line, _session) : [],
            out fields);
        if (reason is not null)
        {
            fields = Ids(line, count);
        }

        return reason;
    }

    private string? ParseQuoted(string line, out CdrFields fields)
    {
        fields = default;
        var row = _row;
        if (!row.Split(line))
        {
            return row.Error;
        }

        // A CDR's fields are ids, numbers and times: a quote in one that is not quoted is not a value but a broken line
        // (the rest of a record cut by a line break inside quotes), which must not be charged as a CDR of its own; told
        // before the count of fields, which such a line rarely has right.
        if (row.FirstStrayQuote() is >= 0 and var stray)
        {
            fields = new CdrFields { CdrId = Id(row, _cdrId), AccountId = Id(row, _accountId) };
            return string.Create(CultureInfo.InvariantCulture, $"a quote in unquoted field {stray + 1}: a field holding a quote must be quoted, its quotes doubled (is a record broken across lines?)");
        }

        if (row.Count != _count)
        {
            fields = new CdrFields { CdrId = Id(row, _cdrId), AccountId = Id(row, _accountId) };
            return string.Concat(_wrongCount, row.Count.ToString(CultureInfo.InvariantCulture));
        }

        var reason = CdrValidation.Validate(
            row[_cdrId], row[_accountId], row[_calling], row[_called], row[_start], row[_duration], row[_disposition],
            _session >= 0 ? row[_session] : [],
            out fields);
        if (reason is not null)
        {
            fields = new CdrFields { CdrId = Id(row, _cdrId), AccountId = Id(row, _accountId) };
        }

        return reason;
    }

    private CdrFields Ids(ReadOnlySpan<char> line, int count) => new()
    {
        CdrId = _cdrId < count ? Id(Field(line, _cdrId)) : [],
        AccountId = _accountId < count ? Id(Field(line, _accountId)) : [],
    };

    private static ReadOnlySpan<char> Id(CsvRow row, int column) => column < row.Count ? Id(row[column]) : [];

    /// <summary>The id as far as it can be told from a bad line, for the quarantine record; empty when it cannot.</summary>
    private static ReadOnlySpan<char> Id(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        return Identifiers.IsValid(value) ? value : [];
    }
}
