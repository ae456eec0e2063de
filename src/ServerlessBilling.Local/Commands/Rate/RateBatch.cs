using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.Csv;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Local.Commands.Rate;

/// <summary>
/// Up to <see cref="CdrFileRater.BatchSize"/> non-blank CDR lines, copied from the input, and their result lines.
/// Filled on the caller's thread, rated on any (each batch has its own parser and line buffer), then written and
/// reused by the caller, in input order.
/// </summary>
internal sealed class RateBatch(CsvHeader header)
{
    private readonly CdrLineParser _parser = new(header);
    private readonly RatedCdrCsvWriter _lines = new(capacity: 1 << 17);
    private readonly int[] _starts = new int[CdrFileRater.BatchSize];
    private readonly int[] _lengths = new int[CdrFileRater.BatchSize];
    private readonly decimal[] _charges = new decimal[CdrFileRater.BatchSize];
    private char[] _text = new char[1 << 17];
    private int _textLength;

    /// <summary>How many CDR lines the batch holds.</summary>
    public int Count { get; private set; }

    /// <summary>How many of them were rated, once <see cref="Rate"/> has run.</summary>
    public int Rated { get; private set; }

    /// <summary>The result lines, once <see cref="Rate"/> has run.</summary>
    public ReadOnlyMemory<char> Output => _lines.Lines;

    /// <summary>The charges of the rated lines, in order, once <see cref="Rate"/> has run.</summary>
    public ReadOnlySpan<decimal> Charges => _charges.AsSpan(0, Rated);

    /// <summary>Takes the next non-blank lines of <paramref name="source"/>; false when it has ended.</summary>
    public bool Fill(CdrLineSource source)
    {
        Count = 0;
        Rated = 0;
        _textLength = 0;
        _lines.Clear();
        while (Count < _starts.Length)
        {
            if (!source.TryRead(out var line))
            {
                return false;
            }

            if (line.IsWhiteSpace())
            {
                continue;
            }

            if (_textLength + line.Length > _text.Length)
            {
                Array.Resize(ref _text, Math.Max(_text.Length * 2, _textLength + line.Length));
            }

            line.CopyTo(_text.AsSpan(_textLength));
            _starts[Count] = _textLength;
            _lengths[Count++] = line.Length;
            _textLength += line.Length;
        }

        return true;
    }

    /// <summary>Rates every line into its result line: a rated line, or a rejected one with the reason.</summary>
    public void Rate(RateDeck deck)
    {
        for (var i = 0; i < Count; i++)
        {
            var line = _text.AsSpan(_starts[i], _lengths[i]);
            if (_parser.Parse(line, null, out var cdr) is { } reason)
            {
                _lines.WriteRejected(cdr.CdrId, reason);
                continue;
            }

            var outcome = deck.Rate(cdr.CalledNumber, cdr.StartTime, cdr.DurationSeconds, cdr.Disposition);
            if (outcome.IsRated)
            {
                _lines.WriteRated(cdr.CdrId, outcome.Row!, outcome.BilledSeconds, outcome.Charge);
                _charges[Rated++] = outcome.Charge;
            }
            else
            {
                _lines.WriteRejected(cdr.CdrId, outcome.Reason!);
            }
        }
    }
}
