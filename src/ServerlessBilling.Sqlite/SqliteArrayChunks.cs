using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// A long JSON array of an account document (the applied CDR ids, the order of closed sessions) stored as rows of
/// consecutive elements, so that a step that appends an element and drops the oldest writes two small rows instead
/// of the whole array (30 KB for 1,000 CDR ids, rewritten with its overflow pages on every CDR). Each chunk is a
/// JSON array of at most <see cref="ChunkBytes"/> bytes (so that its row fits in its B-tree page, with no overflow
/// page) with a key that orders it; a write starts from the chunks of the version before: the elements it still
/// holds keep their chunks and bytes (not serialized again), the first chunk is written again if its oldest
/// elements were dropped, and appended elements go into the last chunk or new ones after it. The elements are
/// compared as the documents allow: strings and values by value, other objects by reference (documents are
/// immutable). When the array is not the one before with elements dropped at the front and appended at the end,
/// it is cut into chunks anew.
/// <para>
/// Since schema 7 a chunk is keyed by its place in the stream of elements ever appended, not re-cut when the oldest
/// elements go: the first chunk keeps its bytes and the number of its leading elements that are no longer in the
/// array is a small row of its own (<see cref="SkipMember"/>, a JSON number, sorted after the chunks, so beside the last
/// one), there from the first time the oldest elements go (0 when a chunk just went whole). A step that appends ids and drops as many writes the last chunk and that row (one
/// page), and deletes the first chunk once every element of it has gone, instead of rewriting the first chunk as well
/// (another page of the file, and its WAL frame and checkpoint copy, on every account write). Chunks written before
/// have no such row: none of their elements is skipped.
/// </para>
/// </summary>
internal static class SqliteArrayChunks
{
    /// <summary>A chunk's JSON is cut before it passes this (one element may exceed it alone).</summary>
    public const int ChunkBytes = 900;

    /// <summary>
    /// The member column of the row that says how many leading elements of the first chunk are not in the array: it
    /// sorts after every chunk key (fixed-width lower-case hex), so it lies beside the last chunk, which a step writes anyway.
    /// </summary>
    public const string SkipMember = "skip";

    /// <summary>
    /// Consecutive elements of the array: its key (the order of chunks), how many elements its JSON holds, their JSON
    /// array, and how many of them (leading) are no longer in the array (only the first chunk has any).
    /// </summary>
    internal sealed record Chunk(long Key, int Count, byte[] Json, int Skip = 0)
    {
        /// <summary>Its member column (formatted once, not on every write of the document).</summary>
        public string Member { get; } = MemberOf(Key);

        /// <summary>The elements of it in the array.</summary>
        public int Visible => Count - Skip;
    }

    /// <summary>The array's part: chunks as rows, or its JSON in the head when short.</summary>
    public static SqliteDocumentRows.WrittenPart Write(IEnumerable value, JsonTypeInfo element, SqliteDocumentRows.WrittenPart? before)
    {
        // A copy (a window's indexer walks its chunks), in a list the thread keeps: a new one for each write of the
        // 1,000 applied CDR ids was 8 KB of the 16 KB a step allocated.
        var items = t_items ?? new List<object?>(value is IReadOnlyCollection<object?> sized ? sized.Count : 0);
        t_items = null;
        try
        {
            foreach (var item in value)
            {
                items.Add(item);
            }

            return Write(value, items, element, before);
        }
        finally
        {
            items.Clear();
            if (items.Capacity <= KeptItems)
            {
                t_items = items;
            }
        }
    }

    /// <summary>A thread's list of elements kept for its next write (none while one is under way).</summary>
    [ThreadStatic]
    private static List<object?>? t_items;

    /// <summary>A list grown past this many elements (a very long array) is not kept.</summary>
    private const int KeptItems = 16 * 1024;

    private static SqliteDocumentRows.WrittenPart Write(IEnumerable value, List<object?> items, JsonTypeInfo element, SqliteDocumentRows.WrittenPart? before)
    {
        var chunks = before?.Chunks is { } old && before.Value is IEnumerable previous ? Reuse(items, previous, old, element) : null;
        chunks ??= Cut(items, 0, 0, element);
        var length = 2 + chunks.Sum(c => c.Json.Length - 1);
        if (length < SqliteDocumentRows.ApartBytes)
        {
            if (chunks.Count > 0 && chunks[0].Skip > 0)
            {
                chunks = Cut(items, 0, 0, element); // into the head: only the elements it holds
            }

            return new SqliteDocumentRows.WrittenPart(value, Join(chunks.Select(c => c.Json)), [], null, chunks);
        }

        // The skip row, once there, stays (at 0 when a dropped chunk leaves none to skip) rather than being deleted and put again.
        var skipRow = chunks[0].Skip > 0 || (before is { Inline: null, Chunks: not null } && before.Rows is [.., (SkipMember, _)]);
        var rows = new (string Member, byte[] Json)[chunks.Count + (skipRow ? 1 : 0)];
        for (var c = 0; c < chunks.Count; c++)
        {
            rows[c] = (chunks[c].Member, chunks[c].Json);
        }

        if (skipRow)
        {
            rows[^1] = (SkipMember, SkipJson(chunks[0].Skip));
        }

        return new SqliteDocumentRows.WrittenPart(value, null, rows, null, chunks);
    }

    private static readonly byte[][] SkipJsons = [.. Enumerable.Range(0, 256).Select(n => System.Text.Encoding.UTF8.GetBytes(n.ToString(CultureInfo.InvariantCulture)))];

    /// <summary>The skip row's JSON (a number); the small ones are shared arrays, so that an unchanged skip is found unchanged by reference.</summary>
    private static byte[] SkipJson(int skip) =>
        skip < SkipJsons.Length ? SkipJsons[skip] : System.Text.Encoding.UTF8.GetBytes(skip.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// The array stored in rows (member column and JSON, ordered by member): the chunks' arrays as one, without the
    /// leading elements the <see cref="SkipMember"/> row (if any) says are no longer in it.
    /// </summary>
    public static byte[] Join(IEnumerable<(string Member, byte[] Json)> rows)
    {
        var chunks = new List<byte[]>();
        var skip = 0;
        foreach (var (member, json) in rows)
        {
            if (string.Equals(member, SkipMember, StringComparison.Ordinal))
            {
                skip = ParseSkip(json);
            }
            else
            {
                chunks.Add(json);
            }
        }

        if (skip > 0)
        {
            for (var c = 0; c < chunks.Count && skip > 0; c++)
            {
                (chunks[c], skip) = Skipped(chunks[c], skip);
            }
        }

        return Join(chunks);
    }

    private static int ParseSkip(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        return reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var skip) && skip >= 0
            ? skip
            : throw new InvalidDataException("a stored array's skip row is not a count");
    }

    /// <summary>A chunk's JSON array without its first <paramref name="skip"/> elements, and how many of them are left to skip in the next chunks.</summary>
    private static (byte[] Json, int Left) Skipped(byte[] chunk, int skip)
    {
        var reader = new Utf8JsonReader(chunk);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new InvalidDataException("a stored array's chunk is not a JSON array");
        }

        var end = (int)reader.BytesConsumed; // after '['
        while (skip > 0 && reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            reader.Skip();
            end = (int)reader.BytesConsumed;
            skip--;
        }

        var rest = chunk.AsSpan(end);
        if (rest.Length > 0 && rest[0] == (byte)',')
        {
            rest = rest[1..];
        }

        var json = new byte[rest.Length + 1];
        json[0] = (byte)'[';
        rest.CopyTo(json.AsSpan(1));
        return (json, skip);
    }

    /// <summary>The chunks' arrays as one JSON array (in the given order).</summary>
    public static byte[] Join(IEnumerable<byte[]> chunks)
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write("["u8);
        var first = true;
        foreach (var chunk in chunks)
        {
            var inner = chunk.AsSpan(1, chunk.Length - 2);
            if (inner.IsEmpty)
            {
                continue;
            }

            if (!first)
            {
                buffer.Write(","u8);
            }

            buffer.Write(inner);
            first = false;
        }

        buffer.Write("]"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The member column of a chunk: its key in fixed-width hex, so that the columns' order is the keys' order.</summary>
    private static string MemberOf(long key) => key.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>
    /// The chunks of <paramref name="items"/> if they are <paramref name="previous"/>'s elements after dropping some at
    /// the front and appending some at the end; else null.
    /// </summary>
    private static List<Chunk>? Reuse(List<object?> items, IEnumerable previous, IReadOnlyList<Chunk> old, JsonTypeInfo element)
    {
        var count = old.Sum(c => c.Visible);
        if (old.Count == 0)
        {
            return null;
        }

        // The elements dropped at the front: those before the new array's first (all, if it is not there); the rest
        // must be the new array's first elements, in order. One pass over the old array, no copy of it.
        var dropped = 0;
        var kept = 0;
        var matching = false;
        foreach (var item in previous)
        {
            if (!matching)
            {
                if (items.Count > 0 && Same(item, items[0]))
                {
                    matching = true;
                }
                else
                {
                    dropped++;
                    continue;
                }
            }

            if (kept >= items.Count || !Same(item, items[kept]))
            {
                return null;
            }

            kept++;
        }

        if (dropped + kept != count)
        {
            return null; // the chunks were not written for this array
        }

        var chunks = new List<Chunk>(old.Count + 1);
        var start = -dropped - old[0].Skip; // where each old chunk's JSON starts in the new array (before it, if it holds dropped elements)
        var appended = items.Count > kept;
        for (var c = 0; c < old.Count; c++)
        {
            var chunk = old[c];
            var end = start + chunk.Count;
            if (end > 0)
            {
                var from = Math.Max(start, 0);
                if (c == old.Count - 1 && appended)
                {
                    // The last chunk takes the appended elements, and new chunks follow it. When it holds no dropped
                    // element its bytes are kept and the new elements' JSON follows them (the chunk Cut would make
                    // from its elements, without serializing them again); else it is cut again without them.
                    chunks.AddRange(start >= 0 ? Cut(items, end, chunk.Key, element, chunk) : Cut(items, from, chunk.Key, element));
                    return chunks;
                }

                // A chunk that holds dropped elements keeps its bytes: the first chunk, with that many skipped.
                chunks.Add(chunk.Skip == from - start ? chunk : chunk with { Skip = from - start });
            }

            start = end;
        }

        if (appended)
        {
            chunks.AddRange(Cut(items, 0, checked(old[^1].Key + 1), element)); // every old element was dropped
        }

        return chunks;
    }

    /// <summary>
    /// Chunks of the elements from <paramref name="from"/> to the end, keys from <paramref name="firstKey"/> on; after
    /// the elements of <paramref name="before"/> (none skipped), when given: the first chunk then starts with its bytes.
    /// </summary>
    private static List<Chunk> Cut(List<object?> items, int from, long firstKey, JsonTypeInfo element, Chunk? before = null)
    {
        var chunks = new List<Chunk>();
        var key = firstKey;
        using var scratch = SqliteJsonScratch.Rent();
        using var chunk = SqliteJsonScratch.Rent();
        var count = 0;
        if (before is not null)
        {
            chunk.WriteRaw(before.Json.AsSpan(0, before.Json.Length - 1)); // without its ']'
            count = before.Count;
        }

        for (var i = from; i < items.Count; i++)
        {
            scratch.Clear();
            JsonSerializer.Serialize(scratch.Writer, items[i], element);
            var json = scratch.WrittenSpan;
            if (count > 0 && chunk.WrittenCount + json.Length + 2 > ChunkBytes)
            {
                chunks.Add(Close(chunk, key, count));
                key = checked(key + 1);
                count = 0;
            }

            chunk.WriteRaw(count == 0 ? "["u8 : ","u8);
            chunk.WriteRaw(json);
            count++;
        }

        if (count > 0)
        {
            chunks.Add(Close(chunk, key, count));
        }

        return chunks;
    }

    private static Chunk Close(SqliteJsonScratch chunk, long key, int count)
    {
        chunk.WriteRaw("]"u8);
        var json = chunk.ToArray();
        chunk.Clear();
        return new Chunk(key, count, json);
    }

    /// <summary>The same element, so the same JSON: strings and values by value, other objects by reference (documents are immutable).</summary>
    private static bool Same(object? before, object? now) =>
        before is null ? now is null : now is not null && (before is string || before.GetType().IsValueType ? before.Equals(now) : ReferenceEquals(before, now));
}
