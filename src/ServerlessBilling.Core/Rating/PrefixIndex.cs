namespace ServerlessBilling.Core.Rating;

/// <summary>
/// A deck's prefixes for longest-prefix lookups, allocating nothing. Each prefix lists its rows (effective ranges
/// differ), whose ranges sit in arrays of their own, so a row object is only read when it is the answer. Prefixes of
/// up to 18 digits (every real deck) are found in a small hash table keyed by the prefix's value: the candidates of a
/// number, one per length, are independent reads that the processor overlaps, where a trie's steps each wait for the
/// one before (a cache miss each on a busy machine). Longer prefixes use a digit trie in flat arrays.
/// </summary>
internal sealed class PrefixIndex
{
    /// <summary>Longest prefix the hash table takes: "1" and 18 digits still fit a long.</summary>
    private const int MaxHashedLength = 18;

    private const int Radix = 10;
    private const int FirstRow = Radix;      // node * Stride + FirstRow → first index into _rows
    private const int RowCount = Radix + 1;  // node * Stride + RowCount → how many rows carry exactly this prefix
    private const int Stride = Radix + 2;

    private readonly int[] _nodes;  // node * Stride + digit → child node, 0 = none (node 0 is the root)
    private readonly long[] _from;  // row → FromTicks
    private readonly long[] _to;    // row → ToTicks
    private readonly RateDeckRow[] _rows;
    private readonly Slot[]? _slots; // by hash of Key(prefix); null when a prefix is too long for it
    private readonly int _shift;
    private readonly int _minLength;
    private readonly int _maxLength;

    public PrefixIndex(IReadOnlyList<RateDeckRow> rows)
    {
        var ordered = rows.OrderBy(r => r.Prefix, StringComparer.Ordinal).ThenBy(r => r.FromTicks).ToArray();
        var nodeCount = 1;
        var nodeOfRow = new int[ordered.Length];
        var nodes = new int[(ordered.Sum(r => r.Prefix.Length) + 1) * Stride];
        for (var r = 0; r < ordered.Length; r++)
        {
            var node = 0;
            foreach (var c in ordered[r].Prefix)
            {
                var slot = (node * Stride) + (c - '0');
                if (nodes[slot] == 0)
                {
                    nodes[slot] = nodeCount++;
                }

                node = nodes[slot];
            }

            nodeOfRow[r] = node;
        }

        _nodes = nodes.AsSpan(0, nodeCount * Stride).ToArray();
        for (var r = 0; r < ordered.Length; r++)
        {
            var node = nodeOfRow[r] * Stride;
            if (_nodes[node + RowCount]++ == 0)
            {
                _nodes[node + FirstRow] = r; // rows of one prefix are adjacent after the ordering above
            }
        }

        _rows = ordered;
        _from = Array.ConvertAll(ordered, r => r.FromTicks);
        _to = Array.ConvertAll(ordered, r => r.ToTicks);
        if (ordered.Length > 0 && ordered.All(r => r.Prefix.Length <= MaxHashedLength))
        {
            _minLength = ordered.Min(r => r.Prefix.Length);
            _maxLength = ordered.Max(r => r.Prefix.Length);
            var bits = Math.Max(4, 1 + (int)Math.Ceiling(Math.Log2(ordered.Length + 1)));
            _shift = 64 - bits;
            _slots = new Slot[1 << bits];
            for (var r = 0; r < ordered.Length; r++)
            {
                var key = Key(ordered[r].Prefix);
                var slot = SlotOf(key);
                while (_slots[slot].Key != 0 && _slots[slot].Key != key)
                {
                    slot = (slot + 1) & (_slots.Length - 1);
                }

                if (_slots[slot].Count++ == 0)
                {
                    _slots[slot].Key = key;
                    _slots[slot].First = r; // rows of one prefix are adjacent after the ordering above
                }
            }
        }
    }

    /// <summary>The row of the longest prefix of <paramref name="digits"/> effective at <paramref name="utcTicks"/>, or null.</summary>
    public RateDeckRow? Find(ReadOnlySpan<char> digits, long utcTicks)
    {
        if (_slots is null)
        {
            return FindInTrie(digits, utcTicks);
        }

        var length = Math.Min(digits.Length, _maxLength);
        Span<long> keys = stackalloc long[MaxHashedLength + 1];
        var key = 1L;
        for (var i = 0; i < length; i++)
        {
            keys[i + 1] = key = (key * 10) + (digits[i] - '0');
        }

        for (; length >= _minLength; length--)
        {
            key = keys[length];
            for (var slot = SlotOf(key); _slots[slot].Key != 0; slot = (slot + 1) & (_slots.Length - 1))
            {
                if (_slots[slot].Key == key)
                {
                    if (Effective(_slots[slot].First, _slots[slot].Count, utcTicks) is var row and >= 0)
                    {
                        return _rows[row];
                    }

                    break;
                }
            }
        }

        return null;
    }

    /// <summary>A prefix as a number after a leading 1, so that "44" and "044" differ.</summary>
    private static long Key(ReadOnlySpan<char> prefix)
    {
        var key = 1L;
        foreach (var c in prefix)
        {
            key = (key * 10) + (c - '0');
        }

        return key;
    }

    private int SlotOf(long key) => (int)(unchecked((ulong)key * 0x9E3779B97F4A7C15UL) >> _shift);

    /// <summary>The first of <paramref name="count"/> rows from <paramref name="start"/> in effect at <paramref name="utcTicks"/>, or -1.</summary>
    private int Effective(int start, int count, long utcTicks)
    {
        for (var i = start; i < start + count; i++)
        {
            if (utcTicks >= _from[i] && utcTicks < _to[i])
            {
                return i;
            }
        }

        return -1;
    }

    private RateDeckRow? FindInTrie(ReadOnlySpan<char> digits, long utcTicks)
    {
        var nodes = _nodes;
        var best = -1;
        var node = 0;
        foreach (var c in digits)
        {
            node = nodes[(node * Stride) + (c - '0')];
            if (node == 0)
            {
                break;
            }

            var at = node * Stride;
            var count = nodes[at + RowCount];
            if (count == 0)
            {
                continue;
            }

            if (Effective(nodes[at + FirstRow], count, utcTicks) is var row and >= 0)
            {
                best = row;
            }
        }

        return best < 0 ? null : _rows[best];
    }

    private struct Slot
    {
        public long Key;   // 0 = empty
        public int First;  // first index into _rows
        public int Count;  // how many rows carry exactly this prefix
    }
}
