using System.Diagnostics;

namespace ServerlessBilling.LoadBench.Infrastructure;

/// <summary>What one timed run of batches measured: batches [0, Done) were done, each timed.</summary>
internal sealed record BatchRun(int Done, LatencySummary Latency, RunCost Cost)
{
    public double Seconds => Cost.Seconds;
}

/// <summary>
/// <c>inFlight</c> loops take the next batch index of a pool until it is used up or the time is up; a batch started
/// is always finished, so the batches done are exactly [0, Done).
/// </summary>
internal static class BatchLoop
{
    /// <summary>
    /// The pause after a warm-up batch before the JIT's count is read: methods called often enough wait for their
    /// optimized tier until no new method has started for 100 ms (the runtime's call-counting delay), then compile in
    /// the background, so a count read at once would miss them and the first timed case would pay for them.
    /// </summary>
    public static readonly TimeSpan JitSettle = TimeSpan.FromMilliseconds(300);

    public static async Task<BatchRun> RunAsync(int inFlight, int available, double seconds, Func<int, Task> run, CancellationToken cancellationToken)
    {
        var meter = RunMeter.Start();
        var next = -1;
        var latencies = Enumerable.Range(0, inFlight).Select(_ => new List<long>()).ToArray();
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(seconds * Stopwatch.Frequency);
        var loops = Enumerable.Range(0, inFlight).Select(w => Task.Run(
            async () =>
            {
                while (!cancellationToken.IsCancellationRequested && Stopwatch.GetTimestamp() < deadline)
                {
                    var index = Interlocked.Increment(ref next);
                    if (index >= available)
                    {
                        return;
                    }

                    var t0 = Stopwatch.GetTimestamp();
                    await run(index);
                    latencies[w].Add(Stopwatch.GetTimestamp() - t0);
                }
            },
            CancellationToken.None)).ToArray();
        await Task.WhenAll(loops);
        var cost = meter.Stop(Stopwatch.GetElapsedTime(start).TotalSeconds);
        return new BatchRun(latencies.Sum(l => l.Count), LatencySummary.Of(latencies.Select(l => l.ToArray())), cost);
    }
}
