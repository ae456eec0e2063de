using System.Buffers;
using System.Text.Json;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// A JSON writer over a growable buffer, kept per thread and reused by the document writes (an account's head, a
/// closed session's record, an array's chunks) instead of a new buffer and writer each time. A step's head outgrew
/// the 1 KB buffer it started with, so each write allocated 1 KB, then 2 KB, then the copy: with the record and the
/// chunks, about a third of the bytes a pair allocated on the SQLite store (<c>stores --split-only</c>, alloc
/// KB/pair), and the collections they cost. Only the copy handed out (<see cref="ToArray"/>) is allocated.
/// A thread keeps a few free (a write of a head rents one, and the chunks of an array written meanwhile two more).
/// </summary>
internal sealed class SqliteJsonScratch : IDisposable
{
    /// <summary>A buffer grown past this (a very long document) is not kept for the thread's next write.</summary>
    private const int KeptBytes = 64 * 1024;

    /// <summary>Free scratches a thread keeps: as many as are rented at once (the head, an element, a chunk).</summary>
    private const int KeptPerThread = 3;

    [ThreadStatic]
    private static SqliteJsonScratch?[]? t_free;

    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    private SqliteJsonScratch(JsonWriterOptions options) => Writer = new Utf8JsonWriter(_buffer, options);

    public Utf8JsonWriter Writer { get; }

    /// <summary>Bytes written so far (the writer flushed).</summary>
    public int WrittenCount
    {
        get
        {
            Writer.Flush();
            return _buffer.WrittenCount;
        }
    }

    /// <summary>What has been written so far (the writer flushed).</summary>
    public ReadOnlySpan<byte> WrittenSpan
    {
        get
        {
            Writer.Flush();
            return _buffer.WrittenSpan;
        }
    }

    /// <summary>A scratch with nothing written, its writer using <see cref="SqliteDocumentRows.WriterOptions"/>; dispose it to give it back.</summary>
    public static SqliteJsonScratch Rent()
    {
        var free = t_free ??= new SqliteJsonScratch?[KeptPerThread];
        for (var i = free.Length - 1; i >= 0; i--)
        {
            if (free[i] is { } scratch)
            {
                free[i] = null;
                return scratch;
            }
        }

        return new SqliteJsonScratch(SqliteDocumentRows.WriterOptions);
    }

    /// <summary>A copy of what was written.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>Raw bytes appended after what the writer wrote (flushed first).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Writer.Flush();
        _buffer.Write(bytes);
    }

    /// <summary>Forgets what was written: the writer starts a new document in the same buffer.</summary>
    public void Clear()
    {
        Writer.Flush();
        _buffer.ResetWrittenCount();
        Writer.Reset(_buffer);
    }

    public void Dispose()
    {
        if (_buffer.Capacity > KeptBytes)
        {
            Writer.Dispose();
            return;
        }

        Clear();
        var free = t_free ??= new SqliteJsonScratch?[KeptPerThread];
        for (var i = 0; i < free.Length; i++)
        {
            if (free[i] is null)
            {
                free[i] = this;
                return;
            }
        }

        Writer.Dispose(); // more were rented at once than are kept
    }
}
