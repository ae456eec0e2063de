using System.Buffers;
using System.Globalization;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Local.Commands.Rate;

/// <summary>
/// Writes the result CSV of <c>rate</c>, one line per CDR line. Each line is composed in a reused buffer
/// and handed to the writer as one span, so writing allocates nothing per line. Without a writer the lines
/// gather in the buffer (<see cref="Lines"/>) until <see cref="Clear"/>: a batch's result, composed on a
/// worker thread and written in order by the caller.
/// </summary>
public sealed class RatedCdrCsvWriter
{
    public const string Header = "cdr_id,prefix,destination,billed_seconds,charge,status,reason";

    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");

    private readonly TextWriter? _output;
    private char[] _line;
    private int _length;

    public RatedCdrCsvWriter(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _line = new char[512];
    }

    /// <summary>Gathers the lines in its buffer instead of writing them.</summary>
    internal RatedCdrCsvWriter(int capacity) => _line = new char[capacity];

    /// <summary>The lines gathered since the last <see cref="Clear"/> (without a writer).</summary>
    internal ReadOnlyMemory<char> Lines => _line.AsMemory(0, _length);

    internal void Clear() => _length = 0;

    public void WriteHeader()
    {
        (_output ?? throw new InvalidOperationException("no writer")).Write(Header);
        _output.Write('\n');
    }

    public void WriteRated(string cdrId, RateDeckRow row, int billedSeconds, decimal charge) =>
        WriteRated(cdrId.AsSpan(), row, billedSeconds, charge);

    public void WriteRated(ReadOnlySpan<char> cdrId, RateDeckRow row, int billedSeconds, decimal charge)
    {
        ArgumentNullException.ThrowIfNull(row);
        AppendField(cdrId);
        AppendField(row.Prefix);
        AppendField(row.Destination);
        AppendInt(billedSeconds);
        AppendCharge(charge);
        AppendRaw("rated,\n");
        WriteLine();
    }

    public void WriteRejected(string? cdrId, string reason) => WriteRejected(cdrId.AsSpan(), reason);

    /// <summary>A rejected line; <paramref name="cdrId"/> is empty when the line has no readable id.</summary>
    public void WriteRejected(ReadOnlySpan<char> cdrId, string reason)
    {
        AppendField(cdrId);
        AppendRaw(",,,,rejected,");
        AppendField(reason, separator: '\n');
        WriteLine();
    }

    private void WriteLine()
    {
        if (_output is not null)
        {
            var length = _length;
            _length = 0;
            _output.Write(_line, 0, length);
        }
    }

    private void AppendField(ReadOnlySpan<char> value, char separator = ',')
    {
        if (value.IndexOfAny(NeedsQuotes) < 0)
        {
            Reserve(value.Length + 1);
            value.CopyTo(_line.AsSpan(_length));
            _length += value.Length;
        }
        else
        {
            Reserve((value.Length * 2) + 3);
            _line[_length++] = '"';
            foreach (var c in value)
            {
                if (c == '"')
                {
                    _line[_length++] = '"';
                }

                _line[_length++] = c;
            }

            _line[_length++] = '"';
        }

        _line[_length++] = separator;
    }

    private void AppendInt(int value)
    {
        Reserve(12);
        if (!value.TryFormat(_line.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("the line buffer is too small for an int"); // Reserve makes room
        }

        _length += written;
        _line[_length++] = ',';
    }

    private void AppendCharge(decimal value)
    {
        Reserve(ChargeText.MaxLength + 1);
        if (!ChargeText.TryFormat(value, _line.AsSpan(_length), out var written))
        {
            throw new InvalidOperationException("the line buffer is too small for a decimal"); // Reserve makes room
        }

        _length += written;
        _line[_length++] = ',';
    }

    private void AppendRaw(ReadOnlySpan<char> text)
    {
        Reserve(text.Length);
        text.CopyTo(_line.AsSpan(_length));
        _length += text.Length;
    }

    private void Reserve(int count)
    {
        if (_length + count > _line.Length)
        {
            Array.Resize(ref _line, Math.Max(_line.Length * 2, _length + count));
        }
    }
}
