using ServerlessBilling.LoadBench.Calls;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Scenarios;

namespace ServerlessBilling.LoadBench.All;

/// <summary>
/// HTTP authorize+terminate for <c>all</c>: the host (memory store) in a child process, 32 keep-alive loops in this
/// one; the server's own CPU time per request against the same loops on an echo endpoint of the same host.
/// </summary>
internal static class HttpPairsPart
{
    private const int Loops = 32;
    private const int Accounts = 1000;

    public static async Task RunAsync(bool quick, CancellationToken cancellationToken)
    {
        var (seconds, warmup) = quick ? (4.0, 4.0) : (10.0, 10.0);
        await using var host = await ChildHost.StartAsync("pairs", ["--Store=memory"], cancellationToken);
        using var client = LoopbackHttp.CreateClient(host.Address, Loops, TimeSpan.FromSeconds(30));
        await HttpCalls.SetUpAsync(client, "warm-", Accounts, cancellationToken);
        await HttpCalls.SetUpAsync(client, "acct-", Accounts, cancellationToken);
        var warmIds = BenchData.Ids("warm-", Accounts);
        await ClosedLoop.RunAsync(Loops, TimeSpan.FromSeconds(warmup), 2_000_000, HttpCalls.CallOperation(client, warmIds, Loops, "w", cancellationToken), cancellationToken, unit: 2);
        await ClosedLoop.RunAsync(Loops, TimeSpan.FromSeconds(Math.Min(warmup, 3)), 2_000_000, HttpCalls.NoopOperation(client, cancellationToken), cancellationToken);

        // The child's JIT recompiles hot methods at the optimized tier in the background for a while after they first
        // run; CPU it spends in a measured window would be charged to that case alone (a fifth to a third of the
        // child's CPU on a busy machine). Both cases go on a second at a time until two rounds in a row compile nothing.
        var (jitRounds, quiet) = (0, 0);
        while (quiet < 2 && jitRounds++ < 30)
        {
            var compiled = await ChildHost.CompiledMethodsAsync(client, cancellationToken);
            await ClosedLoop.RunAsync(Loops, TimeSpan.FromSeconds(1), 2_000_000, HttpCalls.CallOperation(client, warmIds, Loops, "w" + jitRounds, cancellationToken), cancellationToken, unit: 2);
            await ClosedLoop.RunAsync(Loops, TimeSpan.FromSeconds(0.5), 2_000_000, HttpCalls.NoopOperation(client, cancellationToken), cancellationToken);
            quiet = await ChildHost.CompiledMethodsAsync(client, cancellationToken) == compiled ? quiet + 1 : 0;
        }

        var pairs = await MeasureAsync(host, HttpCalls.CallOperation(client, BenchData.Ids("acct-", Accounts), Loops, "t", cancellationToken), seconds, 2, cancellationToken);
        var echo = await MeasureAsync(host, HttpCalls.NoopOperation(client, cancellationToken), seconds, 1, cancellationToken);
        var table = new Table(
            $"all: HTTP authorize+terminate vs echo - host (memory) in a child process, {Loops} keep-alive loops, {Accounts:N0} pre-paid accounts",
            "case", "requests", "requests/s", "p50 ms", "p99 ms", "server cpu us/request", "client cpu us/request", "failures");
        foreach (var (name, m) in new[] { ("authorize+terminate", pairs), ("echo (POST " + HttpCalls.NoopPath + ")", echo) })
        {
            table.Add(name, Fmt.N0(m.Result.Operations), Fmt.N0(m.Result.PerSecondRate), Fmt.N3(m.Result.Latency.P50Us / 1000), Fmt.N3(m.Result.Latency.P99Us / 1000),
                Fmt.N1(m.ServerUs), Fmt.N1(m.Cost.CpuUsPer(m.Result.Operations)), Fmt.N0(m.Result.Failures));
        }

        table.Note("server cpu: the child host process's CPU time per request (all its threads, GC included), apart from the load generator's.");
        table.Note(jitRounds > 30
            ? "warm-up: the child's JIT was still compiling after 30 extra rounds; its CPU is in the figures."
            : $"warm-up: until the child's JIT compiled nothing for 2 rounds ({jitRounds} rounds of 1.5 s).");
        table.Print(Console.Out);
        Findings.RatioAtMost("HTTP authorize+terminate, server CPU per request", Fmt.N1(pairs.ServerUs) + " us", pairs.ServerUs, Fmt.N1(echo.ServerUs) + " us echo", echo.ServerUs, 1.1);
        Findings.Add(new Finding("HTTP authorize+terminate, p99 per request", Fmt.N3(pairs.Result.Latency.P99Us / 1000) + " ms", Fmt.N3(echo.Result.Latency.P99Us / 1000) + " ms echo",
            Fmt.Ratio(pairs.Result.Latency.P99Us, echo.Result.Latency.P99Us), "(reported)", null));
    }

    private static async Task<Measured> MeasureAsync(ChildHost host, ClosedLoop.Operation operation, double seconds, int unit, CancellationToken cancellationToken)
    {
        var cpu0 = host.Cpu();
        var run = await HttpCalls.MeasureAsync(Loops, seconds, 2_000_000, operation, cancellationToken, unit);
        var server = (host.Cpu() - cpu0).TotalSeconds;
        return new Measured(run.Result, run.Cost, server * 1e6 / Math.Max(1, run.Result.Operations));
    }

    private sealed record Measured(LoopResult Result, RunCost Cost, double ServerUs);
}
