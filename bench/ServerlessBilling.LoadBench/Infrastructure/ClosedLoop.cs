using System.Diagnostics;

namespace ServerlessBilling.LoadBench.Infrastructure;

/// <summary>What one timed run measured.</summary>
internal sealed record LoopResult(long Operations, long Failures, double Seconds, LatencySummary Latency, long[] PerSecond, IReadOnlyList<LatencyRecorder> Recorders)
{
    public double PerSecondRate => Operations / Seconds;

    /// <summary>Completions in the first and the last whole second of the run: shows whether the rate decays.</summary>
    public (long First, long Last) FirstAndLastSecond
    {
        get
        {
            var whole = (int)Math.Floor(Seconds);
            return whole < 2 ? (PerSecond[0], PerSecond[0]) : (PerSecond[0], PerSecond[whole - 1]);
        }
    }
}

/// <summary>
/// A closed loop: <c>workers</c> concurrent loops, each running its next operation as soon as the previous one
/// ends, until the deadline or until it has done <c>maxOpsPerWorker</c>. Each operation is timed with
/// <see cref="Stopwatch.GetTimestamp"/>. Operations get (worker, sequence) and answer whether they succeeded.
/// With <c>unit</c> &gt; 1 a loop stops only after a whole unit of operations (e.g. authorize + terminate).
/// </summary>
internal static class ClosedLoop
{
    public delegate ValueTask<bool> Operation(int worker, long sequence);

    public static async Task<LoopResult> RunAsync(int workers, TimeSpan duration, int maxOpsPerWorker, Operation operation, CancellationToken cancellationToken, int unit = 1)
    {
        maxOpsPerWorker -= maxOpsPerWorker % unit;
        var seconds = (int)Math.Ceiling(duration.TotalSeconds);
        var recorders = Enumerable.Range(0, workers).Select(_ => new LatencyRecorder(maxOpsPerWorker, seconds)).ToArray();
        var frequency = Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(duration.TotalSeconds * frequency);
        var tasks = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            var worker = w;
            tasks[w] = Task.Run(
                async () =>
                {
                    var recorder = recorders[worker];
                    long sequence = 0;
                    var t0 = Stopwatch.GetTimestamp();
                    while ((sequence % unit != 0) || (t0 < deadline && !recorder.Full && !cancellationToken.IsCancellationRequested))
                    {
                        var ok = await operation(worker, sequence++);
                        var t1 = Stopwatch.GetTimestamp();
                        recorder.Add(t1 - t0, ok, (int)((t1 - start) / frequency));
                        t0 = t1;
                    }
                },
                CancellationToken.None);
        }

        await Task.WhenAll(tasks);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var perSecond = new long[seconds + 2];
        foreach (var recorder in recorders)
        {
            for (var i = 0; i < perSecond.Length; i++)
            {
                perSecond[i] += recorder.PerSecond[i];
            }
        }

        return new LoopResult(recorders.Sum(r => (long)r.Count), recorders.Sum(r => r.Failures), elapsed, LatencySummary.Of(recorders), perSecond, recorders);
    }
}
