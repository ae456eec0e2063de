namespace ServerlessBilling.Local.Commands.Rate;

/// <summary>
/// The lines of a CDR file as spans. A <see cref="StreamReader"/> or <see cref="StringReader"/> is read in blocks
/// of characters and cut at CR and LF, so no line becomes a string; any other reader (standard input, a reader
/// that only overrides <see cref="TextReader.ReadLine"/>) is read line by line. Both cut where ReadLine does:
/// at CR, LF or CRLF (a CRLF split by a block gives an extra empty line, which the caller skips as blank).
/// </summary>
internal sealed class CdrLineSource(TextReader reader, int blockSize = CdrLineSource.DefaultBlockSize)
{
    public const int DefaultBlockSize = 1 << 16;

    private readonly bool _blocks = reader.GetType() == typeof(StreamReader) || reader.GetType() == typeof(StringReader);
    private char[] _buffer = [];
    private int _start;
    private int _end;
    private int _scanned; // the buffer holds no CR or LF from _start up to here: a long line's start is not searched again
    private bool _ended;
    private string? _line;

    /// <summary>The next line (blank ones included), valid until the next call; false at the end of the input.</summary>
    public bool TryRead(out ReadOnlySpan<char> line)
    {
        if (!_blocks)
        {
            _line = reader.ReadLine();
            line = _line;
            return _line is not null;
        }

        while (true)
        {
            var from = Math.Max(_start, _scanned);
            var found = _buffer.AsSpan(from, _end - from).IndexOfAny('\r', '\n');
            if (found >= 0)
            {
                var at = from + found - _start;
                line = _buffer.AsSpan(_start, at);
                var skip = _buffer[_start + at] == '\r' && _start + at + 1 < _end && _buffer[_start + at + 1] == '\n' ? 2 : 1;
                _start += at + skip;
                return true;
            }

            _scanned = _end;
            if (_ended)
            {
                line = _buffer.AsSpan(_start, _end - _start);
                _start = _end;
                return !line.IsEmpty;
            }

            Fill();
        }
    }

    /// <summary>
    /// Keeps the unfinished line at the front of the buffer (doubling it for a line longer than a block, so that a line of
    /// many megabytes is copied a few times, not once a block), then reads a block after it.
    /// </summary>
    private void Fill()
    {
        var kept = _end - _start;
        if (_buffer.Length - kept < blockSize)
        {
            var buffer = new char[Math.Max(blockSize, kept) * 2];
            _buffer.AsSpan(_start, kept).CopyTo(buffer);
            _buffer = buffer;
        }
        else if (_start > 0)
        {
            _buffer.AsSpan(_start, kept).CopyTo(_buffer);
        }

        _scanned -= _start;
        _start = 0;
        _end = kept;
        var read = reader.Read(_buffer.AsSpan(_end));
        _end += read;
        _ended = read == 0;
    }
}
