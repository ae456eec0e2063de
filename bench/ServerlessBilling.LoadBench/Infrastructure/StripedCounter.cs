using System.Runtime.CompilerServices;

namespace ServerlessBilling.LoadBench.Infrastructure;

/// <summary>
/// A counter that many threads increment without fighting over one cache line: one padded slot per
/// processor (mod 16), summed when read.
/// </summary>
internal sealed class StripedCounter
{
    private const int Slots = 16;
    private const int Stride = 16; // 16 longs = 128 bytes: no false sharing, even with adjacent-line prefetch
    private readonly long[] _slots = new long[Slots * Stride];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(long value = 1) => Interlocked.Add(ref _slots[(Thread.GetCurrentProcessorId() & (Slots - 1)) * Stride], value);

    public long Value
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < Slots; i++)
            {
                sum += Volatile.Read(ref _slots[i * Stride]);
            }

            return sum;
        }
    }

    public void Reset()
    {
        for (var i = 0; i < Slots; i++)
        {
            Volatile.Write(ref _slots[i * Stride], 0);
        }
    }
}
