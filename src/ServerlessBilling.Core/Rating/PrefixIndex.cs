namespace ServerlessBilling.Core.Rating;

/// <summary>
/// A digit trie over a deck's prefixes, in flat arrays: a lookup walks at most one node per digit and
/// allocates nothing. Each node lists the rows of its prefix (effective ranges differ).
/// </summary>
internal sealed class PrefixIndex
{
    private const int Radix = 10;

    private readonly int[] _children;   // node * 10 + digit → child node, 0 = none (node 0 is the root)
    private readonly int[] _rowStart;   // node → first index into _rows
    private readonly int[] _rowCount;   // node → how many rows carry exactly this prefix
    private readonly RateDeckRow[] _rows;

    public PrefixIndex(IReadOnlyList<RateDeckRow> rows)
    {
        var ordered = rows.OrderBy(r => r.Prefix, StringComparer.Ordinal).ThenBy(r => r.FromTicks).ToArray();
        var nodeCount = 1;
        var nodeOfRow = new int[ordered.Length];
        var childArray = new int[Math.Max(Radix, (ordered.Sum(r => r.Prefix.Length) + 1) * Radix)];
        for (var r = 0; r < ordered.Length; r++)
        {
            var node = 0;
            foreach (var c in ordered[r].Prefix)
            {
                var slot = (node * Radix) + (c - '0');
                if (childArray[slot] == 0)
                {
                    childArray[slot] = nodeCount++;
                }

                node = childArray[slot];
            }

            nodeOfRow[r] = node;
        }

        _children = childArray.AsSpan(0, nodeCount * Radix).ToArray();
        _rowStart = new int[nodeCount];
        _rowCount = new int[nodeCount];
        for (var r = 0; r < ordered.Length; r++)
        {
            var node = nodeOfRow[r];
            if (_rowCount[node]++ == 0)
            {
                _rowStart[node] = r; // rows of one prefix are adjacent after the ordering above
            }
        }

        _rows = ordered;
    }

    /// <summary>The row of the longest prefix of <paramref name="digits"/> effective at <paramref name="utcTicks"/>, or null.</summary>
    public RateDeckRow? Find(ReadOnlySpan<char> digits, long utcTicks)
    {
        RateDeckRow? best = null;
        var node = 0;
        foreach (var c in digits)
        {
            node = _children[(node * Radix) + (c - '0')];
            if (node == 0)
            {
                break;
            }

            var count = _rowCount[node];
            if (count == 0)
            {
                continue;
            }

            var start = _rowStart[node];
            for (var i = start; i < start + count; i++)
            {
                var row = _rows[i];
                if (utcTicks >= row.FromTicks && utcTicks < row.ToTicks)
                {
                    best = row;
                    break;
                }
            }
        }

        return best;
    }
}
