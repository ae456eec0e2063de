using System.Diagnostics;
using System.Globalization;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Scenarios;

namespace ServerlessBilling.LoadBench.All;

/// <summary>
/// How <see cref="HttpPairsPart"/> measures one case: the child's CPU, allocation and collections over a closed-loop run,
/// a full collection after it (apart), a paced variant of an operation, and the rounds pooled.
/// </summary>
internal static class PairsMeasure
{
    /// <summary>
    /// Warms every case on the warm-up accounts, then goes on until the child's JIT compiles nothing for two rounds in
    /// a row (it recompiles hot methods at the optimized tier in the background for a while after they first run; CPU it
    /// spent in a measured window would be charged to that case alone: a fifth to a third of the child's CPU on a busy
    /// machine). Answers the rounds it took (over 30: it was still compiling).
    /// </summary>
    public static async Task<int> WarmAsync(HttpClient client, PairsCase[] cases, string[] warmIds, double warmup, CancellationToken cancellationToken)
    {
        const int Loops = HttpPairsPart.Loops;
        await ClosedLoop.RunAsync(Loops, TimeSpan.FromSeconds(warmup), 2_000_000, cases[0].Make("w", warmIds), cancellationToken, cases[0].Unit);
        foreach (var c in cases.Skip(1))
        {
            await ClosedLoop.RunAsync(Loops, TimeSpan.FromSeconds(Math.Min(warmup, 3) / 2), 2_000_000, c.Make("w" + c.Unit, warmIds), cancellationToken, c.Unit);
        }

        var (jitRounds, quiet) = (0, 0);
        while (quiet < 2 && jitRounds++ < 30)
        {
            var compiled = await ChildHost.CompiledMethodsAsync(client, cancellationToken);
            foreach (var (c, i) in cases.Select((c, i) => (c, i)))
            {
                await ClosedLoop.RunAsync(Loops, TimeSpan.FromSeconds(i == 0 ? 1 : 0.4), 2_000_000, c.Make($"w{jitRounds}-{i}", warmIds), cancellationToken, c.Unit);
            }

            quiet = await ChildHost.CompiledMethodsAsync(client, cancellationToken) == compiled ? quiet + 1 : 0;
        }

        return jitRounds;
    }

    public static (long Operations, double ServerUs, double ServerKb, double GcUs) Pooled(List<Measured> rounds)
    {
        var operations = rounds.Sum(m => m.Result.Operations);
        double Mean(Func<Measured, double> figure) => rounds.Sum(m => figure(m) * m.Result.Operations) / Math.Max(1, operations);
        return (operations, Mean(m => m.ServerUs), Mean(m => m.ServerKb), Mean(m => m.GcUs));
    }

    /// <summary>One measured run, then a full collection in the child outside its window (its CPU kept apart).</summary>
    public static async Task<Measured> SettledAsync(ChildHost host, HttpClient client, string name, int round, ClosedLoop.Operation operation, double seconds, int unit, CancellationToken cancellationToken)
    {
        var m = await MeasureAsync(host, client, name, round, operation, seconds, unit, cancellationToken);
        var cpu0 = host.Cpu();
        await host.CollectAsync(client, cancellationToken);
        return m with { SettleMs = (host.Cpu() - cpu0).TotalMilliseconds };
    }

    /// <summary>The operation at <paramref name="perSecond"/> requests a second over all the loops (each loop on its own schedule, staggered).</summary>
    public static ClosedLoop.Operation Paced(ClosedLoop.Operation inner, double perSecond)
    {
        var interval = Stopwatch.Frequency * HttpPairsPart.Loops / perSecond;
        var start = Stopwatch.GetTimestamp();
        return async (loop, sequence) =>
        {
            var wait = start + (long)((sequence + (double)loop / HttpPairsPart.Loops) * interval) - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }

            return await inner(loop, sequence);
        };
    }

    private static async Task<Measured> MeasureAsync(ChildHost host, HttpClient client, string name, int round, ClosedLoop.Operation operation, double seconds, int unit, CancellationToken cancellationToken)
    {
        var gc0 = await GcAsync(client, cancellationToken);
        var cpu0 = host.Cpu();
        var start = Stopwatch.GetTimestamp();
        var run = await HttpCalls.MeasureAsync(HttpPairsPart.Loops, seconds, 2_000_000, operation, cancellationToken, unit);
        var server = (host.Cpu() - cpu0).TotalSeconds;
        var end = Stopwatch.GetTimestamp();
        var gc = await GcAsync(client, cancellationToken) - gc0;
        if (Environment.GetEnvironmentVariable("LOADBENCH_MARKS") == "1")
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [mark] {Nanoseconds(start)} {Nanoseconds(end)} round {round + 1}: {name}"));
        }

        var operations = Math.Max(1, run.Result.Operations);
        return new Measured(run.Result, run.Cost, server * 1e6 / operations, gc.Allocated / 1024.0 / operations, gc.Pause.TotalMicroseconds / operations, gc, 0);
    }

    /// <summary>What the child has allocated and collected so far (zeros from an older child without the endpoint).</summary>
    public static async Task<GcFigures> GcAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(new Uri(ServeChild.AllocatedPath, UriKind.Relative), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return default;
        }

        var f = (await response.Content.ReadAsStringAsync(cancellationToken)).Split(' ').Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        return new GcFigures(f[0], TimeSpan.FromTicks(f[1]), f[2], f[3], f[4]);
    }

    public readonly record struct GcFigures(long Allocated, TimeSpan Pause, long Gen0, long Gen1, long Gen2)
    {
        public static GcFigures operator -(GcFigures a, GcFigures b) => new(a.Allocated - b.Allocated, a.Pause - b.Pause, a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2);
    }

    private static long Nanoseconds(long timestamp) => (long)(timestamp * (1e9 / Stopwatch.Frequency));

    public sealed record Measured(LoopResult Result, RunCost Cost, double ServerUs, double ServerKb, double GcUs, GcFigures Gc, double SettleMs);
}

/// <summary>One case of the part: its name, its unit (2: a pair), and its operation for a phase (fresh session ids every run) on some accounts.</summary>
internal sealed record PairsCase(string Name, int Unit, Func<string, string[], ClosedLoop.Operation> Make);
