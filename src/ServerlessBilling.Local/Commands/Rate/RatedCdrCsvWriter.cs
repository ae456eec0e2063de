using System.Buffers;
using System.Globalization;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Local.Commands.Rate;

/// <summary>
/// Writes the result CSV of <c>rate</c>, one line per CDR line. Each line is composed in a reused buffer
/// and handed to the writer as one span, so writing allocates nothing per line.
/// </summary>
public sealed class RatedCdrCsvWriter(TextWriter output)
{
    public const string Header = "cdr_id,prefix,destination,billed_seconds,charge,status,reason";

    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");

    private char[] _line = new char[512];
    private int _length;

    public void WriteHeader()
    {
        output.Write(Header);
        output.Write('\n');
    }

    public void WriteRated(string cdrId, RateDeckRow row, int billedSeconds, decimal charge)
    {
        ArgumentNullException.ThrowIfNull(row);
        _length = 0;
        AppendField(cdrId);
        AppendField(row.Prefix);
        AppendField(row.Destination);
        AppendInt(billedSeconds);
        AppendCharge(charge);
        AppendRaw("rated,\n");
        output.Write(_line, 0, _length);
    }

    public void WriteRejected(string? cdrId, string reason)
    {
        _length = 0;
        AppendField(cdrId);
        AppendRaw(",,,,rejected,");
        AppendField(reason, separator: '\n');
        output.Write(_line, 0, _length);
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
