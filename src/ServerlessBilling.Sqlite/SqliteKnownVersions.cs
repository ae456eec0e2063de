using System.Collections.Concurrent;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// The latest committed version of small versioned documents (monitoring's, one per account) that this process has
/// written or read, so that a read before each conditional write need not ask the file, nor parse JSON. Sound for the
/// reason <see cref="SqliteKnownState"/> is: this process is the file's only writer, and every commit updates it on
/// the writer's thread before the commit's callers resume. A version read from the file is kept only if it is newer
/// than what is known and nothing was evicted since the read began; a refused conditional write forgets the entry,
/// so that the next read asks the file. Documents are immutable; when <see cref="Capacity"/> is reached, all are dropped.
/// </summary>
internal sealed class SqliteKnownVersions<T>(int capacity)
    where T : class
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _evictionGate = new();
    private int _count;
    private long _evictions;

    public int Capacity => capacity;

    /// <summary>A marker taken before reading from the file, for <see cref="RememberRead"/>.</summary>
    public long ReadMarker => Volatile.Read(ref _evictions);

    public (T Value, long Version)? Find(string id) => _entries.TryGetValue(id, out var known) ? (known.Value, known.Version) : null;

    /// <summary>On the writer's thread, after the commit that wrote <paramref name="value"/> as <paramref name="version"/>.</summary>
    public void Committed(string id, T value, long version)
    {
        if (Volatile.Read(ref _count) >= capacity)
        {
            lock (_evictionGate)
            {
                _entries.Clear();
                Volatile.Write(ref _count, 0);
                _evictions++;
            }
        }

        Keep(id, new Entry(value, version));
    }

    /// <summary>A document read from the file at some point after <paramref name="marker"/> was taken.</summary>
    public void RememberRead(string id, T value, long version, long marker)
    {
        lock (_evictionGate)
        {
            if (_evictions == marker && Volatile.Read(ref _count) < capacity)
            {
                Keep(id, new Entry(value, version));
            }
        }
    }

    /// <summary>After a conditional write was refused: what is known may be stale, so the next read asks the file.</summary>
    public void Forget(string id)
    {
        lock (_evictionGate)
        {
            if (_entries.TryRemove(id, out _))
            {
                Interlocked.Decrement(ref _count);
            }

            _evictions++; // a read of the file already under way may hold the version that was just found stale
        }
    }

    /// <summary>Keeps <paramref name="entry"/> unless a version as new is known.</summary>
    private void Keep(string id, Entry entry)
    {
        while (true)
        {
            if (_entries.TryGetValue(id, out var current))
            {
                if (current.Version >= entry.Version || _entries.TryUpdate(id, entry, current))
                {
                    return;
                }
            }
            else if (_entries.TryAdd(id, entry))
            {
                Interlocked.Increment(ref _count);
                return;
            }
        }
    }

    private sealed record Entry(T Value, long Version);
}
