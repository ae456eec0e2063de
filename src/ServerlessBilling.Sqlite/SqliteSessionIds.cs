namespace ServerlessBilling.Sqlite;

/// <summary>
/// Which session ids the file may hold: a Bloom filter over every id of the <c>sessions</c> table, so that claiming an id
/// the file cannot hold (every authorize of a new call) does not ask the file. That read was a reader transaction which,
/// the WAL having changed since the reader's last one (always, under load), dropped the reader's page cache and read the
/// index's pages again: about a sixth of the CPU of a SQLite pair.
/// <para>
/// It answers "certainly not held" only once it is complete: it is made empty when the file is opened, before any write
/// can be queued, and every id is added before the write that puts it in the file is queued (<see cref="SqliteSessionIndex"/>);
/// a scan of the table, begun after it was made, adds every id committed before then, and marks it complete. So an id of
/// the file is always in it, and until the scan ends (or if it fails) every id is "maybe held" and read from the file as
/// before. A false "maybe held" (about 1% of new ids) costs that read, nothing else. An id whose claim is let go stays in
/// it (a Bloom filter forgets nothing): one more read if it is claimed again.
/// </para>
/// <para>
/// Memory: about 10 bits an id. It grows by segments, each twice the capacity of the one before (a new one is started when
/// the last is full), so ids are never rehashed; a look-up asks each segment. The first is sized for twice the rows the
/// table held at open.
/// </para>
/// </summary>
internal sealed class SqliteSessionIds
{
    /// <summary>The smallest segment, in ids.</summary>
    public const int MinCapacity = 1 << 16;

    private const int BitsPerId = 10;
    private const int Probes = 7; // about 1% false "maybe held" at capacity with 10 bits an id

    private readonly object _growing = new();
    private Segment[] _segments;
    private volatile bool _complete;

    public SqliteSessionIds(long expected, int minCapacity = MinCapacity) =>
        _segments = [new Segment(Math.Clamp(expected, minCapacity, int.MaxValue / BitsPerId))];

    /// <summary>Whether every id of the file is in the filter (the scan has ended).</summary>
    public bool IsComplete => _complete;

    /// <summary>The ids added so far (the file's and those queued since it opened; an id added twice counts twice).</summary>
    public long Count
    {
        get
        {
            long count = 0;
            foreach (var segment in Volatile.Read(ref _segments))
            {
                count += segment.Count;
            }

            return count;
        }
    }

    /// <summary>Segments so far (a look-up asks each).</summary>
    public int Segments => Volatile.Read(ref _segments).Length;

    /// <summary>Called once the scan has added every id the file held when it began.</summary>
    public void MarkComplete() => _complete = true;

    /// <summary>False only when the file certainly does not hold <paramref name="sessionId"/>.</summary>
    public bool MayHold(string sessionId)
    {
        if (!_complete)
        {
            return true;
        }

        var (first, step) = Hash(sessionId);
        foreach (var segment in Volatile.Read(ref _segments))
        {
            if (segment.MayHold(first, step))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Adds <paramref name="sessionId"/>: before a write that may put it in the file is queued.</summary>
    public void Add(string sessionId)
    {
        var (first, step) = Hash(sessionId);
        while (true)
        {
            var segments = Volatile.Read(ref _segments);
            var last = segments[^1];
            if (last.TryAdd(first, step))
            {
                return;
            }

            lock (_growing)
            {
                if (ReferenceEquals(Volatile.Read(ref _segments)[^1], last))
                {
                    var capacity = (long)Math.Min((long)last.Capacity * 2, int.MaxValue / BitsPerId);
                    Volatile.Write(ref _segments, [.. segments, new Segment(capacity)]);
                }
            }
        }
    }

    /// <summary>
    /// Two 64-bit hashes of the id as the file keeps it (FNV-1a over its Unicode scalar values, then two finalizers), for
    /// double hashing. SQLite keeps text as UTF-8, where a lone surrogate is U+FFFD (as <see cref="string.EnumerateRunes"/>
    /// reads it): "call-\uD800" and "call-\uDC00" are one row, which the scan reads back as "call-\uFFFD". Hashed by
    /// UTF-16 character, each was "certainly not held" once its row was in the file: a replay after a restart was a new call.
    /// </summary>
    private static (ulong First, ulong Step) Hash(string id)
    {
        unchecked // the project checks arithmetic; hashing wraps by design
        {
            var hash = 14695981039346656037UL;
            foreach (var rune in id.EnumerateRunes())
            {
                hash = (hash ^ (uint)rune.Value) * 1099511628211UL;
            }

            return (Mix(hash), Mix(hash + 0x9E3779B97F4A7C15UL) | 1);
        }
    }

    private static ulong Mix(ulong value)
    {
        unchecked
        {
            value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
            value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
            return value ^ (value >> 31);
        }
    }

    /// <summary>The bit of a probe: the id's first hash moved on by <paramref name="probe"/> steps (wrapping), within <paramref name="bits"/>.</summary>
    private static ulong Probe(ulong first, ulong step, int probe, ulong bits) => unchecked(first + ((ulong)probe * step)) % bits;

    private sealed class Segment(long capacity)
    {
        private readonly long[] _bits = new long[((capacity * BitsPerId) + 63) / 64];
        private long _count;

        public int Capacity { get; } = (int)capacity;

        public long Count => Math.Min(Volatile.Read(ref _count), Capacity);

        private ulong Bits => (ulong)_bits.Length * 64;

        /// <summary>Sets the id's bits; false (nothing set) when the segment is full.</summary>
        public bool TryAdd(ulong first, ulong step)
        {
            if (Interlocked.Increment(ref _count) > Capacity)
            {
                return false;
            }

            for (var i = 0; i < Probes; i++)
            {
                var bit = Probe(first, step, i, Bits);
                Interlocked.Or(ref _bits[(int)(bit >> 6)], 1L << (int)(bit & 63));
            }

            return true;
        }

        public bool MayHold(ulong first, ulong step)
        {
            for (var i = 0; i < Probes; i++)
            {
                var bit = Probe(first, step, i, Bits);
                if ((Volatile.Read(ref _bits[(int)(bit >> 6)]) & (1L << (int)(bit & 63))) == 0)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
