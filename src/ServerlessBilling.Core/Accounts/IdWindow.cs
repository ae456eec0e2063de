using System.Collections;

namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// The newest ids (or id-carrying entries) an account document remembers, oldest first, never more than a capacity:
/// what makes a retried top-up or a replayed CDR change nothing in the same write that moves the money. Older ones
/// are recognised by their durable records (top-up history, usage). One type for both, so the bound is one rule.
/// </summary>
/// <remarks>
/// The entries lie in a line of small arrays (chunks) shared by the versions of a window: a version sees a range of
/// them, an added entry is written into the free slot after the last one (claimed once, so that two windows derived
/// from the same version never write the same slot: the second copies the chunk), and trimming moves the start of
/// the range. A slot is never written again once claimed, so every version keeps reading its own entries: a window is
/// immutable, and one entry costs a slot of an array, not a node. Beside each entry its hash code is kept, so that
/// <see cref="Contains"/> reads a word of each chunk's filter of them, then, in a chunk that may hold the entry, compares
/// its hash codes (vectorized) and an entry only where its hash matches:
/// no index to build on the first look-up, to hand on from version to version, or to hold (4 bytes an entry instead of
/// a dictionary's 30), and every version answers alike. Only <see cref="Items"/> is stored.
/// </remarks>
public readonly record struct IdWindow<T>
    where T : notnull
{
    private readonly Run? _run;

    private IdWindow(Run? run) => _run = run;

    public static IdWindow<T> Empty => default;

    /// <summary>The entries, oldest first (the same object for as long as the window is the same).</summary>
    public IReadOnlyList<T> Items => (IReadOnlyList<T>?)_run ?? [];

    /// <summary>How many entries the window holds.</summary>
    public int Count => _run?.Count ?? 0;

    /// <summary>A window of stored entries, as they were written.</summary>
    public static IdWindow<T> Of(IEnumerable<T>? items) => Empty.AddRange(items ?? [], int.MaxValue);

    /// <summary>Whether the window holds <paramref name="item"/> (default equality of <typeparamref name="T"/>): O(1) once indexed.</summary>
    public bool Contains(T item) => _run is { } run && run.Contains(item);

    /// <summary>Adds <paramref name="item"/> as the newest entry and forgets the oldest beyond <paramref name="capacity"/>.</summary>
    public IdWindow<T> Add(T item, int capacity)
    {
        // AddRange([item]) made one by one, with no list of one made for it (closing a session, applying a CDR).
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var next = new Builder(_run);
        next.Append(item);
        next.TrimTo(capacity);
        return new IdWindow<T>(next.ToRun());
    }

    /// <summary>
    /// Adds <paramref name="items"/> in order as the newest entries and forgets the oldest beyond <paramref name="capacity"/>:
    /// the window <see cref="Add"/> one by one gives, made once.
    /// </summary>
    public IdWindow<T> AddRange(IEnumerable<T> items, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var next = new Builder(_run);
        if (items is IReadOnlyList<T> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                next.Append(list[i]);
            }
        }
        else
        {
            foreach (var item in items)
            {
                next.Append(item);
            }
        }

        if (next.Added == 0)
        {
            return this;
        }

        next.TrimTo(capacity);
        return new IdWindow<T>(next.ToRun());
    }

    /// <summary>
    /// Forgets the oldest entries beyond <paramref name="capacity"/>, except those of them <paramref name="keep"/> holds
    /// (they stay, oldest first, ahead of the rest), and in any case the oldest beyond <paramref name="ceiling"/>. With
    /// nothing to keep among the oldest it is a trim of the front, as <see cref="AddRange"/> does.
    /// </summary>
    public IdWindow<T> Forget(int capacity, IReadOnlySet<T>? keep, int ceiling)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ceiling, capacity);
        if (_run is not { } run || run.Count <= capacity)
        {
            return this;
        }

        var over = run.Count - capacity;
        List<T>? kept = null;
        if (keep is { Count: > 0 })
        {
            var seen = 0;
            foreach (var item in run)
            {
                if (seen++ == over)
                {
                    break;
                }

                if (keep.Contains(item))
                {
                    (kept ??= []).Add(item);
                }
            }
        }

        if (kept is null)
        {
            return Trimmed(run, capacity);
        }

        var rest = 0;
        foreach (var item in run)
        {
            if (rest++ >= over)
            {
                kept.Add(item);
            }
        }

        var window = Of(kept);
        return window.Count > ceiling ? Trimmed(window._run!, ceiling) : window;
    }

    private static IdWindow<T> Trimmed(Run run, int capacity)
    {
        var next = new Builder(run);
        next.TrimTo(capacity);
        return new IdWindow<T>(next.ToRun());
    }

    /// <summary>
    /// Consecutive slots of the line, each with its entry's hash code; <see cref="Claimed"/> of them are taken (by some
    /// version), never written again.
    /// </summary>
    private sealed class Chunk(int size)
    {
        public readonly T[] Slots = new T[size];
        public readonly int[] Hashes = new int[size];
        public int Claimed;

        /// <summary>
        /// A filter of the hash codes of every slot ever claimed in the chunk (by any version): two bits of one of
        /// eight words per entry. A clear bit proves an entry absent, so a look-up reads one word of a chunk instead of
        /// its hash codes (a cold document's kilobytes); set bits only send it on to the hash codes. Bits are only ever
        /// added, so a version's own entries always pass. Small chunks (small windows) have none: their hash codes are
        /// as short as a filter.
        /// </summary>
        private readonly long[]? _filter = size >= 16 ? new long[8] : null;

        /// <summary>Takes slot <paramref name="slot"/> for <paramref name="item"/> if no window took it before; false when one did.</summary>
        public bool TryClaim(int slot, T item, int hash)
        {
            if (slot >= Slots.Length || Interlocked.CompareExchange(ref Claimed, slot + 1, slot) != slot)
            {
                return false;
            }

            (Slots[slot], Hashes[slot]) = (item, hash);
            if (_filter is { } filter)
            {
                Interlocked.Or(ref filter[Word(hash)], Bits(hash));
            }

            return true;
        }

        /// <summary>Whether an entry whose hash code has this <see cref="Word"/> and these <see cref="Bits"/> may lie in the chunk (false: it does not).</summary>
        public bool MayHold(int word, long bits) => _filter is not { } filter || (Volatile.Read(ref filter[word]) & bits) == bits;

        /// <summary>This chunk's first <paramref name="count"/> slots in a new chunk of the same size, which the caller goes on writing.</summary>
        public Chunk Copy(int count)
        {
            var copy = new Chunk(Slots.Length) { Claimed = count };
            Array.Copy(Slots, copy.Slots, count);
            Array.Copy(Hashes, copy.Hashes, count);
            for (var i = 0; copy._filter is { } filter && i < count; i++)
            {
                filter[Word(copy.Hashes[i])] |= Bits(copy.Hashes[i]);
            }

            return copy;
        }

        public static int Word(int hash) => hash & 7;

        public static long Bits(int hash) => (1L << ((hash >> 3) & 63)) | (1L << ((hash >> 9) & 63));
    }

    /// <summary>One version's entries: chunks[0][start..] through chunks[^1][..end], in order.</summary>
    private sealed class Run(Chunk[] chunks, int start, int end, int count) : IReadOnlyList<T>
    {
        public readonly Chunk[] Chunks = chunks;
        public readonly int Start = start;
        public readonly int End = end;

        public int Count { get; } = count;

        public T this[int index]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfNegative(index);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
                var position = index + Start;
                foreach (var chunk in Chunks)
                {
                    if (position < chunk.Slots.Length)
                    {
                        return chunk.Slots[position];
                    }

                    position -= chunk.Slots.Length;
                }

                throw new InvalidOperationException("the window's chunks are shorter than its count");
            }
        }

        /// <summary>How far chunk <paramref name="c"/> holds entries of this run (its last slot + 1).</summary>
        public int EndOf(int c) => c == Chunks.Length - 1 ? End : Chunks[c].Slots.Length;

        /// <summary>The hash codes are compared first, a chunk at a time; an entry only where its hash code matches.</summary>
        public bool Contains(T item)
        {
            var comparer = EqualityComparer<T>.Default;
            var hash = comparer.GetHashCode(item);
            var (word, bits) = (Chunk.Word(hash), Chunk.Bits(hash));
            for (var c = 0; c < Chunks.Length; c++)
            {
                var (chunk, from) = (Chunks[c], c == 0 ? Start : 0);
                if (!chunk.MayHold(word, bits))
                {
                    continue;
                }

                var hashes = chunk.Hashes.AsSpan(from, EndOf(c) - from);
                for (var at = hashes.IndexOf(hash); at >= 0;)
                {
                    if (comparer.Equals(chunk.Slots[from + at], item))
                    {
                        return true;
                    }

                    var further = hashes[(at + 1)..].IndexOf(hash);
                    at = further < 0 ? -1 : at + 1 + further;
                }
            }

            return false;
        }

        public Enumerator GetEnumerator() => new(this);

        IEnumerator<T> IEnumerable<T>.GetEnumerator() => GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private struct Enumerator(Run run) : IEnumerator<T>
    {
        private int _chunk;
        private int _slot = run.Start - 1;

        public readonly T Current => run.Chunks[_chunk].Slots[_slot];

        readonly object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (run.Count == 0)
            {
                return false;
            }

            if (++_slot < run.EndOf(_chunk))
            {
                return true;
            }

            if (_chunk + 1 >= run.Chunks.Length)
            {
                _slot--;
                return false;
            }

            (_chunk, _slot) = (_chunk + 1, 0);
            return _slot < run.EndOf(_chunk);
        }

        public void Reset() => (_chunk, _slot) = (0, run.Start - 1);

        public readonly void Dispose()
        {
        }
    }

    /// <summary>
    /// The next version, made from a run: entries appended into free slots (or new chunks), then the oldest dropped. The
    /// list of chunks is copied only when a chunk is added or dropped (once per chunk's worth of entries).
    /// </summary>
    private struct Builder(Run? from)
    {
        /// <summary>The chunk sizes: small windows (most accounts) stay small; a long one takes this many entries per chunk.</summary>
        private const int MinChunk = 4;
        private const int MaxChunk = 64;

        private Chunk[] _chunks = from?.Chunks ?? [];
        private bool _ownChunks;
        private int _start = from?.Start ?? 0;
        private int _end = from?.End ?? 0;
        private int _count = from?.Count ?? 0;

        public int Added { get; private set; }

        public void Append(T item)
        {
            Added++;
            _count++;
            var hash = EqualityComparer<T>.Default.GetHashCode(item);
            if (_chunks.Length > 0)
            {
                var last = _chunks[^1];
                if (last.TryClaim(_end, item, hash))
                {
                    _end++;
                    return;
                }

                if (_end < last.Slots.Length)
                {
                    // Another window took this slot: this line continues in a copy of the chunk.
                    var copy = last.Copy(_end);
                    copy.TryClaim(_end++, item, hash);
                    Own()[^1] = copy;
                    return;
                }
            }

            var chunk = new Chunk(Math.Clamp(_count, MinChunk, MaxChunk));
            chunk.TryClaim(0, item, hash);
            var chunks = new Chunk[_chunks.Length + 1];
            _chunks.CopyTo(chunks, 0);
            chunks[^1] = chunk;
            (_chunks, _ownChunks, _end) = (chunks, true, 1);
        }

        /// <summary>Drops the oldest entries beyond <paramref name="capacity"/>.</summary>
        public void TrimTo(int capacity)
        {
            var dropped = Math.Max(0, _count - capacity);
            _count -= dropped;
            _start += dropped;
            var first = 0;
            while (first < _chunks.Length - 1 && _start >= _chunks[first].Slots.Length)
            {
                _start -= _chunks[first++].Slots.Length;
            }

            if (first > 0)
            {
                (_chunks, _ownChunks) = (_chunks[first..], true);
            }
        }

        public readonly Run ToRun() => new(_chunks, _start, _end, _count);

        private Chunk[] Own()
        {
            if (!_ownChunks)
            {
                (_chunks, _ownChunks) = ((Chunk[])_chunks.Clone(), true);
            }

            return _chunks;
        }
    }
}
