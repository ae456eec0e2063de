using System.Collections.Immutable;

namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// The newest ids (or id-carrying entries) an account document remembers, oldest first, never more than a capacity:
/// what makes a retried top-up or a replayed CDR change nothing in the same write that moves the money. Older ones
/// are recognised by their durable records (top-up history, usage). One type for both, so the bound is one rule.
/// </summary>
public readonly record struct IdWindow<T>
{
    private readonly ImmutableQueue<T>? _items;

    private IdWindow(ImmutableQueue<T> items, int count)
    {
        _items = items;
        Count = count;
    }

    public static IdWindow<T> Empty => new(ImmutableQueue<T>.Empty, 0);

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

        return new IdWindow<T>(queue, count);
    }

    /// <summary>Adds <paramref name="item"/> as the newest entry and forgets the oldest beyond <paramref name="capacity"/>.</summary>
    public IdWindow<T> Add(T item, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var items = Items.Enqueue(item);
        var count = Count + 1;
        while (count > capacity)
        {
            items = items.Dequeue();
            count--;
        }

        return new IdWindow<T>(items, count);
    }
}
