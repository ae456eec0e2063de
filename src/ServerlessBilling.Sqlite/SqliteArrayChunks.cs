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
/// </summary>
internal static class SqliteArrayChunks
{
    /// <summary>A chunk's JSON is cut before it passes this (one element may exceed it alone).</summary>
    public const int ChunkBytes = 900;

    /// <summary>Consecutive elements of the array: its key (the order of chunks), how many elements, and their JSON array.</summary>
    internal sealed record Chunk(long Key, int Count, byte[] Json);

    /// <summary>The array's part: chunks as rows, or its JSON in the head when short.</summary>
    public static SqliteDocumentRows.WrittenPart Write(IEnumerable value, JsonTypeInfo element, SqliteDocumentRows.WrittenPart? before, JsonWriterOptions writerOptions)
    {
        var items = new List<object?>();
        foreach (var item in value)
        {
            items.Add(item);
        }

        var chunks = before?.Chunks is { } old && before.Value is IEnumerable previous ? Reuse(items, previous, old, element, writerOptions) : null;
        chunks ??= Cut(items, 0, 0, element, writerOptions);
        var length = 2 + chunks.Sum(c => c.Json.Length - 1);
        if (length < SqliteDocumentRows.ApartBytes)
        {
            return new SqliteDocumentRows.WrittenPart(value, Join(chunks.Select(c => c.Json)), [], null, chunks);
        }

        return new SqliteDocumentRows.WrittenPart(value, null, [.. chunks.Select(c => (Member(c.Key), c.Json))], null, chunks);
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
    private static string Member(long key) => key.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>
    /// The chunks of <paramref name="items"/> if they are <paramref name="previous"/>'s elements after dropping some at
    /// the front and appending some at the end; else null.
    /// </summary>
    private static List<Chunk>? Reuse(List<object?> items, IEnumerable previous, IReadOnlyList<Chunk> old, JsonTypeInfo element, JsonWriterOptions writerOptions)
    {
        var count = old.Sum(c => c.Count);
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
        var start = -dropped; // where each old chunk starts in the new array
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
                    // The last chunk takes the appended elements, and new chunks follow it.
                    chunks.AddRange(Cut(items, from, chunk.Key, element, writerOptions));
                    return chunks;
                }

                chunks.Add(from == start ? chunk : Range(items, from, end, chunk.Key, element, writerOptions));
            }

            start = end;
        }

        if (appended)
        {
            chunks.AddRange(Cut(items, 0, checked(old[^1].Key + 1), element, writerOptions)); // every old element was dropped
        }

        return chunks;
    }

    /// <summary>Chunks of the elements from <paramref name="from"/> to the end, keys from <paramref name="firstKey"/> on.</summary>
    private static List<Chunk> Cut(List<object?> items, int from, long firstKey, JsonTypeInfo element, JsonWriterOptions writerOptions)
    {
        var chunks = new List<Chunk>();
        var key = firstKey;
        var scratch = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(scratch, writerOptions);
        var chunk = new ArrayBufferWriter<byte>(ChunkBytes + 64);
        var count = 0;
        for (var i = from; i < items.Count; i++)
        {
            scratch.ResetWrittenCount();
            writer.Reset(scratch);
            JsonSerializer.Serialize(writer, items[i], element);
            writer.Flush();
            if (count > 0 && chunk.WrittenCount + scratch.WrittenCount + 2 > ChunkBytes)
            {
                chunks.Add(Close(chunk, key, count));
                key = checked(key + 1);
                count = 0;
            }

            chunk.Write(count == 0 ? "["u8 : ","u8);
            chunk.Write(scratch.WrittenSpan);
            count++;
        }

        if (count > 0)
        {
            chunks.Add(Close(chunk, key, count));
        }

        return chunks;
    }

    /// <summary>One chunk of the elements from <paramref name="from"/> to <paramref name="to"/> (a part of a chunk: within the size).</summary>
    private static Chunk Range(List<object?> items, int from, int to, long key, JsonTypeInfo element, JsonWriterOptions writerOptions)
    {
        var buffer = new ArrayBufferWriter<byte>(ChunkBytes + 64);
        using (var writer = new Utf8JsonWriter(buffer, writerOptions))
        {
            writer.WriteStartArray();
            for (var i = from; i < to; i++)
            {
                JsonSerializer.Serialize(writer, items[i], element);
            }

            writer.WriteEndArray();
        }

        return new Chunk(key, to - from, buffer.WrittenSpan.ToArray());
    }

    private static Chunk Close(ArrayBufferWriter<byte> chunk, long key, int count)
    {
        chunk.Write("]"u8);
        var json = chunk.WrittenSpan.ToArray();
        chunk.ResetWrittenCount();
        return new Chunk(key, count, json);
    }

    /// <summary>The same element, so the same JSON: strings and values by value, other objects by reference (documents are immutable).</summary>
    private static bool Same(object? before, object? now) =>
        before is null ? now is null : now is not null && (before is string || before.GetType().IsValueType ? before.Equals(now) : ReferenceEquals(before, now));
}
