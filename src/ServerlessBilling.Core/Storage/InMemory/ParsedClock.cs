using System.Collections.Concurrent;

namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>
/// What bounds how many documents a memory store (accounts, monitor states) keeps parsed (the clock algorithm): an entry joins when its document
/// becomes parsed, and beyond the capacity the oldest are offered to <c>leaves</c>, which packs the document and says
/// true (or says false to keep it parsed one more round: used since the clock last passed, or written meanwhile).
/// One caller at a time packs while the others go on, as long as it keeps up; once the parsed entries pass the capacity
/// by <see cref="Slack"/> (writers on several threads parse faster than one thread packs: ingestion over many
/// accounts on a busy machine), each caller that joins packs too, down to that bound, so the parsed ones stay bounded.
/// </summary>
internal sealed class ParsedClock<T>(int capacity, Func<T, bool> leaves)
{
    private readonly ConcurrentQueue<T> _queue = new();
    private readonly Lock _gate = new();
    private int _count;

    /// <summary>How far past the capacity the parsed entries may grow before every caller that joins helps pack.</summary>
    public int Slack { get; } = Math.Max(64, capacity / 8);

    /// <summary>How many entries are parsed now (at most the capacity and <see cref="Slack"/>, give or take the callers in flight).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The entry's document has just become parsed: it joins, and the least recently used beyond the capacity leave.</summary>
    public void Join(T entry)
    {
        _queue.Enqueue(entry);
        var count = Interlocked.Increment(ref _count);
        if (count <= capacity)
        {
            return;
        }

        if (_gate.TryEnter())
        {
            try
            {
                LeaveDownTo(capacity);
            }
            finally
            {
                _gate.Exit();
            }
        }
        else if (count > capacity + Slack)
        {
            LeaveDownTo(capacity + Slack);
        }
    }

    /// <summary>Offers the oldest entries to leave until no more than <paramref name="bound"/> are parsed (entries are taken one at a time, so callers can share the work).</summary>
    private void LeaveDownTo(int bound)
    {
        while (Volatile.Read(ref _count) > bound && _queue.TryDequeue(out var oldest))
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
}
