using System.Buffers;
using System.Collections.Concurrent;
using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Api.Endpoints;

/// <summary>
/// The record lists of CDR batches, reused: a 5,000-CDR batch's list is about 200 KB, an array of the large-object heap,
/// which a fresh list per request would allocate (and whose budget starts full collections). A few are kept (a batch in
/// flight per client at most), cleared when given back so that they hold no CDRs.
/// </summary>
internal static class RecordLists
{
    /// <summary>The most lists kept; more batches at once allocate their own.</summary>
    private static readonly int Kept = Math.Max(4, Environment.ProcessorCount * 2);

    /// <summary>A list larger than this (a batch far past the usual) is not kept: its memory goes back to the collector.</summary>
    private const int MaxKeptCapacity = 100_000;

    private static readonly ConcurrentQueue<List<CdrRecord>> Free = new();

    public static List<CdrRecord> Rent() => Free.TryDequeue(out var list) ? list : [];

    /// <summary>Gives back a batch's list and its body (an array of <see cref="ArrayPool{T}.Shared"/>), both no longer read.</summary>
    public static void Return(List<CdrRecord> records, byte[] body)
    {
        ArrayPool<byte>.Shared.Return(body);
        if (records.Capacity <= MaxKeptCapacity && Free.Count < Kept)
        {
            records.Clear();
            Free.Enqueue(records);
        }
    }
}
