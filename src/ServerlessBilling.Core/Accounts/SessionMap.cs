using System.Collections;
using System.Diagnostics.CodeAnalysis;
using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// The sessions of an account document by id: an immutable map, cheap to copy on write for the way credit control
/// uses it. An account holds tens of sessions, most of them closed and kept for replays; a step adds one session
/// (authorize), replaces a recent one (interim, terminate) and lets the oldest closed one go. A persistent hash tree
/// copies a path of nodes for each of those (a pair of steps cost ~1.4 KB); here the sessions lie in insertion order
/// in chunks of <see cref="ChunkSize"/> entries, each entry with its id's hash, the newest entry in the map itself, so
/// that adding a session writes the one before it into the next slot of the tail chunk (which the versions of the map
/// share), replacing the newest (terminate after authorize) copies no array, replacing another recent one copies the
/// short tail, replacing an older one copies its chunk and the spine, and dropping the oldest moves a start index. A
/// lookup compares the hashes of the entries, then the id; beside the spine, one 64-bit mask per chunk says which hash
/// bits its entries have, so that a look-up of an id the map does not hold (every authorize) reads the masks and the
/// tail, not every chunk (a document not touched for a while is not in the cache).
/// <para>
/// Enumeration is in ordinal order of the ids, whatever order the sessions came in, so that the JSON of a document is a
/// function of its sessions: a document read back from a store that keeps its sessions in any order (SQLite keeps one
/// row per session) is written as the same bytes. The order is made when first enumerated (a credit-control step on
/// the memory store never asks) and kept; a map made from one whose order is known makes its own from that one and the
/// few changes between them, without sorting again. The rules' own passes over every session (<see cref="Unordered"/>)
/// take the entries as they lie. Every map is immutable once built; the public constructor makes an empty map that a
/// deserializer fills through <see cref="IDictionary{TKey, TValue}"/>, and the account document keeps a frozen copy.
/// </para>
/// </summary>
public sealed class SessionMap : IReadOnlyDictionary<string, Session>, IDictionary<string, Session>, IDictionary
{
    /// <summary>Entries per chunk: the spine is copied once per chunk; an add writes a slot of the tail's (see <see cref="Tail"/>).</summary>
    internal const int ChunkSize = 8;

    /// <summary>How many changes a map's order may be behind a known order before it is sorted again instead.</summary>
    private const int MaxChanges = 8;

    private static readonly Comparison<Session> ById = static (a, b) => string.CompareOrdinal(a.SessionId, b.SessionId);

    public static SessionMap Empty { get; } = new([], [], 0, Tail.None, 0, default, 0, open: false);

    // Sealed chunks of exactly ChunkSize entries (a removed entry leaves a null session behind), the entries of the
    // first chunk before _head dropped, then the tail: the first _tailCount slots of _tail (fewer than ChunkSize entries,
    // none removed), a chunk the versions of the map share (see Tail), and last the newest entry, held in the map itself
    // (none when its session is null): a step that replaces the session it just added (terminate after authorize) makes
    // a map and copies no array.
    private Entry[][] _chunks;
    private ulong[] _masks; // one a chunk: the bits (see Bit) of the hashes of its entries (a removed one's may stay)
    private int _head;
    private Tail _tail;
    private int _tailCount;
    private Entry _newest;
    private int _count;
    private bool _open;

    // The sessions in id order once made (a Session[], see Ordered), or what to make it from (a Pending: a known order
    // and the changes since), or null. One field, so that a reader sees one or the other whole.
    private object? _order;

    // How many sessions are active, once known (-1 before): counted once, then carried to each map made from this one by
    // the change between them, so that a document's activeSessions (written with every step's JSON) does not walk every
    // session. Never kept while the map is open (see SetOpen).
    private int _active = -1;

    /// <summary>An empty map for a deserializer to fill; an account document keeps a frozen copy of it (see <see cref="Frozen"/>).</summary>
    public SessionMap()
        : this([], [], 0, Tail.None, 0, default, 0, open: true)
    {
    }

    private SessionMap(Entry[][] chunks, ulong[] masks, int head, Tail tail, int tailCount, in Entry newest, int count, bool open) =>
        (_chunks, _masks, _head, _tail, _tailCount, _newest, _count, _open) = (chunks, masks, head, tail, tailCount, newest, count, open);

    /// <summary>Where <see cref="Find"/> says the newest entry and the tail's entries lie (sealed chunks are 0 on).</summary>
    private const int NewestChunk = -2, TailChunk = -1;

    /// <summary>The entries of the tail this map sees.</summary>
    private ReadOnlySpan<Entry> TailEntries => _tail.Slots.AsSpan(0, _tailCount);

    public int Count => _count;

    public Session this[string key] => GetValueOrDefault(key) ?? throw new KeyNotFoundException($"no session '{key}'");

    /// <summary>The ids, in ordinal order.</summary>
    public IEnumerable<string> Keys => Ordered().Select(static s => s.SessionId);

    /// <summary>The sessions, in ordinal order of their ids.</summary>
    public IEnumerable<Session> Values => Ordered();

    /// <summary>Every session in no particular order (as they lie), with nothing made for it: for passes that look at each one.</summary>
    internal UnorderedSessions Unordered => new(this);

    public bool ContainsKey(string key) => Find(key, Hash(key), out _, out _) is not null;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Session value)
    {
        value = Find(key, Hash(key), out _, out _);
        return value is not null;
    }

    public Session? GetValueOrDefault(string key) => Find(key, Hash(key), out _, out _);

    /// <summary>The map with <paramref name="value"/> stored under its id <paramref name="key"/>: in its place if the id is held, else last.</summary>
    public SessionMap SetItem(string key, Session value) => SetItem(key, value, out _);

    /// <summary>As <see cref="SetItem(string, Session)"/>, with the session it replaces (null when the id was not held): one look-up for both.</summary>
    internal SessionMap SetItem(string key, Session value, out Session? previous) => Counted(Stored(key, value, out previous), previous, value);

    /// <summary>How many sessions are active (<see cref="SessionStatus.Active"/>): counted once per map, or carried from the map it was made from.</summary>
    internal int ActiveCount
    {
        get
        {
            var known = Volatile.Read(ref _active);
            if (known >= 0)
            {
                return known;
            }

            var count = 0;
            foreach (var session in Unordered)
            {
                count += IsActive(session);
            }

            if (!_open)
            {
                Volatile.Write(ref _active, count);
            }

            return count;
        }
    }

    private static int IsActive(Session? session) => session?.Status == SessionStatus.Active ? 1 : 0;

    /// <summary>
    /// <paramref name="next"/>, made from this map by storing <paramref name="added"/> in place of <paramref name="removed"/>
    /// (either null), with the active count it gets from this map's, when that is known. Only a map just made (shown to
    /// no one) is given it.
    /// </summary>
    private SessionMap Counted(SessionMap next, Session? removed, Session? added)
    {
        var known = Volatile.Read(ref _active);
        if (known >= 0 && !ReferenceEquals(next, this) && !ReferenceEquals(next, Empty) && !next._open)
        {
            next._active = known - IsActive(removed) + IsActive(added);
        }

        return next;
    }

    private SessionMap Stored(string key, Session value, out Session? previous)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!string.Equals(key, value.SessionId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"session '{value.SessionId}' is stored under its own id, not '{key}'", nameof(key));
        }

        var hash = Hash(key);
        var entry = new Entry(hash, value);
        previous = Find(key, hash, out var chunk, out var index);
        if (previous is not null)
        {
            if (chunk == NewestChunk)
            {
                return Next(_chunks, _masks, _head, _tail, _tailCount, entry, _count, key, value);
            }

            if (chunk == TailChunk)
            {
                var tail = Tail.Copy(TailEntries, _tailCount);
                tail.Slots[index] = entry;
                return Next(_chunks, _masks, _head, tail, _tailCount, _newest, _count, key, value);
            }

            var chunks = (Entry[][])_chunks.Clone();
            var entries = (Entry[])chunks[chunk].Clone();
            entries[index] = entry;
            chunks[chunk] = entries;
            return Next(chunks, _masks, _head, _tail, _tailCount, _newest, _count, key, value);
        }

        if (_newest.Session is null)
        {
            return Next(_chunks, _masks, _head, _tail, _tailCount, entry, _count + 1, key, value);
        }

        // A new id is the newest; the one before it takes the tail's next slot when no other version of the map took it
        // first (else the tail is copied).
        var grown = _tail;
        if (!grown.TryClaim(_tailCount, _newest))
        {
            grown = Tail.Copy(TailEntries, _tailCount + 1);
            grown.Slots[_tailCount] = _newest;
        }

        if (_tailCount + 1 < ChunkSize)
        {
            return Next(_chunks, _masks, _head, grown, _tailCount + 1, entry, _count + 1, key, value);
        }

        // The tail is full: its slots (every one claimed, so never written again) become the last chunk of the spine.
        var spine = new Entry[_chunks.Length + 1][];
        _chunks.CopyTo(spine, 0);
        spine[^1] = grown.Slots;
        var masks = new ulong[_masks.Length + 1];
        _masks.CopyTo(masks, 0);
        foreach (var sealedEntry in grown.Slots)
        {
            masks[^1] |= Bit(sealedEntry.Hash);
        }

        return Next(spine, masks, _head, Tail.None, 0, entry, _count + 1, key, value);
    }

    /// <summary>The map without the session <paramref name="key"/> (this map when it holds none).</summary>
    public SessionMap Remove(string key)
    {
        var next = Removed(key, out var removed);
        return Counted(next, removed, null);
    }

    private SessionMap Removed(string key, out Session? removed)
    {
        if (_chunks.Length > 0 && _chunks[0][_head].Session is { } oldest && string.Equals(oldest.SessionId, key, StringComparison.Ordinal))
        {
            // The oldest entry (the oldest closed session, usually), found without a search: the start moves, nothing is copied.
            removed = oldest;
            return _count == 1 ? Empty : Next(Started(_chunks, _masks, _head + 1, _tail, _tailCount, _newest, _count - 1), key, null);
        }

        removed = Find(key, Hash(key), out var chunk, out var index);
        if (removed is null)
        {
            return this;
        }

        if (_count == 1)
        {
            return Empty;
        }

        if (chunk == NewestChunk)
        {
            return Next(_chunks, _masks, _head, _tail, _tailCount, default, _count - 1, key, null);
        }

        if (chunk == TailChunk)
        {
            var tail = _tailCount == 1 ? Tail.None : Tail.Copy(TailEntries[..index], _tailCount - 1);
            TailEntries[(index + 1)..].CopyTo(tail.Slots.AsSpan(index));
            return Next(_chunks, _masks, _head, tail, _tailCount - 1, _newest, _count - 1, key, null);
        }

        var entries = (Entry[])_chunks[chunk].Clone();
        entries[index] = default;
        Entry[][] chunks;
        var masks = _masks;
        if (Array.TrueForAll(entries, e => e.Session is null))
        {
            chunks = new Entry[_chunks.Length - 1][];
            _chunks.AsSpan(0, chunk).CopyTo(chunks);
            _chunks.AsSpan(chunk + 1).CopyTo(chunks.AsSpan(chunk));
            masks = new ulong[_masks.Length - 1];
            _masks.AsSpan(0, chunk).CopyTo(masks);
            _masks.AsSpan(chunk + 1).CopyTo(masks.AsSpan(chunk));
        }
        else
        {
            chunks = (Entry[][])_chunks.Clone();
            chunks[chunk] = entries;
        }

        var next = Next(chunks, masks, _head, _tail, _tailCount, _newest, _count - 1, key, null);
        return (chunks.Length * ChunkSize) - _head > (2 * next._count) + (2 * ChunkSize) ? next.Compacted() : next;
    }

    /// <summary>
    /// As <see cref="Remove"/>, on a map the caller has just made (by <see cref="SetItem(string, Session)"/> or this) and
    /// shown to no one: the oldest entry (a closed session leaving the book) leaves by moving this map's start, with no
    /// other map made. Any other key is removed as <see cref="Remove"/> does.
    /// </summary>
    internal SessionMap RemoveUnshared(string key)
    {
        var known = Volatile.Read(ref _order);
        if (_open || _count <= 1 || known is Session[] || _chunks.Length == 0
            || _chunks[0][_head].Session is not { } oldest || !string.Equals(oldest.SessionId, key, StringComparison.Ordinal))
        {
            return Remove(key);
        }

        (_chunks, _masks, _head) = StartAt(_chunks, _masks, _head + 1);
        _count--;
        if (_active >= 0)
        {
            _active -= IsActive(oldest);
        }

        _order = known is Pending pending && pending.Changes.Length < MaxChanges ? new Pending(pending.Basis, [.. pending.Changes, new Change(key, null)]) : null;
        return this;
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

    /// <summary>The sessions in ordinal order of their ids.</summary>
    public Enumerator GetEnumerator() => new(Ordered());

    /// <summary>This map as an account document keeps it: itself, or a frozen copy of a map a deserializer filled.</summary>
    internal SessionMap Frozen() => !_open ? this : _count == 0 ? Empty : new(_chunks, _masks, _head, _tail, _tailCount, _newest, _count, open: false);

    /// <summary>The bit of a chunk's mask that an entry with hash code <paramref name="hash"/> sets.</summary>
    private static ulong Bit(int hash) => 1UL << (hash & 63);

    private static int Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.GetHashCode();
    }

    /// <summary>The session stored under <paramref name="key"/>, where it lies (chunk <see cref="NewestChunk"/>: the newest entry; <see cref="TailChunk"/>: the tail); newest first.</summary>
    private Session? Find(string key, int hash, out int chunk, out int index)
    {
        if (_newest.Hash == hash && _newest.Session is { } newest && string.Equals(newest.SessionId, key, StringComparison.Ordinal))
        {
            (chunk, index) = (NewestChunk, 0);
            return newest;
        }

        var tail = TailEntries;
        for (var i = tail.Length - 1; i >= 0; i--)
        {
            if (tail[i].Hash == hash && string.Equals(tail[i].Session!.SessionId, key, StringComparison.Ordinal))
            {
                (chunk, index) = (TailChunk, i);
                return tail[i].Session;
            }
        }

        var (chunks, masks, bit) = (_chunks, _masks, Bit(hash));
        for (var c = chunks.Length - 1; c >= 0; c--)
        {
            if ((masks[c] & bit) == 0)
            {
                continue;
            }

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

    /// <summary>The next version: these entries, one change (<paramref name="session"/> stored under <paramref name="key"/>, or removed when null) from this map.</summary>
    private SessionMap Next(Entry[][] chunks, ulong[] masks, int head, Tail tail, int tailCount, in Entry newest, int count, string key, Session? session) =>
        Next(new SessionMap(chunks, masks, head, tail, tailCount, newest, count, open: false), key, session);

    /// <summary>Hands <paramref name="next"/> this map's order, if known or close to it, with the change that makes its own.</summary>
    private SessionMap Next(SessionMap next, string key, Session? session)
    {
        if (_open)
        {
            return next;
        }

        switch (Volatile.Read(ref _order))
        {
            case Session[] ordered:
                next._order = new Pending(ordered, [new Change(key, session)]);
                break;
            case Pending pending when pending.Changes.Length < MaxChanges:
                next._order = new Pending(pending.Basis, [.. pending.Changes, new Change(key, session)]);
                break;
        }

        return next;
    }

    /// <summary>The sessions in ordinal order of their ids: made once, from the order known to an earlier map and the changes since if it can, else sorted.</summary>
    private Session[] Ordered()
    {
        var known = Volatile.Read(ref _order);
        if (known is Session[] done)
        {
            return done;
        }

        Session[] ordered;
        if (!_open && known is Pending pending)
        {
            var list = new List<Session>(pending.Basis.Length + pending.Changes.Length);
            list.AddRange(pending.Basis);
            foreach (var change in pending.Changes)
            {
                var at = IndexOf(list, change.Key);
                if (change.Session is { } stored)
                {
                    if (at >= 0)
                    {
                        list[at] = stored;
                    }
                    else
                    {
                        list.Insert(~at, stored);
                    }
                }
                else if (at >= 0)
                {
                    list.RemoveAt(at);
                }
            }

            ordered = [.. list];
        }
        else
        {
            ordered = new Session[_count];
            var i = 0;
            foreach (var session in Unordered)
            {
                ordered[i++] = session;
            }

            Array.Sort(ordered, ById);
        }

        if (_open)
        {
            return ordered;
        }

        Volatile.Write(ref _order, ordered);
        return ordered;
    }

    /// <summary>Where <paramref name="key"/> is in the id-ordered <paramref name="sessions"/> (or the complement of where it would go).</summary>
    private static int IndexOf(List<Session> sessions, string key)
    {
        var (low, high) = (0, sessions.Count - 1);
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = string.CompareOrdinal(sessions[middle].SessionId, key);
            if (order == 0)
            {
                return middle;
            }

            (low, high) = order < 0 ? (middle + 1, high) : (low, middle - 1);
        }

        return ~low;
    }

    /// <summary>The map whose first chunk starts at <paramref name="head"/>, past removed entries and chunks wholly dropped.</summary>
    private static SessionMap Started(Entry[][] chunks, ulong[] masks, int head, Tail tail, int tailCount, in Entry newest, int count)
    {
        (chunks, masks, head) = StartAt(chunks, masks, head);
        return new(chunks, masks, head, tail, tailCount, newest, count, open: false);
    }

    /// <summary>The chunks, masks and start of a map whose first chunk starts at <paramref name="head"/>, past removed entries and chunks wholly dropped.</summary>
    private static (Entry[][] Chunks, ulong[] Masks, int Head) StartAt(Entry[][] chunks, ulong[] masks, int head)
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

        return first == 0 ? (chunks, masks, head) : (chunks[first..], masks[first..], head);
    }

    /// <summary>The same sessions in the same order, in full chunks (after many removals from the middle).</summary>
    private SessionMap Compacted()
    {
        var map = Empty;
        foreach (var session in Unordered)
        {
            map = map.SetItem(session.SessionId, session);
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
        (_chunks, _masks, _head, _tail, _tailCount, _newest, _count) = (next._chunks, next._masks, next._head, next._tail, next._tailCount, next._newest, next._count);
    }

    private readonly record struct Entry(int Hash, Session? Session);

    /// <summary>
    /// The chunk after the sealed ones, shared by the versions of a map as the chunks of an <see cref="IdWindow{T}"/> are:
    /// a version sees its first slots up to its own count, and a new id is written into the slot after them, claimed once,
    /// so that two maps made from the same version never write the same slot (the second copies the slots it sees). A
    /// slot is never written again once claimed, so every version keeps reading its own entries.
    /// </summary>
    private sealed class Tail
    {
        /// <summary>The tail of no entries with no slot free: the first add makes a tail of its own.</summary>
        public static readonly Tail None = new(0, ChunkSize);

        public readonly Entry[] Slots;
        private int _claimed;

        private Tail(int size, int claimed) => (Slots, _claimed) = (size == 0 ? [] : new Entry[size], claimed);

        /// <summary>A new tail holding <paramref name="entries"/>, its first <paramref name="claimed"/> slots taken (the caller writes those past the entries).</summary>
        public static Tail Copy(ReadOnlySpan<Entry> entries, int claimed)
        {
            var tail = new Tail(ChunkSize, claimed);
            entries.CopyTo(tail.Slots);
            return tail;
        }

        /// <summary>Writes <paramref name="entry"/> into slot <paramref name="slot"/> if no version took it before; false when one did.</summary>
        public bool TryClaim(int slot, in Entry entry)
        {
            if (slot >= Slots.Length || Interlocked.CompareExchange(ref _claimed, slot + 1, slot) != slot)
            {
                return false;
            }

            Slots[slot] = entry;
            return true;
        }
    }

    /// <summary>A known order and the changes since: what a map makes its own order from.</summary>
    private sealed record Pending(Session[] Basis, Change[] Changes);

    /// <summary>A session stored under <see cref="Key"/>, or removed (null).</summary>
    private readonly record struct Change(string Key, Session? Session);

    /// <summary>The sessions in ordinal order of their ids.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, Session>>, IDictionaryEnumerator
    {
        private readonly Session[] _sessions;
        private int _index;

        internal Enumerator(Session[] sessions) => (_sessions, _index) = (sessions, -1);

        public readonly KeyValuePair<string, Session> Current => new(_sessions[_index].SessionId, _sessions[_index]);

        readonly object IEnumerator.Current => Current;

        readonly DictionaryEntry IDictionaryEnumerator.Entry => new(_sessions[_index].SessionId, _sessions[_index]);

        readonly object IDictionaryEnumerator.Key => _sessions[_index].SessionId;

        readonly object? IDictionaryEnumerator.Value => _sessions[_index];

        public bool MoveNext() => ++_index < _sessions.Length;

        public void Reset() => _index = -1;

        public readonly void Dispose()
        {
        }
    }

    /// <summary>Every session of a map as the entries lie (oldest added first), with nothing made for it.</summary>
    internal readonly struct UnorderedSessions(SessionMap map)
    {
        public UnorderedEnumerator GetEnumerator() => new(map);
    }

    internal struct UnorderedEnumerator
    {
        private readonly SessionMap _map;
        private int _chunk;
        private int _index;
        private Session? _current;

        internal UnorderedEnumerator(SessionMap map) => (_map, _chunk, _index, _current) = (map, 0, (map._chunks.Length > 0 ? map._head : 0) - 1, null);

        public readonly Session Current => _current!;

        public bool MoveNext()
        {
            var chunks = _map._chunks;
            while (_chunk <= chunks.Length)
            {
                var entries = _chunk < chunks.Length ? chunks[_chunk] : _map._tail.Slots;
                var end = _chunk < chunks.Length ? entries.Length : _map._tailCount;
                while (++_index < end)
                {
                    if (entries[_index].Session is { } session)
                    {
                        _current = session;
                        return true;
                    }
                }

                (_chunk, _index) = (_chunk + 1, -1);
            }

            // Last, the newest entry (once).
            _current = _chunk == chunks.Length + 1 ? _map._newest.Session : null;
            _chunk++;
            return _current is not null;
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
