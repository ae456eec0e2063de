using System.Collections.Concurrent;

namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>
/// What bounds how many documents a memory store (accounts, monitor states) keeps parsed (the clock algorithm): an entry joins when its document
/// becomes parsed, and beyond the capacity the oldest are offered to <c>leaves</c>, which packs the document and says
/// true (or says false to keep it parsed one more round: used since the clock last passed, or written meanwhile).
/// One caller at a time packs; the others go on.
/// </summary>
internal sealed class ParsedClock<T>(int capacity, Func<T, bool> leaves)
{
    private readonly ConcurrentQueue<T> _queue = new();
    private readonly Lock _gate = new();
    private int _count;

    /// <summary>How many entries are parsed now (at most the capacity, give or take the callers in flight).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The entry's document has just become parsed: it joins, and the least recently used beyond the capacity leave.</summary>
    public void Join(T entry)
    {
        _queue.Enqueue(entry);
        if (Interlocked.Increment(ref _count) <= capacity || !_gate.TryEnter())
        {
            return;
        }

        try
        {
            while (Volatile.Read(ref _count) > capacity && _queue.TryDequeue(out var oldest))
            {
                if (leaves(oldest))
                {
                    Interlocked.Decrement(ref _count);
                }
                else
                {
                    _queue.Enqueue(oldest);
                }
            }
        }
        finally
        {
            _gate.Exit();
        }
    }
}
