using System.Numerics;

namespace ServerlessBilling.Core.Rating;

/// <summary>
/// A deck's prefixes for longest-prefix lookups, allocating nothing. Each prefix lists its rows (effective ranges
/// differ), whose ranges sit in arrays of their own, so a row object is only read when it is the answer. Prefixes are
/// found in one open-addressing hash table keyed by the prefix's value: the candidates of a number, one per prefix
/// length the deck has, are independent reads that the processor overlaps, where a trie's steps each wait for the one
/// before (a cache miss each on a busy machine). A deck whose prefixes all have at most 18 digits (every real deck)
/// keys the table by a long; a deck with longer prefixes (up to 38 digits) by a 128-bit integer. The table is the
/// only structure built: its size follows the number of rows, not their length, so a deck of long prefixes costs no
/// more than one of short ones (a node per digit did: 640,000 prefixes of 32 digits once took about 1 GB).
/// </summary>
internal sealed class PrefixIndex
{
    /// <summary>Longest prefix a long key takes: "1" and 18 digits still fit a long.</summary>
    private const int MaxNarrowLength = 18;

    /// <summary>Longest prefix a 128-bit key takes: "1" and 38 digits still fit a UInt128.</summary>
    private const int MaxWideLength = 38;

    private readonly long[] _from;  // row → FromTicks
    private readonly long[] _to;    // row → ToTicks
    private readonly RateDeckRow[] _rows;
    private readonly Slot<long>[]? _narrow;   // by hash of Key(prefix) when no prefix is longer than MaxNarrowLength
    private readonly Slot<UInt128>[]? _wide;  // otherwise
    private readonly ulong _lengths;          // bit n set when some prefix has n digits
    private readonly int _shift;
    private readonly int _minLength;
    private readonly int _maxLength;

    public PrefixIndex(IReadOnlyList<RateDeckRow> rows)
    {
        var ordered = rows.OrderBy(r => r.Prefix, StringComparer.Ordinal).ThenBy(r => r.FromTicks).ToArray();
        _rows = ordered;
        _from = Array.ConvertAll(ordered, r => r.FromTicks);
        _to = Array.ConvertAll(ordered, r => r.ToTicks);
        if (ordered.Length == 0)
        {
            return;
        }

        foreach (var row in ordered)
        {
            if (row.Prefix.Length is 0 or > MaxWideLength || row.Prefix.AsSpan().ContainsAnyExceptInRange('0', '9'))
            {
                throw new ArgumentException($"A prefix is 1 to {MaxWideLength} digits: \"{row.Prefix}\".", nameof(rows));
            }

            _lengths |= 1UL << row.Prefix.Length;
        }

        _minLength = BitOperations.TrailingZeroCount(_lengths);
        _maxLength = 63 - BitOperations.LeadingZeroCount(_lengths);
        var bits = Math.Max(4, 1 + (int)Math.Ceiling(Math.Log2(ordered.Length + 1)));
        _shift = 64 - bits;
        if (_maxLength <= MaxNarrowLength)
        {
            _narrow = Build<long>(ordered, bits);
        }
        else
        {
            _wide = Build<UInt128>(ordered, bits);
        }
    }

    /// <summary>The row of the longest prefix of <paramref name="digits"/> effective at <paramref name="utcTicks"/>, or null.</summary>
    public RateDeckRow? Find(ReadOnlySpan<char> digits, long utcTicks)
    {
        var row = _narrow is { } narrow ? Find(narrow, digits, utcTicks)
            : _wide is { } wide ? Find(wide, digits, utcTicks)
            : -1;
        return row < 0 ? null : _rows[row];
    }

    /// <summary>A prefix as a number after a leading 1, so that "44" and "044" differ.</summary>
    private static TKey Key<TKey>(ReadOnlySpan<char> prefix)
        where TKey : unmanaged, IBinaryInteger<TKey>
    {
        var key = TKey.One;
        foreach (var c in prefix)
        {
            key = Append(key, c);
        }

        return key;
    }

    /// <summary>key * 10 + digit; a 128-bit key by shifts (its multiplication is a call, shifts a few instructions).</summary>
    private static TKey Append<TKey>(TKey key, char digit)
        where TKey : unmanaged, IBinaryInteger<TKey> =>
        (typeof(TKey) == typeof(long) ? key * TKey.CreateTruncating(10) : (key << 3) + (key << 1)) + TKey.CreateTruncating(digit - '0');

    private Slot<TKey>[] Build<TKey>(RateDeckRow[] ordered, int bits)
        where TKey : unmanaged, IBinaryInteger<TKey>
    {
        var slots = new Slot<TKey>[1 << bits];
        for (var r = 0; r < ordered.Length; r++)
        {
            var key = Key<TKey>(ordered[r].Prefix);
            var slot = SlotOf(key);
            while (slots[slot].Key != TKey.Zero && slots[slot].Key != key)
            {
                slot = (slot + 1) & (slots.Length - 1);
            }

            if (slots[slot].Count++ == 0)
            {
                slots[slot].Key = key;
                slots[slot].First = r; // rows of one prefix are adjacent after the ordering above
            }
        }

        return slots;
    }

    private int Find<TKey>(Slot<TKey>[] slots, ReadOnlySpan<char> digits, long utcTicks)
        where TKey : unmanaged, IBinaryInteger<TKey>
    {
        var length = Math.Min(digits.Length, _maxLength);
        Span<TKey> keys = stackalloc TKey[(typeof(TKey) == typeof(long) ? MaxNarrowLength : MaxWideLength) + 1];
        var key = TKey.One;
        for (var i = 0; i < length; i++)
        {
            keys[i + 1] = key = Append(key, digits[i]);
        }

        for (; length >= _minLength; length--)
        {
            if ((_lengths & (1UL << length)) == 0)
            {
                continue;
            }

            key = keys[length];
            for (var slot = SlotOf(key); slots[slot].Key != TKey.Zero; slot = (slot + 1) & (slots.Length - 1))
            {
                if (slots[slot].Key == key)
                {
                    if (Effective(slots[slot].First, slots[slot].Count, utcTicks) is var row and >= 0)
                    {
                        return row;
                    }

                    break;
                }
            }
        }

        return -1;
    }

    /// <summary>Fibonacci hashing of the key's low 64 bits, with its high bits (zero in a long) folded in first.</summary>
    private int SlotOf<TKey>(TKey key)
        where TKey : unmanaged, IBinaryInteger<TKey>
    {
        var low = ulong.CreateTruncating(key);
        var high = ulong.CreateTruncating(key >>> 32 >>> 32);
        return (int)(unchecked((low ^ (high * 0xC2B2AE3D27D4EB4FUL)) * 0x9E3779B97F4A7C15UL) >> _shift);
    }

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

    private struct Slot<TKey>
        where TKey : struct
    {
        public TKey Key;   // 0 = empty
        public int First;  // first index into _rows
        public int Count;  // how many rows carry exactly this prefix
    }
}
