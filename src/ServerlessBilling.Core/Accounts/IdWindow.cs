using System.Collections.Immutable;

namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// The newest ids (or id-carrying entries) an account document remembers, oldest first, never more than a capacity:
/// what makes a retried top-up or a replayed CDR change nothing in the same write that moves the money. Older ones
/// are recognised by their durable records (top-up history, usage). One type for both, so the bound is one rule.
/// </summary>
/// <remarks>
/// <see cref="Contains"/> is constant-time on a full window: a hash index of the entries is built on the first look-up
/// and handed on to the window that <see cref="Add"/> derives from it, updated in place, instead of being rebuilt per
/// version. Only the newest version of a line of windows owns the index; an older version asked again scans (correct,
/// just slower), and a second window derived from an older version builds its own. The index is never stored: the
/// persisted form is <see cref="Items"/> alone.
/// </remarks>
public readonly record struct IdWindow<T>
    where T : notnull
{
    /// <summary>Below this many entries a scan is as fast as hashing, and no index is worth its memory.</summary>
    internal const int IndexThreshold = 16;

    private readonly ImmutableQueue<T>? _items;
    private readonly WindowIndex? _index;

    private IdWindow(ImmutableQueue<T> items, int count, WindowIndex? index)
    {
        _items = items;
        Count = count;
        _index = index;
    }

    public static IdWindow<T> Empty => new(ImmutableQueue<T>.Empty, 0, null);

    /// <summary>The entries, oldest first.</summary>
    public ImmutableQueue<T> Items => _items ?? ImmutableQueue<T>.Empty;

    /// <summary>How many entries the window holds (kept, so that trimming is O(1)).</summary>
    public int Count { get; }

    /// <summary>A window of stored entries, as they were written.</summary>
    public static IdWindow<T> Of(IEnumerable<T>? items)
    {
        var queue = ImmutableQueue<T>.Empty;
        var count = 0;
        foreach (var item in items ?? [])
        {
            queue = queue.Enqueue(item);
            count++;
        }

        return new IdWindow<T>(queue, count, new WindowIndex(queue));
    }

    /// <summary>Whether the window holds <paramref name="item"/> (default equality of <typeparamref name="T"/>): O(1) once indexed.</summary>
    public bool Contains(T item)
    {
        if (_items is null || Count == 0)
        {
            return false;
        }

        return Count >= IndexThreshold && _index?.Contains(_items, Count, item) is { } found ? found : Scan(_items, item);
    }

    /// <summary>Adds <paramref name="item"/> as the newest entry and forgets the oldest beyond <paramref name="capacity"/>.</summary>
    public IdWindow<T> Add(T item, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var items = Items.Enqueue(item);
        var count = Count + 1;
        List<T>? dropped = null;
        while (count > capacity)
        {
            (dropped ??= []).Add(items.Peek());
            items = items.Dequeue();
            count--;
        }

        var index = _index is null || _items is null ? new WindowIndex(items) : _index.HandOver(_items, items, item, dropped);
        return new IdWindow<T>(items, count, index);
    }

    private static bool Scan(ImmutableQueue<T> items, T item)
    {
        var comparer = EqualityComparer<T>.Default;
        foreach (var entry in items)
        {
            if (comparer.Equals(entry, item))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// How many times each entry is in the window of the queue it belongs to (a window may hold an entry twice), built
    /// on the first look-up. Windows are values read from many threads, so the owner check and the updates take a lock.
    /// </summary>
    private sealed class WindowIndex(ImmutableQueue<T> owner)
    {
        private readonly Lock _gate = new();
        private ImmutableQueue<T> _owner = owner;
        private Dictionary<T, int>? _counts;

        /// <summary>The answer from the index, or null when <paramref name="items"/> no longer owns it (the caller scans).</summary>
        public bool? Contains(ImmutableQueue<T> items, int count, T item)
        {
            lock (_gate)
            {
                if (!ReferenceEquals(_owner, items))
                {
                    return null;
                }

                if (_counts is null)
                {
                    _counts = new Dictionary<T, int>(count);
                    foreach (var entry in items)
                    {
                        Increment(_counts, entry);
                    }
                }

                return _counts.ContainsKey(item);
            }
        }

        /// <summary>This index, moved on from <paramref name="from"/> to <paramref name="to"/>, or a new one when <paramref name="from"/> had lost it.</summary>
        public WindowIndex HandOver(ImmutableQueue<T> from, ImmutableQueue<T> to, T added, List<T>? dropped)
        {
            lock (_gate)
            {
                if (!ReferenceEquals(_owner, from))
                {
                    return new WindowIndex(to);
                }

                _owner = to;
                if (_counts is not null)
                {
                    Increment(_counts, added);
                    foreach (var entry in dropped ?? [])
                    {
                        if (_counts[entry] == 1)
                        {
                            _counts.Remove(entry);
                        }
                        else
                        {
                            _counts[entry]--;
                        }
                    }
                }

                return this;
            }
        }

        private static void Increment(Dictionary<T, int> counts, T entry) =>
            counts[entry] = counts.GetValueOrDefault(entry) + 1;
    }
}
