using System.Collections;
using System.Diagnostics.CodeAnalysis;
using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// The sessions of an account document by id: an immutable map, cheap to copy on write for the way credit control
/// uses it. An account holds tens of sessions, most of them closed and kept for replays; a step adds one session
/// (authorize), replaces a recent one (interim, terminate) and lets the oldest closed one go. A persistent hash tree
/// copies a path of nodes for each of those (a pair of steps cost ~1.4 KB); here the sessions lie in insertion order
/// in chunks of <see cref="ChunkSize"/> entries, each entry with its id's hash, so that adding or replacing a recent
/// session copies the short tail chunk, replacing an older one copies its chunk and the spine, and dropping the oldest
/// moves a start index. A lookup compares the hashes of the entries (a few cache lines), then the id.
/// <para>
/// Enumeration is in insertion order (a replaced session keeps its place), so a document written, read and written
/// again is the same bytes. Every map is immutable once built; the public constructor makes an empty map that a
/// deserializer fills through <see cref="IDictionary{TKey, TValue}"/>, and the account document keeps a frozen copy.
/// </para>
/// </summary>
public sealed class SessionMap : IReadOnlyDictionary<string, Session>, IDictionary<string, Session>, IDictionary
{
    /// <summary>Entries per chunk: the tail is copied whole on each add, the spine once per chunk.</summary>
    internal const int ChunkSize = 8;

    public static SessionMap Empty { get; } = new([], 0, [], 0, open: false);

    // Sealed chunks of exactly ChunkSize entries (a removed entry leaves a null session behind), the entries of the
    // first chunk before _head dropped, then the tail (fewer than ChunkSize entries, none removed).
    private Entry[][] _chunks;
    private int _head;
    private Entry[] _tail;
    private int _count;
    private bool _open;

    /// <summary>An empty map for a deserializer to fill; an account document keeps a frozen copy of it (see <see cref="Frozen"/>).</summary>
    public SessionMap()
        : this([], 0, [], 0, open: true)
    {
    }

    private SessionMap(Entry[][] chunks, int head, Entry[] tail, int count, bool open) =>
        (_chunks, _head, _tail, _count, _open) = (chunks, head, tail, count, open);

    public int Count => _count;

    public Session this[string key] => GetValueOrDefault(key) ?? throw new KeyNotFoundException($"no session '{key}'");

    public IEnumerable<string> Keys
    {
        get
        {
            foreach (var (key, _) in this)
            {
                yield return key;
            }
        }
    }

    public IEnumerable<Session> Values
    {
        get
        {
            foreach (var (_, session) in this)
            {
                yield return session;
            }
        }
    }

    public bool ContainsKey(string key) => Find(key, Hash(key), out _, out _) is not null;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Session value)
    {
        value = Find(key, Hash(key), out _, out _);
        return value is not null;
    }

    public Session? GetValueOrDefault(string key) => Find(key, Hash(key), out _, out _);

    /// <summary>The map with <paramref name="value"/> stored under its id <paramref name="key"/>: in its place if the id is held, else last.</summary>
    public SessionMap SetItem(string key, Session value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!string.Equals(key, value.SessionId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"session '{value.SessionId}' is stored under its own id, not '{key}'", nameof(key));
        }

        var hash = Hash(key);
        var entry = new Entry(hash, value);
        if (Find(key, hash, out var chunk, out var index) is not null)
        {
            if (chunk < 0)
            {
                var tail = (Entry[])_tail.Clone();
                tail[index] = entry;
                return new(_chunks, _head, tail, _count, open: false);
            }

            var chunks = (Entry[][])_chunks.Clone();
            var entries = (Entry[])chunks[chunk].Clone();
            entries[index] = entry;
            chunks[chunk] = entries;
            return new(chunks, _head, _tail, _count, open: false);
        }

        var grown = new Entry[_tail.Length + 1];
        _tail.CopyTo(grown, 0);
        grown[^1] = entry;
        if (grown.Length < ChunkSize)
        {
            return new(_chunks, _head, grown, _count + 1, open: false);
        }

        var spine = new Entry[_chunks.Length + 1][];
        _chunks.CopyTo(spine, 0);
        spine[^1] = grown;
        return new(spine, _head, [], _count + 1, open: false);
    }

    /// <summary>The map without the session <paramref name="key"/> (this map when it holds none).</summary>
    public SessionMap Remove(string key)
    {
        if (Find(key, Hash(key), out var chunk, out var index) is null)
        {
            return this;
        }

        if (_count == 1)
        {
            return Empty;
        }

        if (chunk < 0)
        {
            var tail = new Entry[_tail.Length - 1];
            _tail.AsSpan(0, index).CopyTo(tail);
            _tail.AsSpan(index + 1).CopyTo(tail.AsSpan(index));
            return new(_chunks, _head, tail, _count - 1, open: false);
        }

        if (chunk == 0 && index == _head)
        {
            // The oldest entry (the oldest closed session, usually): the start moves, nothing is copied.
            return Started(_chunks, _head + 1, _tail, _count - 1);
        }

        var entries = (Entry[])_chunks[chunk].Clone();
        entries[index] = default;
        Entry[][] chunks;
        if (Array.TrueForAll(entries, e => e.Session is null))
        {
            chunks = new Entry[_chunks.Length - 1][];
            _chunks.AsSpan(0, chunk).CopyTo(chunks);
            _chunks.AsSpan(chunk + 1).CopyTo(chunks.AsSpan(chunk));
        }
        else
        {
            chunks = (Entry[][])_chunks.Clone();
            chunks[chunk] = entries;
        }

        var next = new SessionMap(chunks, _head, _tail, _count - 1, open: false);
        return (chunks.Length * ChunkSize) - _head > (2 * next._count) + (2 * ChunkSize) ? next.Compacted() : next;
    }

    /// <summary>The map without every session of <paramref name="keys"/>.</summary>
    public SessionMap RemoveRange(IEnumerable<string> keys)
    {
        var map = this;
        foreach (var key in keys)
        {
            map = map.Remove(key);
        }

        return map;
    }

    /// <summary>The empty map.</summary>
    public SessionMap Clear() => Empty;

    public Enumerator GetEnumerator() => new(this);

    /// <summary>This map as an account document keeps it: itself, or a frozen copy of a map a deserializer filled.</summary>
    internal SessionMap Frozen() => !_open ? this : _count == 0 ? Empty : new(_chunks, _head, _tail, _count, open: false);

    private static int Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.GetHashCode();
    }

    /// <summary>The session stored under <paramref name="key"/>, where it lies (chunk -1 is the tail); newest first.</summary>
    private Session? Find(string key, int hash, out int chunk, out int index)
    {
        var tail = _tail;
        for (var i = tail.Length - 1; i >= 0; i--)
        {
            if (tail[i].Hash == hash && string.Equals(tail[i].Session!.SessionId, key, StringComparison.Ordinal))
            {
                (chunk, index) = (-1, i);
                return tail[i].Session;
            }
        }

        var chunks = _chunks;
        for (var c = chunks.Length - 1; c >= 0; c--)
        {
            var entries = chunks[c];
            var first = c == 0 ? _head : 0;
            for (var i = entries.Length - 1; i >= first; i--)
            {
                if (entries[i].Hash == hash && entries[i].Session is { } session && string.Equals(session.SessionId, key, StringComparison.Ordinal))
                {
                    (chunk, index) = (c, i);
                    return session;
                }
            }
        }

        (chunk, index) = (-1, -1);
        return null;
    }

    /// <summary>The map whose first chunk starts at <paramref name="head"/>, past removed entries and chunks wholly dropped.</summary>
    private static SessionMap Started(Entry[][] chunks, int head, Entry[] tail, int count)
    {
        var first = 0;
        while (first < chunks.Length)
        {
            var entries = chunks[first];
            while (head < entries.Length && entries[head].Session is null)
            {
                head++;
            }

            if (head < entries.Length)
            {
                break;
            }

            (first, head) = (first + 1, 0);
        }

        return new(first == 0 ? chunks : chunks[first..], head, tail, count, open: false);
    }

    /// <summary>The same sessions in the same order, in full chunks (after many removals from the middle).</summary>
    private SessionMap Compacted()
    {
        var map = Empty;
        foreach (var (key, session) in this)
        {
            map = map.SetItem(key, session);
        }

        return map;
    }

    private void SetOpen(string key, Session value, bool add)
    {
        if (!_open)
        {
            throw new NotSupportedException("a session map is immutable: SetItem and Remove return a new one");
        }

        if (add && ContainsKey(key))
        {
            throw new ArgumentException($"session '{key}' is already in the map", nameof(key));
        }

        var next = SetItem(key, value);
        (_chunks, _head, _tail, _count) = (next._chunks, next._head, next._tail, next._count);
    }

    private readonly record struct Entry(int Hash, Session? Session);

    /// <summary>The sessions in insertion order.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, Session>>, IDictionaryEnumerator
    {
        private readonly SessionMap _map;
        private int _chunk;
        private int _index;
        private Session? _current;

        internal Enumerator(SessionMap map) => (_map, _chunk, _index, _current) = (map, 0, (map._chunks.Length > 0 ? map._head : 0) - 1, null);

        public readonly KeyValuePair<string, Session> Current => new(_current!.SessionId, _current);

        readonly object IEnumerator.Current => Current;

        readonly DictionaryEntry IDictionaryEnumerator.Entry => new(_current!.SessionId, _current);

        readonly object IDictionaryEnumerator.Key => _current!.SessionId;

        readonly object? IDictionaryEnumerator.Value => _current;

        public bool MoveNext()
        {
            var chunks = _map._chunks;
            while (_chunk <= chunks.Length)
            {
                var entries = _chunk < chunks.Length ? chunks[_chunk] : _map._tail;
                while (++_index < entries.Length)
                {
                    if (entries[_index].Session is { } session)
                    {
                        _current = session;
                        return true;
                    }
                }

                (_chunk, _index) = (_chunk + 1, -1);
            }

            _current = null;
            return false;
        }

        public void Reset() => (_chunk, _index, _current) = (0, (_map._chunks.Length > 0 ? _map._head : 0) - 1, null);

        public readonly void Dispose()
        {
        }
    }

    // The collection interfaces: read-only, except while a deserializer fills a map made by the public constructor.
    IEnumerator<KeyValuePair<string, Session>> IEnumerable<KeyValuePair<string, Session>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    Session IDictionary<string, Session>.this[string key] { get => this[key]; set => SetOpen(key, value, add: false); }

    ICollection<string> IDictionary<string, Session>.Keys => [.. Keys];

    ICollection<Session> IDictionary<string, Session>.Values => [.. Values];

    bool ICollection<KeyValuePair<string, Session>>.IsReadOnly => !_open;

    void IDictionary<string, Session>.Add(string key, Session value) => SetOpen(key, value, add: true);

    bool IDictionary<string, Session>.Remove(string key) => throw Immutable();

    void ICollection<KeyValuePair<string, Session>>.Add(KeyValuePair<string, Session> item) => SetOpen(item.Key, item.Value, add: true);

    void ICollection<KeyValuePair<string, Session>>.Clear() => throw Immutable();

    bool ICollection<KeyValuePair<string, Session>>.Contains(KeyValuePair<string, Session> item) => GetValueOrDefault(item.Key) is { } session && session.Equals(item.Value);

    void ICollection<KeyValuePair<string, Session>>.CopyTo(KeyValuePair<string, Session>[] array, int arrayIndex)
    {
        foreach (var pair in this)
        {
            array[arrayIndex++] = pair;
        }
    }

    bool ICollection<KeyValuePair<string, Session>>.Remove(KeyValuePair<string, Session> item) => throw Immutable();

    bool IDictionary.IsFixedSize => !_open;

    bool IDictionary.IsReadOnly => !_open;

    ICollection IDictionary.Keys => Keys.ToArray();

    ICollection IDictionary.Values => Values.ToArray();

    bool ICollection.IsSynchronized => false;

    object ICollection.SyncRoot => this;

    object? IDictionary.this[object key] { get => key is string id ? GetValueOrDefault(id) : null; set => throw Immutable(); }

    void IDictionary.Add(object key, object? value) => throw Immutable();

    void IDictionary.Clear() => throw Immutable();

    bool IDictionary.Contains(object key) => key is string id && ContainsKey(id);

    IDictionaryEnumerator IDictionary.GetEnumerator() => GetEnumerator();

    void IDictionary.Remove(object key) => throw Immutable();

    void ICollection.CopyTo(Array array, int index)
    {
        foreach (var pair in this)
        {
            array.SetValue(new DictionaryEntry(pair.Key, pair.Value), index++);
        }
    }

    private static NotSupportedException Immutable() => new("a session map is immutable: SetItem and Remove return a new one");
}
