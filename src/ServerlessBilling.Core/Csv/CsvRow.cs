namespace ServerlessBilling.Core.Csv;

/// <summary>
/// One CSV line split into fields (RFC 4180 quoting on a single line). Reused from line to line so that
/// splitting allocates nothing unless a field holds an escaped quote.
/// </summary>
public sealed class CsvRow
{
    private Range[] _fields = new Range[16];
    private string?[] _unescaped = new string?[16];
    private string _line = "";

    public int Count { get; private set; }

    /// <summary>Why the last line could not be split, or null when it could.</summary>
    public string? Error { get; private set; }

    public ReadOnlySpan<char> this[int index] =>
        _unescaped[index] is { } text ? text.AsSpan() : _line.AsSpan(_fields[index]);

    public string GetString(int index) => _unescaped[index] ?? _line[_fields[index]];

    /// <summary>
    /// The index of the first field that was not quoted yet holds a quote (text to this reader, against the rule that a
    /// field with a quote is quoted), or -1. Such a field is often the second half of a record broken across lines.
    /// </summary>
    public int FirstStrayQuote()
    {
        for (var i = 0; i < Count; i++)
        {
            var start = _fields[i].Start.Value;
            var quoted = start > 0 && _line[start - 1] == '"';
            if (!quoted && _line.AsSpan(_fields[i]).Contains('"'))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Splits <paramref name="line"/>; returns false (and sets <see cref="Error"/>) on broken quoting.</summary>
    public bool Split(string line)
    {
        _line = line;
        Count = 0;
        Error = null;
        var i = 0;
        while (true)
        {
            EnsureCapacity();
            _unescaped[Count] = null;
            if (i < line.Length && line[i] == '"')
            {
                if (!SplitQuoted(line, ref i))
                {
                    return false;
                }
            }
            else
            {
                var comma = line.IndexOf(',', i);
                var end = comma < 0 ? line.Length : comma;
                _fields[Count++] = new Range(i, end);
                i = end;
            }

            if (i >= line.Length)
            {
                return true;
            }

            i++; // past the comma
            if (i == line.Length)
            {
                EnsureCapacity();
                _unescaped[Count] = null;
                _fields[Count++] = new Range(i, i);
                return true;
            }
        }
    }

    private bool SplitQuoted(string line, ref int i)
    {
        var start = i + 1;
        var j = start;
        var escaped = false;
        while (true)
        {
            var quote = line.IndexOf('"', j);
            if (quote < 0)
            {
                Error = $"unterminated quoted field starting at column {start}";
                return false;
            }

            if (quote + 1 < line.Length && line[quote + 1] == '"')
            {
                escaped = true;
                j = quote + 2;
                continue;
            }

            if (quote + 1 < line.Length && line[quote + 1] != ',')
            {
                Error = $"unexpected character after closing quote at column {quote + 2}";
                return false;
            }

            _fields[Count] = new Range(start, quote);
            if (escaped)
            {
                _unescaped[Count] = line[start..quote].Replace("\"\"", "\"", StringComparison.Ordinal);
            }

            Count++;
            i = quote + 1;
            return true;
        }
    }

    private void EnsureCapacity()
    {
        if (Count == _fields.Length)
        {
            Array.Resize(ref _fields, _fields.Length * 2);
            Array.Resize(ref _unescaped, _unescaped.Length * 2);
        }
    }
}
