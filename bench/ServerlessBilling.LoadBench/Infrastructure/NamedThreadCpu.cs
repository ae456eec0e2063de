using System.Globalization;

namespace ServerlessBilling.LoadBench.Infrastructure;

/// <summary>
/// The CPU time so far of this process's threads with a given OS name (Linux: /proc/self/task/*/comm and the first
/// field of schedstat, in ns), e.g. the SQLite store's "sqlite-writer": how much of a run one dedicated thread did.
/// Answers null where that is not readable.
/// </summary>
internal static class NamedThreadCpu
{
    public static TimeSpan? Of(string name)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/task"))
        {
            return null;
        }

        long ns = 0;
        var found = false;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).Trim() != name)
                {
                    continue;
                }

                ns += long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0], CultureInfo.InvariantCulture);
                found = true;
            }
            catch (IOException)
            {
                // The thread ended while it was being read.
            }
        }

        return found ? TimeSpan.FromTicks(ns / 100) : null;
    }

    /// <summary>
    /// How many times this process's threads (those alive now) have been put on a core so far (the third field of
    /// /proc/self/task/*/schedstat): against a run's work, how often a thread slept and was woken (thread hops, waits).
    /// </summary>
    public static long? Switches()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/task"))
        {
            return null;
        }

        long switches = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                switches += long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[2], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended while it was being read.
            }
        }

        return switches;
    }
}
