using System.Globalization;

namespace ServerlessBilling.LoadBench.Infrastructure;

/// <summary>
/// What this process spent over one timed run: CPU time (and the machine's busy share), collections, GC pauses and
/// bytes allocated. <see cref="Start"/> collects first, so that a run does not pay for its set-up's garbage.
/// </summary>
internal sealed class RunMeter
{
    private readonly Machine.CpuSnapshot _cpu = Machine.Cpu();
    private readonly int _gen0 = Machine.Gen0Collections;
    private readonly int _gen2 = Machine.Gen2Collections;
    private readonly TimeSpan _pause = GC.GetTotalPauseDuration();
    private readonly long _allocated = GC.GetTotalAllocatedBytes();

    private RunMeter()
    {
    }

    public static RunMeter Start()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return new RunMeter();
    }

    public RunCost Stop(double wallSeconds)
    {
        var cpu = Machine.Cpu();
        return new RunCost(
            wallSeconds, cpu.Since(_cpu, wallSeconds), cpu.ProcessSeconds(_cpu), Machine.Gen0Collections - _gen0, Machine.Gen2Collections - _gen2,
            GC.GetTotalPauseDuration() - _pause, GC.GetTotalAllocatedBytes() - _allocated);
    }
}

/// <summary>What <see cref="RunMeter"/> measured, with the table cells every scenario prints.</summary>
internal sealed record RunCost(double Seconds, string Cpu, double CpuSeconds, int Gen0, int Gen2, TimeSpan GcPause, long Allocated)
{
    /// <summary>"gen0/gen2" collections during the run.</summary>
    public string Collections => string.Create(CultureInfo.InvariantCulture, $"{Gen0}/{Gen2}");

    /// <summary>"pause ms (share of the wall time)": all threads stand still while server GC works on every core.</summary>
    public string Pause => $"{Fmt.N0(GcPause.TotalMilliseconds)} ({Fmt.N0(100 * GcPause.TotalSeconds / Seconds)}%)";

    /// <summary>Process CPU time per unit of work (all threads, GC included), in microseconds.</summary>
    public double CpuUsPer(double units) => CpuSeconds * 1e6 / Math.Max(1, units);

    public double AllocatedKbPer(double units) => Allocated / 1024.0 / Math.Max(1, units);
}
