using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Benchmarks.Proposals;

/// <summary>
/// A PROPOSAL NOT ADOPTED, kept as a benchmark comparison: a trie layout for the prefix index (same results). Core's
/// PrefixIndex has since become one hash table keyed by the prefix's value, sized by its rows; this prototype keeps a
/// node per digit, so long prefixes cost memory per digit, and it should not be adopted as it is. It was written when
/// a lookup on a 200,000-row deck was bound by memory latency: the trie did not fit in the L2 cache, and Core's index touched up to four places per digit (the child array, the row-count
/// array, the row-start array and, for every prefix on the way, the row object to test its effective
/// range). This layout
/// <list type="number">
/// <item>keeps each node's 10 children, first row and row count together (12 ints, one cache line),</item>
/// <item>walks down first, remembering only the nodes that carry rows, then tests effective ranges from the
/// deepest node up, so the usual lookup tests one row instead of one per level, and</item>
/// <item>keeps what rating needs of each row (effective range, minimum, increment and Core's
/// <see cref="TariffUnits"/>) in one struct array beside the rows, so neither testing a range nor rating
/// loads the row object: a rating costs the walk plus one cache miss.</item>
/// </list>
/// </summary>
public sealed class CompactPrefixIndex
{
    private const int Stride = 12;
    private const int RowStartSlot = 10;
    private const int RowCountSlot = 11;

    private readonly int[] _nodes;
    private readonly RowData[] _data; // parallel to _rows
    private readonly RateDeckRow[] _rows;

    public CompactPrefixIndex(IReadOnlyList<RateDeckRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        _rows = [.. rows.OrderBy(r => r.Prefix, StringComparer.Ordinal).ThenBy(From)];
        var nodes = new List<int>(Stride * (_rows.Length + 1));
        nodes.AddRange(new int[Stride]);
        for (var r = 0; r < _rows.Length; r++)
        {
            var node = 0;
            foreach (var c in _rows[r].Prefix)
            {
                var slot = (node * Stride) + (c - '0');
                if (nodes[slot] == 0)
                {
                    nodes[slot] = nodes.Count / Stride;
                    nodes.AddRange(new int[Stride]);
                }

                node = nodes[slot];
            }

            if (nodes[(node * Stride) + RowCountSlot]++ == 0)
            {
                nodes[(node * Stride) + RowStartSlot] = r; // rows of one prefix are adjacent after the ordering above
            }
        }

        _nodes = [.. nodes];
        _data = new RowData[_rows.Length];
        for (var r = 0; r < _rows.Length; r++)
        {
            var tariff = _rows[r].Tariff;
            _data[r] = new RowData(From(_rows[r]), To(_rows[r]), TariffUnits.Of(tariff), tariff.MinSeconds, tariff.IncrementSeconds);
        }
    }

    /// <summary>Same contract as Core's <c>PrefixIndex.Find</c>: normalised digits in, the longest effective row out.</summary>
    public RateDeckRow? Find(ReadOnlySpan<char> digits, long utcTicks)
    {
        var row = FindRow(digits, utcTicks);
        return row < 0 ? null : _rows[row];
    }

    /// <summary>
    /// What <c>RateDeck.Rate</c> would do on this index: same row, billed seconds and charge as Core.
    /// </summary>
    public RatingOutcome Rate(ReadOnlySpan<char> calledNumber, DateTimeOffset start, int durationSeconds, Disposition disposition)
    {
        var digits = CalledNumber.Normalize(calledNumber);
        if (digits.IsEmpty)
        {
            return new RatingOutcome(null, 0, 0m, RatingFailure.InvalidNumber);
        }

        var r = FindRow(digits, start.UtcTicks);
        if (r < 0)
        {
            return new RatingOutcome(null, 0, 0m, RatingFailure.NoMatchingPrefix);
        }

        ref readonly var data = ref _data[r];
        var billed = Rater.BilledSeconds(durationSeconds, disposition == Disposition.Answered, data.MinSeconds, data.IncrementSeconds);
        var charge = data.Units is { } units ? Rater.Charge(units, billed) : Rater.Charge(_rows[r].Tariff, billed);
        return new RatingOutcome(_rows[r], billed, charge, RatingFailure.None);
    }

    private int FindRow(ReadOnlySpan<char> digits, long utcTicks)
    {
        Span<int> withRows = stackalloc int[CalledNumber.MaxDigits];
        var depth = 0;
        var node = 0;
        foreach (var c in digits)
        {
            node = _nodes[(node * Stride) + (c - '0')];
            if (node == 0)
            {
                break;
            }

            if (_nodes[(node * Stride) + RowCountSlot] != 0)
            {
                withRows[depth++] = node;
            }
        }

        while (--depth >= 0)
        {
            var start = _nodes[(withRows[depth] * Stride) + RowStartSlot];
            var end = start + _nodes[(withRows[depth] * Stride) + RowCountSlot];
            for (var r = start; r < end; r++)
            {
                if (utcTicks >= _data[r].FromTicks && utcTicks < _data[r].ToTicks)
                {
                    return r;
                }
            }
        }

        return -1;
    }

    private readonly record struct RowData(long FromTicks, long ToTicks, TariffUnits? Units, int MinSeconds, int IncrementSeconds);

    private static long From(RateDeckRow row) => row.EffectiveFrom?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).Ticks ?? long.MinValue;

    private static long To(RateDeckRow row) => row.EffectiveTo?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).Ticks ?? long.MaxValue;
}
