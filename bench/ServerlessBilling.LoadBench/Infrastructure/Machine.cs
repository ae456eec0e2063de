using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;

namespace ServerlessBilling.LoadBench.Infrastructure;

/// <summary>What the figures were measured on, and CPU use over a run.</summary>
internal static class Machine
{
    public static string Describe()
    {
        var config =
#if DEBUG
            "DEBUG BUILD - figures are meaningless, use -c Release";
#else
            "Release";
#endif
        return $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}, "
            + $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC, {config}; {LoadAverage()}";
    }

    /// <summary>The 1/5/15-minute load averages (Linux): other work on the machine skews every figure.</summary>
    public static string LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"load average {fields[0]} {fields[1]} {fields[2]} (busy machine if well above the core count)";
        }
        catch (IOException)
        {
            return "load average unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "load average unknown";
        }
    }

    /// <summary>Process CPU time; (cpu seconds / wall seconds) / cores = how busy the machine was with this process.</summary>
    public static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    public static int Gen0Collections => GC.CollectionCount(0);

    /// <summary>
    /// A snapshot of this process's CPU time and of the whole machine's (Linux /proc/stat): over a run, how
    /// busy this process was and how busy the machine was with everything else (other work skews the figures).
    /// </summary>
    public static CpuSnapshot Cpu() => new(CpuTime(), MachineTicks());

    private static (long Busy, long Total) MachineTicks()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(f => long.Parse(f, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var total = fields.Sum();
            var idle = fields[3] + fields[4];
            return (total - idle, total);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return (0, 0);
        }
    }

    public readonly record struct CpuSnapshot(TimeSpan Process, (long Busy, long Total) Machine)
    {
        /// <summary>"process % / machine %" of all cores since <paramref name="start"/>.</summary>
        public string Since(CpuSnapshot start, double wallSeconds)
        {
            var process = 100.0 * (Process - start.Process).TotalSeconds / wallSeconds / Environment.ProcessorCount;
            var total = Machine.Total - start.Machine.Total;
            var machine = total <= 0 ? double.NaN : 100.0 * (Machine.Busy - start.Machine.Busy) / total;
            return $"{Fmt.N0(process)} / {Fmt.N0(machine)}";
        }

        public double ProcessSeconds(CpuSnapshot start) => (Process - start.Process).TotalSeconds;
    }

    public static int Gen2Collections => GC.CollectionCount(2);
}
