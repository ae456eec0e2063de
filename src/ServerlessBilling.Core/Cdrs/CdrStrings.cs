namespace ServerlessBilling.Core.Cdrs;

/// <summary>
/// The strings of one batch's fields that repeat from line to line (account ids): each made once, then found by the
/// field's span instead of a string per line. One per reader (not thread-safe), bounded so that a batch of all
/// different values costs at most a table of <see cref="MaxEntries"/>.
/// </summary>
public sealed class CdrStrings
{
    public const int MaxEntries = 4096;

    private readonly Dictionary<string, string> _strings;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public CdrStrings()
    {
        _strings = new Dictionary<string, string>(StringComparer.Ordinal);
        _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The string of <paramref name="value"/>: the one made for an equal span before, or a new one.</summary>
    public string Get(ReadOnlySpan<char> value)
    {
        if (_lookup.TryGetValue(value, out var known))
        {
            return known;
        }

        var made = value.ToString();
        if (_strings.Count < MaxEntries)
        {
            _strings.Add(made, made);
        }

        return made;
    }
}
