using System.Diagnostics;

namespace ServerlessBilling.LoadBench.Infrastructure;

/// <summary>
/// One worker's measurements: the latency of every operation (Stopwatch ticks, in 64K-entry chunks so that
/// memory follows what is recorded: one small allocation per 65,536 operations), failures, and completions
/// per second of the run. Bounded: a full recorder stops its worker.
/// </summary>
internal sealed class LatencyRecorder(int capacity, int seconds)
{
    private const int ChunkShift = 16;
    private const int ChunkSize = 1 << ChunkShift;
    private readonly List<long[]> _chunks = [];
    private readonly long[] _perSecond = new long[seconds + 2];

    public int Count { get; private set; }

    public long Failures { get; private set; }

    public bool Full => Count == capacity;

    /// <summary>Every latency recorded, in order.</summary>
    public long[] Ticks
    {
        get
        {
            var all = new long[Count];
            for (var i = 0; i < _chunks.Count; i++)
            {
                var offset = i << ChunkShift;
                Array.Copy(_chunks[i], 0, all, offset, Math.Min(ChunkSize, Count - offset));
            }

            return all;
        }
    }

    public ReadOnlySpan<long> PerSecond => _perSecond;

    public void Add(long ticks, bool ok, int second)
    {
        if (Count < capacity)
        {
            var offset = Count & (ChunkSize - 1);
            if (offset == 0)
            {
                _chunks.Add(new long[ChunkSize]);
            }

            _chunks[^1][offset] = ticks;
            Count++;
        }

        if (!ok)
        {
            Failures++;
        }

        _perSecond[Math.Clamp(second, 0, _perSecond.Length - 1)]++;
    }
}

/// <summary>Percentiles over all workers' measurements.</summary>
internal sealed record LatencySummary(long Count, double MeanUs, double P50Us, double P99Us, double P999Us, double MaxUs)
{
    public static LatencySummary Of(IReadOnlyList<LatencyRecorder> recorders) => Of(recorders.Select(r => r.Ticks));

    public static LatencySummary Of(IEnumerable<long[]> parts)
    {
        var all = parts.SelectMany(p => p).ToArray();
        if (all.Length == 0)
        {
            return new LatencySummary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        Array.Sort(all);
        return new LatencySummary(
            all.Length,
            ToUs(all.Average(t => (double)t)),
            ToUs(At(all, 0.50)),
            ToUs(At(all, 0.99)),
            ToUs(At(all, 0.999)),
            ToUs(all[^1]));
    }

    public static double ToUs(double ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    private static long At(long[] sorted, double quantile)
    {
        var rank = (int)Math.Ceiling(quantile * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
