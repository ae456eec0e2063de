using System.Diagnostics;

namespace ServerlessBilling.LoadBench.Infrastructure;

/// <summary>Operations at a fixed rate on a schedule (the steady runs' load).</summary>
internal static class Paced
{
    /// <summary>
    /// Runs <paramref name="operation"/>(k) at <paramref name="perSecond"/> on a fixed schedule from <paramref name="start"/>
    /// until the end of <paramref name="duration"/> (a late one starts at once; none starts after the end, so a machine
    /// too busy for the rate does not stretch the run); answers how many ran.
    /// </summary>
    public static Task<long> RunAsync(long start, TimeSpan duration, double perSecond, Func<long, Task> operation, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            long k = 0;
            for (; !cancellationToken.IsCancellationRequested; k++)
            {
                var due = TimeSpan.FromSeconds(k / perSecond);
                var wait = due - Stopwatch.GetElapsedTime(start);
                if (due >= duration || Stopwatch.GetElapsedTime(start) >= duration)
                {
                    return k;
                }

                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                await operation(k);
            }

            return k;
        }, cancellationToken);
}
