using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
/// immutable, and one entry costs a slot of an array, not a node. <see cref="Contains"/> is constant-time on a full
/// window: a hash index of the entries is built on the first look-up and handed on to the window that
/// <see cref="Add"/> derives from it, updated in place, instead of being rebuilt per version. Only the newest version of
/// a line of windows owns the index; an older version asked again scans (correct, just slower), and a second window
/// derived from an older version builds its own. The index is never stored: the persisted form is <see cref="Items"/> alone.
/// </remarks>
public readonly record struct IdWindow<T>
    where T : notnull
{
    /// <summary>Below this many entries a scan is as fast as hashing, and no index is worth its memory.</summary>
    internal const int IndexThreshold = 16;

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
    public IdWindow<T> Add(T item, int capacity) => AddRange([item], capacity);

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

        var dropped = next.TrimTo(capacity);
        var run = next.ToRun();
        run.Index = _run?.Index is { } index ? index.HandOver(_run, run, next.Added, dropped) : new WindowIndex(run);
        return new IdWindow<T>(run);
    }

    /// <summary>Consecutive slots of the line; <see cref="Claimed"/> of them are taken (by some version), never written again.</summary>
    private sealed class Chunk(int size)
    {
        public readonly T[] Slots = new T[size];
        public int Claimed;

        /// <summary>Takes slot <paramref name="slot"/> for <paramref name="item"/> if no window took it before; false when one did.</summary>
        public bool TryClaim(int slot, T item)
        {
            if (slot >= Slots.Length || Interlocked.CompareExchange(ref Claimed, slot + 1, slot) != slot)
            {
                return false;
            }

            Slots[slot] = item;
            return true;
        }
    }

    /// <summary>
    /// One version's entries: chunks[0][start..] through chunks[^1][..end], in order. Immutable but for <see cref="Index"/>,
    /// which is set once before the run is handed out.
    /// </summary>
    private sealed class Run(Chunk[] chunks, int start, int end, int count) : IReadOnlyList<T>
    {
        public readonly Chunk[] Chunks = chunks;
        public readonly int Start = start;
        public readonly int End = end;

        public int Count { get; } = count;

        public WindowIndex? Index { get; set; }

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

        public bool Contains(T item) =>
            Count >= IndexThreshold && Index?.Contains(this, item) is { } found ? found : Scan(item);

        private bool Scan(T item)
        {
            var comparer = EqualityComparer<T>.Default;
            foreach (var entry in this)
            {
                if (comparer.Equals(entry, item))
                {
                    return true;
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
            if (_chunks.Length > 0)
            {
                var last = _chunks[^1];
                if (last.TryClaim(_end, item))
                {
                    _end++;
                    return;
                }

                if (_end < last.Slots.Length)
                {
                    // Another window took this slot: this line continues in a copy of the chunk.
                    var copy = new Chunk(last.Slots.Length) { Claimed = _end + 1 };
                    Array.Copy(last.Slots, copy.Slots, _end);
                    copy.Slots[_end++] = item;
                    Own()[^1] = copy;
                    return;
                }
            }

            var chunk = new Chunk(Math.Clamp(_count, MinChunk, MaxChunk)) { Claimed = 1 };
            chunk.Slots[0] = item;
            var chunks = new Chunk[_chunks.Length + 1];
            _chunks.CopyTo(chunks, 0);
            chunks[^1] = chunk;
            (_chunks, _ownChunks, _end) = (chunks, true, 1);
        }

        /// <summary>Drops the oldest entries beyond <paramref name="capacity"/>; how many.</summary>
        public int TrimTo(int capacity)
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

            return dropped;
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

    /// <summary>
    /// How many times each entry is in the run that owns the index (a window may hold an entry twice), built on the first
    /// look-up. Windows are values read from many threads, so the owner check and the updates take a lock.
    /// </summary>
    private sealed class WindowIndex(Run owner)
    {
        private readonly Lock _gate = new();
        private Run _owner = owner;
        private Dictionary<T, int>? _counts;

        /// <summary>The answer from the index, or null when <paramref name="run"/> no longer owns it (the caller scans).</summary>
        public bool? Contains(Run run, T item)
        {
            lock (_gate)
            {
                if (!ReferenceEquals(_owner, run))
                {
                    return null;
                }

                if (_counts is null)
                {
                    _counts = new Dictionary<T, int>(run.Count);
                    foreach (var entry in run)
                    {
                        CollectionsMarshal.GetValueRefOrAddDefault(_counts, entry, out _)++;
                    }
                }

                return _counts.ContainsKey(item);
            }
        }

        /// <summary>
        /// This index, moved on from <paramref name="from"/> to <paramref name="to"/> (the last <paramref name="added"/> entries
        /// of <paramref name="from"/> followed by them are new, the first <paramref name="dropped"/> are gone), or a new one when
        /// <paramref name="from"/> had lost it.
        /// </summary>
        public WindowIndex HandOver(Run from, Run to, int added, int dropped)
        {
            lock (_gate)
            {
                if (!ReferenceEquals(_owner, from))
                {
                    return new WindowIndex(to);
                }

                _owner = to;
                if (_counts is null)
                {
                    return this;
                }

                // Counted out: the dropped entries that were in from (the first of them); counted in: the added entries
                // that stayed, the last of to's. An entry added and dropped at once (a tiny capacity) is neither.
                var gone = 0;
                foreach (var entry in from)
                {
                    if (gone++ >= dropped)
                    {
                        break;
                    }

                    Forget(entry);
                }

                var (stayed, c, end) = (Math.Min(added, to.Count), to.Chunks.Length - 1, to.End);
                while (stayed > 0)
                {
                    var first = Math.Max(c == 0 ? to.Start : 0, end - stayed);
                    foreach (var entry in to.Chunks[c].Slots.AsSpan(first, end - first))
                    {
                        CollectionsMarshal.GetValueRefOrAddDefault(_counts, entry, out _)++;
                    }

                    stayed -= end - first;
                    end = --c >= 0 ? to.Chunks[c].Slots.Length : 0;
                }

                return this;
            }
        }

        private void Forget(T entry)
        {
            ref var count = ref CollectionsMarshal.GetValueRefOrNullRef(_counts!, entry);
            if (Unsafe.IsNullRef(ref count) || --count > 0)
            {
                return;
            }

            _counts!.Remove(entry);
        }
    }
}
