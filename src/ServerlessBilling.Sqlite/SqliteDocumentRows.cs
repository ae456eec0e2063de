using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// How an account document lies in the file: as rows, so that a write stores only the parts that changed. SQLite
/// rewrites a whole record (and every overflow page of it) when any byte of it changes, so one JSON blob per
/// account would cost every page of the document on every credit-control step, although a step changes one session
/// and a few totals. The split follows the JSON (<see cref="StoredJson"/>), whatever members the document declares:
/// <list type="bullet">
/// <item>the head (the <c>doc</c> column of <c>accounts</c>, beside the version): a JSON object with every top-level
/// member whose JSON is shorter than <see cref="ApartBytes"/>, and every number, date, flag or string; it changes on
/// every write, and is small;</item>
/// <item>each longer top-level member is a row of <c>account_parts</c> with member <see cref="Whole"/>; or, when it
/// is an object (a dictionary, or a record) of at least <see cref="ByMemberBytes"/>, one row per member of it (such
/// as one session, a row of <c>account_members</c> since schema 6: see <see cref="TableOf"/>), so that a change to one
/// entry writes one small row.</item>
/// </list>
/// A write starts from the rows written for the version before: a part, or a member of one, that is the same
/// object as then (the documents are immutable) keeps its bytes and is not serialized or written again. Reading
/// puts the document together again; members of a part stored by member come back in name order, which a JSON
/// object does not keep anyway. A member the head holds wins over part rows of the same name, so a whole document
/// in <c>doc</c> (as schema 3 stored it, or as another program may write it) is read as it is.
/// </summary>
internal static class SqliteDocumentRows
{
    /// <summary>A top-level member at least this long (bytes of its JSON value) is stored in its own row(s).</summary>
    public const int ApartBytes = 512;

    /// <summary>
    /// A top-level object at least this long is stored one row per member. Longer, stored whole, it would be a row of
    /// <c>account_parts</c> (WITHOUT ROWID, whose rows keep at most 1,002 bytes, key included, on a 4 KB page and put the
    /// rest on an overflow page), so each write of it was its leaf, a new overflow page and the free-list page that took
    /// the old one, where one page does: a member row of <c>account_members</c> (a rowid table) keeps up to 4,061 bytes on
    /// its page. (It was 2,048: the period totals, per destination, written on every ingestion step, are often 1 to 2 KB.)
    /// The bound leaves room for the key, as <see cref="SqliteArrayChunks.ChunkBytes"/> does.
    /// </summary>
    public const int ByMemberBytes = 900;

    /// <summary>The member column of a part stored whole. An object with a member of that name is stored whole.</summary>
    public const string Whole = "";

    /// <summary>
    /// Appended to a top-level member's name in the part column for the rows of an array stored in chunks (schema 5):
    /// the member column is the chunk's key, in order. A top-level name is a property name, never ending so.
    /// </summary>
    public const string ArraySuffix = "[]";

    private static readonly JsonSerializerOptions Options = StoredJson.Options;
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = Options.Encoder, SkipValidation = true };
    private static readonly ConcurrentDictionary<Type, bool> Walkable = new();
    private static readonly ConcurrentDictionary<Type, bool> Chunkable = new();
    private static readonly ConcurrentDictionary<Type, Property[]> PropertiesOf = new();
    private static readonly ConcurrentDictionary<Type, JsonTypeInfo> ElementOf = new();
    private static readonly byte[] Null = "null"u8.ToArray();

    /// <summary>The rows of <paramref name="value"/>, reusing those of <paramref name="previous"/> (any document) for parts that are the same objects; with its head.</summary>
    public static AccountDocument Write<T>(long version, T value, AccountDocument? previous)
        where T : class
    {
        var document = Write(version, value, previous, out var head);
        try
        {
            return document with { Head = head.ToArray() };
        }
        finally
        {
            head.Return();
        }
    }

    /// <summary>
    /// As <see cref="Write{T}(long, T, AccountDocument?)"/>, with the head in a rented array that the caller returns once
    /// the write that binds it is done; the document (kept as the basis of the account's next write) holds no head.
    /// </summary>
    public static AccountDocument Write<T>(long version, T value, AccountDocument? previous, out SqliteRentedJson headJson)
        where T : class
    {
        var type = Options.GetTypeInfo(typeof(T));
        var parts = new Dictionary<string, WrittenPart>(previous?.Parts.Count ?? 8, StringComparer.Ordinal); // sized: grown from 3, it was 3 allocations a write
        if (!IsWalkable(type) || Options.WriteIndented || type.Kind != JsonTypeInfoKind.Object)
        {
            headJson = SqliteRentedJson.Of(JsonSerializer.SerializeToUtf8Bytes(value, type)); // all of it is the head
            return new AccountDocument(version, parts);
        }

        using (var head = SqliteJsonScratch.Rent())
        {
            var writer = head.Writer;
            writer.WriteStartObject();
            foreach (var property in Properties(type))
            {
                var member = property.Get(value);
                if (Skipped(property, value, member))
                {
                    continue;
                }

                if (member is null or string || member.GetType().IsValueType)
                {
                    // Numbers, dates, flags and names: always in the head, written straight into it.
                    writer.WritePropertyName(property.EncodedName);
                    WriteScalar(writer, property, member);
                    continue;
                }

                var before = previous?.Parts.GetValueOrDefault(property.Name);
                var part = before is not null && Same(before.Value, member) ? before : Part(member, property.Type, before);
                if (part.Inline is { } inline)
                {
                    writer.WritePropertyName(property.EncodedName);
                    writer.WriteRawValue(inline, skipInputValidation: true);
                }

                parts[property.Name] = part;
            }

            writer.WriteEndObject();
            headJson = SqliteRentedJson.Copy(head.WrittenSpan);
            return new AccountDocument(version, parts);
        }
    }

    /// <summary>
    /// What a write must do to the part rows to go from <paramref name="before"/> (the rows the file holds) to
    /// <paramref name="after"/>; with no <paramref name="before"/>, every row is replaced.
    /// </summary>
    public static PartChanges Changes(IReadOnlyDictionary<PartKey, byte[]>? before, IReadOnlyDictionary<PartKey, byte[]> after)
    {
        if (before is null)
        {
            return new PartChanges(ReplaceAll: true, [.. after.Select(p => new PartRow(p.Key, p.Value, Existed: false))], []);
        }

        var upserts = new List<PartRow>();
        foreach (var (key, value) in after)
        {
            var existed = before.TryGetValue(key, out var old);
            if (!existed || !SameBytes(old!, value))
            {
                upserts.Add(new PartRow(key, value, existed));
            }
        }

        var deletes = new List<PartKey>();
        foreach (var key in before.Keys)
        {
            if (!after.ContainsKey(key))
            {
                deletes.Add(key);
            }
        }

        return new PartChanges(ReplaceAll: false, upserts, deletes);
    }

    /// <summary>
    /// As <see cref="Changes(IReadOnlyDictionary{PartKey, byte[]}?, IReadOnlyDictionary{PartKey, byte[]})"/> for the
    /// rows of two documents, part by part: a part that is the same as before (the same object, reused by
    /// <see cref="Write{T}"/>) is skipped without looking at its rows, and a part stored by member is compared member
    /// by member, so that a step costs the parts it changed, not every row of the document.
    /// </summary>
    public static PartChanges Changes(AccountDocument? before, AccountDocument after)
    {
        if (before is null)
        {
            return Changes(null, after.Rows);
        }

        var upserts = new List<PartRow>();
        var deletes = new List<PartKey>();
        foreach (var (name, part) in after.Parts)
        {
            var old = before.Parts.GetValueOrDefault(name);
            if (!ReferenceEquals(old, part))
            {
                Diff(name, old, part, upserts, deletes);
            }
        }

        foreach (var (name, old) in before.Parts)
        {
            if (!after.Parts.ContainsKey(name))
            {
                Diff(name, old, null, upserts, deletes);
            }
        }

        return new PartChanges(ReplaceAll: false, upserts, deletes);
    }

    /// <summary>The rows that differ between two versions of one top-level part (either may be absent).</summary>
    private static void Diff(string name, WrittenPart? old, WrittenPart? now, List<PartRow> upserts, List<PartKey> deletes)
    {
        if (old is { ByMember: true } && now is { ByMember: true, Changes: { } changes } && changes.From == old.Stamp)
        {
            // Written from that part: the walk noted what changed.
            foreach (var row in changes.Upserts)
            {
                upserts.Add(new PartRow(new PartKey(name, row.Member), row.Json, row.Existed));
            }

            foreach (var member in changes.Deletes)
            {
                deletes.Add(new PartKey(name, member));
            }

            return;
        }

        if ((old?.Rows.Count ?? 0) <= FewRows)
        {
            DiffFew(name, old, now, upserts, deletes);
            return;
        }

        var oldRows = new Dictionary<PartKey, byte[]>();
        AddRows(oldRows, name, old!);
        if (now is not null)
        {
            foreach (var (member, json) in now.Rows)
            {
                var key = new PartKey(now.RowPart(name), member);
                var existed = oldRows.Remove(key, out var was);
                if (!existed || !SameBytes(was!, json))
                {
                    upserts.Add(new PartRow(key, json, existed));
                }
            }
        }

        deletes.AddRange(oldRows.Keys);
    }

    /// <summary>Parts of at most this many rows before (a part stored whole, or in the head, or a short array) are compared without a dictionary.</summary>
    private const int FewRows = 8;

    /// <summary>As <see cref="Diff"/> for a part of at most <see cref="FewRows"/> rows before: the same rows, in the same order, matched by a scan.</summary>
    private static void DiffFew(string name, WrittenPart? old, WrittenPart? now, List<PartRow> upserts, List<PartKey> deletes)
    {
        var oldRows = old?.Rows ?? [];
        var oldPart = old?.RowPart(name);
        Span<bool> matched = stackalloc bool[FewRows];
        if (now is not null)
        {
            var rowPart = now.RowPart(name);
            foreach (var (member, json) in now.Rows)
            {
                var at = -1;
                if (string.Equals(rowPart, oldPart, StringComparison.Ordinal))
                {
                    for (var i = 0; i < oldRows.Count; i++)
                    {
                        if (!matched[i] && string.Equals(oldRows[i].Member, member, StringComparison.Ordinal))
                        {
                            at = i;
                            matched[i] = true;
                            break;
                        }
                    }
                }

                if (at < 0 || !SameBytes(oldRows[at].Json, json))
                {
                    upserts.Add(new PartRow(new PartKey(rowPart, member), json, Existed: at >= 0));
                }
            }
        }

        for (var i = 0; i < oldRows.Count; i++)
        {
            if (!matched[i])
            {
                deletes.Add(new PartKey(oldPart!, oldRows[i].Member));
            }
        }
    }

    private static void AddRows(Dictionary<PartKey, byte[]> rows, string name, WrittenPart part)
    {
        var rowPart = part.RowPart(name);
        foreach (var (member, json) in part.Rows)
        {
            rows[new PartKey(rowPart, member)] = json;
        }
    }

    /// <summary>Every part row of a document (what the file holds while it is current).</summary>
    internal static IReadOnlyDictionary<PartKey, byte[]> RowsOf(IReadOnlyDictionary<string, WrittenPart> parts)
    {
        var rows = new Dictionary<PartKey, byte[]>();
        foreach (var (name, part) in parts)
        {
            AddRows(rows, name, part);
        }

        return rows;
    }

    private static bool SameBytes(byte[] before, byte[] now) => ReferenceEquals(before, now) || before.AsSpan().SequenceEqual(now);

    /// <summary>Runs <paramref name="changes"/> for an account inside the writer's transaction.</summary>
    public static void Apply(SqliteSession session, string accountId, PartChanges changes)
    {
        if (changes.ReplaceAll)
        {
            session.Statement("DELETE FROM account_parts WHERE account_id = ?1").Bind(1, accountId).Run();
            session.Statement("DELETE FROM account_members WHERE account_id = ?1").Bind(1, accountId).Run();
        }

        foreach (var key in changes.Deletes)
        {
            session.Statement(TableOf(key).Delete).Bind(1, accountId).Bind(2, key.Part).Bind(3, key.Member).Run();
        }

        foreach (var row in changes.Upserts)
        {
            // A row the file holds is updated straight (one seek, where an upsert seeks for the conflict and again to
            // update); should it be missing after all, the upsert below puts it.
            var table = TableOf(row.Key);
            if (row.Existed && session.Statement(table.Update).Bind(1, accountId).Bind(2, row.Key.Part).Bind(3, row.Key.Member).Bind(4, row.Json).Run() == 1)
            {
                continue;
            }

            session.Statement(table.Upsert).Bind(1, accountId).Bind(2, row.Key.Part).Bind(3, row.Key.Member).Bind(4, row.Json).Run();
        }
    }

    /// <summary>
    /// The table of a part row (schema 6): a member of a part stored by member is a row of <c>account_members</c> (a
    /// rowid table: appended in the order written, with a small unique index on the key); a part stored whole and the
    /// chunks of an array are rows of <c>account_parts</c>.
    /// </summary>
    internal static RowTable TableOf(PartKey key) =>
        key.Member.Length != 0 && !key.Part.EndsWith(ArraySuffix, StringComparison.Ordinal) ? RowTable.Members : RowTable.Parts;

    /// <summary>The statements of one table of part rows (parameters: account, part, member, JSON).</summary>
    internal sealed record RowTable(string Delete, string Update, string Upsert)
    {
        public static readonly RowTable Parts = Of("account_parts");

        public static readonly RowTable Members = Of("account_members");

        private static RowTable Of(string table) => new(
            $"DELETE FROM {table} WHERE account_id = ?1 AND part = ?2 AND member = ?3",
            $"UPDATE {table} SET json = ?4 WHERE account_id = ?1 AND part = ?2 AND member = ?3",
            $"""
            INSERT INTO {table} (account_id, part, member, json) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (account_id, part, member) DO UPDATE SET json = excluded.json
            """);
    }

    /// <summary>The document's JSON from its head and its part rows (in any order): the head's members, then the parts in the order of their names.</summary>
    public static byte[] Assemble(byte[] head, IReadOnlyList<(string Part, string Member, byte[] Json)> rows)
    {
        if (rows.Count == 0)
        {
            return head;
        }

        var buffer = new ArrayBufferWriter<byte>(head.Length + rows.Sum(r => r.Json.Length + r.Member.Length + 8));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        using (var parsed = JsonDocument.Parse(head))
        {
            writer.WriteStartObject();
            var inHead = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in parsed.RootElement.EnumerateObject())
            {
                inHead.Add(member.Name);
                member.WriteTo(writer);
            }

            // Parts in the order of their names, as the rows of one table keyed by them came (schema 5), from whichever table.
            foreach (var part in rows.GroupBy(r => r.Part, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var isArray = part.Key.EndsWith(ArraySuffix, StringComparison.Ordinal);
                var name = isArray ? part.Key[..^ArraySuffix.Length] : part.Key;
                if (!inHead.Add(name))
                {
                    continue;
                }

                writer.WritePropertyName(name);
                if (isArray)
                {
                    writer.WriteRawValue(SqliteArrayChunks.Join(part.OrderBy(r => r.Member, StringComparer.Ordinal).Select(r => (r.Member, r.Json))), skipInputValidation: true);
                    continue;
                }

                if (part.FirstOrDefault(r => r.Member.Length == 0) is { Json: { } whole })
                {
                    writer.WriteRawValue(whole, skipInputValidation: true);
                    continue;
                }

                writer.WriteStartObject();
                foreach (var entry in part.OrderBy(r => r.Member, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(entry.Member);
                    writer.WriteRawValue(entry.Json, skipInputValidation: true);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>One top-level member written: in the head, whole in one row, or one row per member of it (kept for the next write to reuse).</summary>
    private static WrittenPart Part(object? value, JsonTypeInfo type, WrittenPart? before)
    {
        if (value is not null && IsChunkable(type))
        {
            return SqliteArrayChunks.Write((IEnumerable)value, ElementOf.GetOrAdd(type.Type, static (_, type) => Options.GetTypeInfo(type.ElementType!), type), before);
        }

        if (value is null || !IsWalkable(type))
        {
            return Placed(value, Json(value, type), null);
        }

        var walk = new MemberWalk(before);
        if (value is SessionMap sessions)
        {
            // The sessions, in id order, mostly the objects of the version before: an unchanged one is recognised by
            // reference beside its entry of then, without reading the session or its id (most are not in the cache).
            walk.Start(sessions.Count, ordered: true);
            var entries = ElementOf.GetOrAdd(type.Type, static (_, type) => Options.GetTypeInfo(type.ElementType!), type);
            foreach (var session in sessions.Values)
            {
                if (!walk.TryKeep(session))
                {
                    walk.Add(session.SessionId, session, entries);
                }
            }
        }
        else if (type.Kind == JsonTypeInfoKind.Dictionary)
        {
            var untyped = (IDictionary)value;
            walk.Start(untyped.Count, ordered: false);
            var entries = ElementOf.GetOrAdd(type.Type, static (_, type) => Options.GetTypeInfo(type.ElementType!), type);
            var each = untyped.GetEnumerator();
            while (each.MoveNext())
            {
                walk.Add((string)each.Key, each.Value, entries);
            }
        }
        else
        {
            var properties = Properties(type);
            walk.Start(properties.Length, ordered: false);
            foreach (var property in properties)
            {
                var member = property.Get(value);
                if (!Skipped(property, value, member))
                {
                    walk.Add(property.Name, member, property.Type);
                }
            }
        }

        return walk.Finish(value);
    }

    private static WrittenPart Placed(object? value, byte[] json, Entry[]? members, bool ordered = false) =>
        json.Length < ApartBytes ? new WrittenPart(value, json, [], members, null) { Ordered = ordered } : new WrittenPart(value, null, [(Whole, json)], members, null) { Ordered = ordered };

    /// <summary>
    /// The members of an object or a dictionary being written, matched with those written for the version before
    /// (<see cref="WrittenPart.Members"/>, in the order the serializer wrote them): a member that is the same object as
    /// then keeps its entry (its JSON is not made again), any other is serialized. The walk notes what changed from the
    /// part before as it goes (<see cref="MemberChanges"/>), so that a part stored by member finds its rows to write without
    /// comparing every member again. Members are matched in step when they come in the order of then; when both the
    /// members before and these are in ordinal order of their names (sessions always are), a member added or removed is
    /// found by merging; otherwise by name.
    /// </summary>
    private sealed class MemberWalk(WrittenPart? before)
    {
        private readonly Entry[]? _old = before?.Members;
        private readonly bool _oldOrdered = before?.Ordered ?? false;
        private Entry[] _entries = [];
        private int _count;
        private int _at; // the next member before, in step
        private List<int>? _passed; // members before passed over by merging: not in this version
        private Dictionary<string, int>? _index; // the members before by name, once matching in step or by merging failed
        private List<MemberRow>? _upserts;
        private int _length = 2;
        private bool _ordered = true;
        private bool _knownOrdered;
        private bool _hasWhole;

        public void Start(int capacity, bool ordered) => (_entries, _knownOrdered) = (new Entry[capacity], ordered);

        /// <summary>Keeps the entry of the member before in step if it is the same object as <paramref name="member"/> (whose name is then not read).</summary>
        public bool TryKeep(object member)
        {
            if (_old is null || _index is not null || _at >= _old.Length || !ReferenceEquals(_old[_at].Value, member))
            {
                return false;
            }

            Append(_old[_at++], _knownOrdered ? null : _old[_at - 1].Name);
            return true;
        }

        public void Add(string name, object? member, JsonTypeInfo type)
        {
            var at = Match(name);
            if (at >= 0 && Same(_old![at].Value, member))
            {
                Append(_old[at], name);
                return;
            }

            var json = Json(member, type);
            if (before is { ByMember: true } && (at < 0 || !SameBytes(_old![at].Json, json)))
            {
                // Noted only where Finish can use them: the changes from a part stored by member. The small objects
                // of the head (spend, totals) are walked too, and each allocated a list for nothing.
                (_upserts ??= new List<MemberRow>(2)).Add(new MemberRow(name, json, Existed: at >= 0));
            }

            Append(new Entry(name, member, json), name);
        }

        /// <summary>The part: whole (in the head or one row), or by member when long, with the changes from the part before.</summary>
        public WrittenPart Finish(object value)
        {
            var members = _count == _entries.Length ? _entries : _entries[.._count];
            _hasWhole |= _knownOrdered && _count > 0 && members[0].Name.Length == 0; // a name kept unread: "" sorts first
            if (_length >= ByMemberBytes && !_hasWhole)
            {
                return new WrittenPart(value, members, _ordered, before is { ByMember: true } ? new MemberChanges(before.Stamp, (IReadOnlyList<MemberRow>?)_upserts ?? [], Deleted()) : null);
            }

            using var whole = SqliteJsonScratch.Rent();
            var writer = whole.Writer;
            writer.WriteStartObject();
            foreach (var entry in members)
            {
                writer.WritePropertyName(entry.Name);
                writer.WriteRawValue(entry.Json, skipInputValidation: true);
            }

            writer.WriteEndObject();
            return Placed(value, whole.ToArray(), members, _ordered);
        }

        /// <summary>The members before that this version does not hold.</summary>
        private IReadOnlyList<string> Deleted()
        {
            if (_old is null)
            {
                return [];
            }

            if (_index is null)
            {
                // Matched in step or by merging: the members passed over, and those after the last matched.
                if (_passed is null && _at == _old.Length)
                {
                    return [];
                }

                var deleted = new List<string>();
                foreach (var at in _passed ?? [])
                {
                    deleted.Add(_old[at].Name);
                }

                for (var at = _at; at < _old.Length; at++)
                {
                    deleted.Add(_old[at].Name);
                }

                return deleted;
            }

            var kept = new HashSet<string>(_count, StringComparer.Ordinal);
            for (var i = 0; i < _count; i++)
            {
                kept.Add(_entries[i].Name);
            }

            return [.. _old.Where(e => !kept.Contains(e.Name)).Select(e => e.Name)];
        }

        /// <summary>Where the member named <paramref name="name"/> is among the members before (-1: it was not there).</summary>
        private int Match(string name)
        {
            if (_old is null)
            {
                return -1;
            }

            if (_index is null)
            {
                if (_at < _old.Length && string.Equals(_old[_at].Name, name, StringComparison.Ordinal))
                {
                    return _at++;
                }

                if (_oldOrdered && _ordered && (_count == 0 || _knownOrdered || string.CompareOrdinal(_entries[_count - 1].Name, name) < 0))
                {
                    while (_at < _old.Length && string.CompareOrdinal(_old[_at].Name, name) < 0)
                    {
                        (_passed ??= []).Add(_at++);
                    }

                    return _at < _old.Length && string.Equals(_old[_at].Name, name, StringComparison.Ordinal) ? _at++ : -1;
                }

                _index = new Dictionary<string, int>(_old.Length, StringComparer.Ordinal);
                for (var i = 0; i < _old.Length; i++)
                {
                    _index[_old[i].Name] = i;
                }
            }

            return _index.TryGetValue(name, out var found) ? found : -1;
        }

        /// <summary>Appends a member; <paramref name="name"/> is null when the order is known (and the name not read).</summary>
        private void Append(Entry entry, string? name)
        {
            if (name is not null)
            {
                _ordered &= _count == 0 || string.CompareOrdinal(_entries[_count - 1].Name, name) < 0;
                _hasWhole |= name.Length == 0;
            }

            if (_count == _entries.Length)
            {
                Array.Resize(ref _entries, Math.Max(4, _count * 2));
            }

            _entries[_count++] = entry;
            if (_length < ByMemberBytes)
            {
                // Only whether the part reaches ByMemberBytes matters: once it does, the members after are not measured
                // (a kept member's name and JSON are then not touched; most are not in the cache).
                _length += entry.Name.Length + entry.Json.Length + 4;
            }
        }
    }

    private static byte[] Json(object? value, JsonTypeInfo type) =>
        value is null ? Null
        : SerializedBefore.TryGetValue(value, out var before) && ReferenceEquals(before.Type, type) ? before.Json
        : JsonSerializer.SerializeToUtf8Bytes(value, type);

    /// <summary>
    /// The JSON of <paramref name="value"/>, an object that holds <paramref name="member"/> as one of its properties (a
    /// closed session's record and the session): exactly what the serializer writes, with the member's JSON kept beside
    /// the member (until it is collected), so that the account write that stores the same object next takes those
    /// bytes instead of serializing it again. The JSON is in a rented array, for the caller to return once it is written.
    /// </summary>
    public static SqliteRentedJson WriteHolding<T>(T value, object member)
        where T : class
    {
        var type = Options.GetTypeInfo(typeof(T));
        if (!IsWalkable(type) || Options.WriteIndented || type.Kind != JsonTypeInfoKind.Object)
        {
            return SqliteRentedJson.Of(JsonSerializer.SerializeToUtf8Bytes(value, type));
        }

        using (var buffer = SqliteJsonScratch.Rent())
        {
            var writer = buffer.Writer;
            writer.WriteStartObject();
            foreach (var property in Properties(type))
            {
                var current = property.Get(value);
                if (Skipped(property, value, current))
                {
                    continue;
                }

                writer.WritePropertyName(property.EncodedName);
                if (current is not null && ReferenceEquals(current, member) && !current.GetType().IsValueType && IsWalkable(property.Type))
                {
                    var json = JsonSerializer.SerializeToUtf8Bytes(current, property.Type);
                    SerializedBefore.AddOrUpdate(current, new Serialized(property.Type, json));
                    writer.WriteRawValue(json, skipInputValidation: true);
                    continue;
                }

                WriteScalar(writer, property, current);
            }

            writer.WriteEndObject();
            return SqliteRentedJson.Copy(buffer.WrittenSpan);
        }
    }

    /// <summary>Whether the serializer leaves the property out for this value (its condition, or a null it ignores).</summary>
    private static bool Skipped(Property property, object value, object? member) =>
        property.ShouldSerialize is { } should ? !should(value, member) : member is null && Options.DefaultIgnoreCondition == JsonIgnoreCondition.WhenWritingNull;

    /// <summary>A value written straight when it is a scalar of a built-in converter, else by the serializer.</summary>
    private static void WriteScalar(Utf8JsonWriter writer, Property property, object? member)
    {
        if (!property.Scalar.TryWrite(writer, member))
        {
            JsonSerializer.Serialize(writer, member, property.Type);
        }
    }

    /// <summary>Objects serialized by <see cref="WriteHolding{T}"/> for a record of theirs, with their JSON, for the next account write (weakly held).</summary>
    private static readonly ConditionalWeakTable<object, Serialized> SerializedBefore = new();

    private sealed record Serialized(JsonTypeInfo Type, byte[] Json);

    /// <summary>The same object as before (documents are immutable, so the same JSON); a value type is never recognised again.</summary>
    private static bool Same(object? before, object? now) => now is not null && !now.GetType().IsValueType && ReferenceEquals(before, now);

    /// <summary>
    /// The properties the serializer writes for an object type, with their contracts, found once per type (looking a
    /// contract up on every write was a tenth of a credit-control step's serialization). A property without a getter
    /// (e.g. [JsonIgnore]) is never written by the serializer either. These per-type caches take the type as the
    /// factory's argument: a lambda capturing it was a closure and a delegate allocated on every look-up.
    /// </summary>
    private static Property[] Properties(JsonTypeInfo type) => PropertiesOf.GetOrAdd(type.Type, static (_, type) =>
        [.. type.Properties.Where(p => p.Get is not null).Select(p => new Property(p.Name, JsonEncodedText.Encode(p.Name, Options.Encoder), p.Get!, p.ShouldSerialize,
            Options.GetTypeInfo(p.PropertyType), SqliteScalars.Of(Options.GetTypeInfo(p.PropertyType), Options)))], type);

    /// <summary>
    /// Whether an object can be written member by member exactly as the serializer writes it whole: plain objects and
    /// string-keyed dictionaries, with no custom converter, polymorphism, callbacks or number handling. Decided once per type.
    /// </summary>
    private static bool IsWalkable(JsonTypeInfo type) => Walkable.GetOrAdd(type.Type, static (_, type) =>
    {
        if (type.PolymorphismOptions is not null || type.OnSerializing is not null || type.OnSerialized is not null || type.NumberHandling is not null
            || (Options.NumberHandling & JsonNumberHandling.WriteAsString) != 0 || Options.ReferenceHandler is not null
            || Options.DefaultIgnoreCondition is not (JsonIgnoreCondition.Never or JsonIgnoreCondition.WhenWritingNull))
        {
            return false;
        }

        return type.Kind switch
        {
            JsonTypeInfoKind.Object => type.Properties.All(p => p.CustomConverter is null && p.NumberHandling is null && !p.IsExtensionData),
            JsonTypeInfoKind.Dictionary => type.KeyType == typeof(string) && Options.DictionaryKeyPolicy is null && typeof(IDictionary).IsAssignableFrom(type.Type),
            _ => false,
        };
    }, type);

    /// <summary>
    /// Whether a collection is written by the serializer as a JSON array of its elements, each as its element type's
    /// contract writes it (so that chunks of it put together are what the serializer writes): a built-in collection
    /// converter (a custom one makes the kind None), of a concrete element type, with the options' checks of <see cref="IsWalkable"/>.
    /// </summary>
    private static bool IsChunkable(JsonTypeInfo type) => type.Kind == JsonTypeInfoKind.Enumerable && Chunkable.GetOrAdd(type.Type, static (_, type) =>
        type.ElementType is { } element && element != typeof(object) && !element.IsInterface && !element.IsAbstract
        && Options.GetTypeInfo(element) is { PolymorphismOptions: null, OnSerializing: null, OnSerialized: null }
        && type.NumberHandling is null && (Options.NumberHandling & JsonNumberHandling.WriteAsString) == 0 && Options.ReferenceHandler is null, type);

    /// <summary>A property the serializer writes: its JSON name (and as the writer escapes it), getter, condition, contract, and how a scalar of it is written straight.</summary>
    private sealed record Property(string Name, JsonEncodedText EncodedName, Func<object, object?> Get, Func<object, object?, bool>? ShouldSerialize, JsonTypeInfo Type, SqliteScalars.Kind Scalar);

    /// <summary>One member of a part as last written: its name, the object and its JSON.</summary>
    internal readonly record struct Entry(string Name, object? Value, byte[] Json);

    /// <summary>A member row a walk found changed from the part before (<see cref="Existed"/>: that part held the member).</summary>
    internal readonly record struct MemberRow(string Member, byte[] Json, bool Existed);

    /// <summary>The member rows that take the part stamped <see cref="From"/> (stored by member) to the one that holds this.</summary>
    internal sealed record MemberChanges(long From, IReadOnlyList<MemberRow> Upserts, IReadOnlyList<string> Deletes);

    /// <summary>
    /// A top-level member as last written: the object; its JSON in the head (<see cref="Inline"/>) or its rows; and,
    /// for an object, its members' JSON in the serializer's order, which the next write reuses for members that are
    /// the same objects (and, when <see cref="ByMember"/>, its rows, with what changed from the part it was written
    /// from); for an array, its chunks (<see cref="SqliteArrayChunks"/>), which the next write reuses where the
    /// elements are the same.
    /// </summary>
    internal sealed class WrittenPart
    {
        private static long _stamps;

        private IReadOnlyList<(string Member, byte[] Json)>? _rows;

        public WrittenPart(object? value, byte[]? inline, IReadOnlyList<(string Member, byte[] Json)> rows, Entry[]? members, IReadOnlyList<SqliteArrayChunks.Chunk>? chunks)
        {
            (Value, Inline, _rows, Members, Chunks) = (value, inline, rows, members, chunks);
        }

        /// <summary>An object stored one row per member: its rows are its members' JSON; <paramref name="changes"/> from the part it was written from.</summary>
        public WrittenPart(object? value, Entry[] byMember, bool ordered, MemberChanges? changes)
        {
            (Value, Members, ByMember, Ordered, Changes) = (value, byMember, true, ordered, changes);
            Stamp = Interlocked.Increment(ref _stamps);
        }

        public object? Value { get; }

        public byte[]? Inline { get; }

        /// <summary>An object's members in the order the serializer writes them.</summary>
        public Entry[]? Members { get; }

        /// <summary>Whether <see cref="Members"/> are in ordinal order of their names.</summary>
        public bool Ordered { get; init; }

        public IReadOnlyList<SqliteArrayChunks.Chunk>? Chunks { get; }

        /// <summary>Stored one row per member of <see cref="Members"/>.</summary>
        public bool ByMember { get; }

        /// <summary>Names this part (stored by member) for the changes of the parts written from it; 0 for any other part.</summary>
        public long Stamp { get; }

        /// <summary>The member rows that changed from the part stored by member that this one was written from, if any.</summary>
        public MemberChanges? Changes { get; }

        /// <summary>Its rows: member column and JSON (none when it is in the head).</summary>
        public IReadOnlyList<(string Member, byte[] Json)> Rows => _rows ??= [.. Members!.Select(m => (m.Name, m.Json))];

        /// <summary>The part column of its rows.</summary>
        public string RowPart(string name) => Chunks is null ? name : name + ArraySuffix;
    }
}

/// <summary>A part row's key: the top-level member, and the member of it (<see cref="SqliteDocumentRows.Whole"/> when the part is stored whole).</summary>
internal readonly record struct PartKey(string Part, string Member);

/// <summary>A part row to put; <see cref="Existed"/> when the rows the write starts from hold its key (it is then updated in place, not inserted).</summary>
internal sealed record PartRow(PartKey Key, byte[] Json, bool Existed);

/// <summary>The part rows a write puts (inserted or replaced) and deletes; <see cref="ReplaceAll"/> deletes every part row of the account first.</summary>
internal sealed record PartChanges(bool ReplaceAll, IReadOnlyList<PartRow> Upserts, IReadOnlyList<PartKey> Deletes);

/// <summary>
/// An account document as written for one version: its top-level parts, for the next version to reuse; its part rows
/// (what the file holds while that version is current) follow from them.
/// </summary>
internal sealed record AccountDocument(long Version, Dictionary<string, SqliteDocumentRows.WrittenPart> Parts)
{
    /// <summary>
    /// Its head (the <c>doc</c> column) as an array, when it was written for one
    /// (<see cref="SqliteDocumentRows.Write{T}(long, T, AccountDocument?)"/>). The store's writes take the head in a rented
    /// array and do not keep it: the next write of the account starts from the parts, never from the head.
    /// </summary>
    public byte[] Head { get; init; } = [];

    private IReadOnlyDictionary<PartKey, byte[]>? _rows;

    public IReadOnlyDictionary<PartKey, byte[]> Rows => _rows ??= SqliteDocumentRows.RowsOf(Parts);

    /// <summary>The next_expiry column written with it (the accounts' sweep index), when the store sets one.</summary>
    public long? Expiry { get; init; }
}
