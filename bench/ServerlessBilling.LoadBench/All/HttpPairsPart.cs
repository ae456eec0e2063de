using System.Globalization;
using ServerlessBilling.LoadBench.Calls;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Scenarios;

namespace ServerlessBilling.LoadBench.All;

/// <summary>
/// HTTP authorize+terminate for <c>all</c>: the host (memory store) in a child process, 32 keep-alive loops in this
/// one; the server's own CPU time per request against the same loops on an echo endpoint of the same host. Between
/// the two, bench-only baselines of the same host (<see cref="PairsBaselines"/>) take the gap apart layer by layer;
/// every case runs in alternated rounds, so that a change in the machine's load falls on all of them alike.
/// <c>LOADBENCH_PAIRS_KEYED=1</c> runs the host with keys and a (never reached) per-key rate limit instead, the
/// calls with a key: what the key check and the limiter add. <c>LOADBENCH_MARKS=1</c> prints each round's
/// monotonic start and end (ns), to cut a <c>perf record -k CLOCK_MONOTONIC</c> of the child by case.
/// </summary>
internal static class HttpPairsPart
{
    internal const int Loops = 32;
    private const int Accounts = 1000;
    private const int Rounds = 2;
    private const string KeyedVariable = "LOADBENCH_PAIRS_KEYED";
    private const string AdminKey = "loadbench-admin-key-0001";
    private const string SwitchKey = "loadbench-switch-key-001";

    public static async Task RunAsync(bool quick, CancellationToken cancellationToken)
    {
        var (seconds, warmup) = quick ? (4.0, 4.0) : (10.0, 10.0);
        if (Environment.GetEnvironmentVariable(PairsAbPart.Variable) is { Length: > 0 } other)
        {
            await PairsAbPart.RunAsync(Path.GetFullPath(other), quick, warmup, cancellationToken);
            return;
        }

        var keyed = Environment.GetEnvironmentVariable(KeyedVariable) == "1";
        string[] hostArgs = keyed
            ? ["--Store=memory", "--Auth:SwitchKeys=" + SwitchKey, "--Auth:AdminKeys=" + AdminKey, "--Limits:RequestsPerSecondPerKey=1000000"]
            : ["--Store=memory"];
        await using var host = await ChildHost.StartAsync("pairs", hostArgs, cancellationToken);
        using var client = LoopbackHttp.CreateClient(host.Address, Loops, TimeSpan.FromSeconds(30));
        if (keyed)
        {
            client.DefaultRequestHeaders.Add("x-functions-key", AdminKey);
        }

        await HttpCalls.SetUpAsync(client, "warm-", Accounts, cancellationToken);
        await HttpCalls.SetUpAsync(client, "acct-", Accounts, cancellationToken);
        var warmIds = BenchData.Ids("warm-", Accounts);
        var ids = BenchData.Ids("acct-", Accounts);
        var echoName = "echo (POST " + HttpCalls.NoopPath + ")";
        var cases = new PairsCase[]
        {
            new("authorize+terminate", 2, (phase, accounts) => HttpCalls.CallOperation(client, accounts, Loops, phase, cancellationToken)),
            new(echoName, 1, (_, _) => HttpCalls.NoopOperation(client, cancellationToken)),
            new("echo as an API route (" + PairsBaselines.NoopApiPath + ")", 1, (_, _) => HttpCalls.NoopOperation(client, new Uri(PairsBaselines.NoopApiPath, UriKind.Relative), cancellationToken)),
            new("shaped echo: the pairs' URLs, bodies, answer sizes", 2, (phase, accounts) => HttpCalls.CallOperation(client, accounts, Loops, phase, PairsBaselines.ShapedBase, cancellationToken)),
            new("JSON echo: + handler binding, JSON read and write", 2, (phase, accounts) => HttpCalls.CallOperation(client, accounts, Loops, phase, PairsBaselines.JsonBase, cancellationToken)),
        };

        if ((await PairsMeasure.GcAsync(client, cancellationToken)).Allocated == 0)
        {
            cases = cases[..2]; // an older child (LOADBENCH_CHILD) without the baselines: the target's two cases only
        }

        var jitRounds = await PairsMeasure.WarmAsync(client, cases, warmIds, warmup, cancellationToken);

        // A case leaves garbage behind (the pairs' account states, promoted before they die): the collection it
        // brings due would fall in the next case's window, i.e. the echo's after the pairs. A full collection after
        // every case settles the heap outside the windows; its CPU is shown beside the case that left it.
        var measured = cases.Select(_ => new List<PairsMeasure.Measured>()).ToArray();
        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < cases.Length; i++)
            {
                measured[i].Add(await PairsMeasure.SettledAsync(host, client, cases[i].Name, round, cases[i].Make($"t{round}-{i}", ids), seconds, cases[i].Unit, cancellationToken));
            }
        }

        // Closed loops compare the two at different rates (the pairs' is lower), and a host that answers fewer requests
        // a second pays more wake-ups per request. Both again at one rate below the pairs' own: the same operating point.
        var rate = Math.Floor(0.7 * PairsMeasure.Pooled(measured[0]).Operations / measured[0].Sum(m => m.Result.Seconds) / 100) * 100;
        var paced = new PairsCase[]
        {
            new($"authorize+terminate, paced at {rate:N0}/s", 2, (phase, accounts) => PairsMeasure.Paced(cases[0].Make(phase, accounts), rate)),
            new($"echo, paced at {rate:N0}/s", 1, (phase, accounts) => PairsMeasure.Paced(cases[1].Make(phase, accounts), rate)),
        };
        var pacedMeasured = paced.Select(_ => new List<PairsMeasure.Measured>()).ToArray();
        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < paced.Length; i++)
            {
                pacedMeasured[i].Add(await PairsMeasure.SettledAsync(host, client, paced[i].Name, round, paced[i].Make($"p{round}-{i}", ids), seconds, paced[i].Unit, cancellationToken));
            }
        }

        cases = [.. cases, .. paced];
        measured = [.. measured, .. pacedMeasured];

        var table = new Table(
            $"all: HTTP authorize+terminate vs echo - host (memory{(keyed ? ", keys and a per-key rate limit" : "")}) in a child process, {Loops} keep-alive loops, {Accounts:N0} pre-paid accounts, {Rounds} alternated rounds",
            "case", "round", "requests", "requests/s", "p50 ms", "p99 ms", "server cpu us/request", "server KB/request", "gc pause us/request", "gc 0/1/2", "settle cpu ms", "client cpu us/request", "failures");
        for (var i = 0; i < cases.Length; i++)
        {
            foreach (var (m, round) in measured[i].Select((m, r) => (m, r)))
            {
                table.Add(cases[i].Name, (round + 1).ToString(CultureInfo.InvariantCulture), Fmt.N0(m.Result.Operations), Fmt.N0(m.Result.PerSecondRate), Fmt.N3(m.Result.Latency.P50Us / 1000),
                    Fmt.N3(m.Result.Latency.P99Us / 1000), Fmt.N1(m.ServerUs), Fmt.N2(m.ServerKb), Fmt.N1(m.GcUs), $"{m.Gc.Gen0}/{m.Gc.Gen1}/{m.Gc.Gen2}", Fmt.N0(m.SettleMs), Fmt.N1(m.Cost.CpuUsPer(m.Result.Operations)), Fmt.N0(m.Result.Failures));
            }
        }

        var echo = PairsMeasure.Pooled(measured[1]);
        table.Add("", "", "", "", "", "", "", "", "", "", "", "", "");
        for (var i = 0; i < cases.Length; i++)
        {
            var p = PairsMeasure.Pooled(measured[i]);
            var baseline = i == cases.Length - 2 ? PairsMeasure.Pooled(measured[^1]) : echo;
            table.Add(cases[i].Name, "all", Fmt.N0(p.Operations), "", "", "", Fmt.N1(p.ServerUs) + $" ({Fmt.Ratio(p.ServerUs, baseline.ServerUs)} echo)", Fmt.N2(p.ServerKb), Fmt.N1(p.GcUs), "", "", "", "");
        }

        table.Note("server cpu: the child host process's CPU time per request (all its threads, GC included), apart from the load generator's; server KB: what the child allocated per request; gc pause: "
            + "the child's GC pauses per request (every collection is blocking); gc 0/1/2: its collections of each generation in the window; "
            + "settle: the child's CPU for a full collection after the case, outside every window.");
        table.Note("all: each case's CPU time over its requests in every round, and its ratio to the echo's (the closed echo's; the paced echo's for the paced pairs).");
        table.Note("paced: at one rate (70% of the pairs' closed-loop rate), each loop on a schedule: the latency figures include the wait for the next slot.");
        table.Note(jitRounds > 30
            ? "warm-up: the child's JIT was still compiling after 30 extra rounds; its CPU is in the figures."
            : $"warm-up: until the child's JIT compiled nothing for 2 rounds ({jitRounds} rounds).");
        table.Print(Console.Out);
        var pairs = PairsMeasure.Pooled(measured[0]);
        Findings.RatioAtMost("HTTP authorize+terminate, server CPU per request", Fmt.N1(pairs.ServerUs) + " us", pairs.ServerUs, Fmt.N1(echo.ServerUs) + " us echo", echo.ServerUs, 1.1);
        var (pairsP99, echoP99) = (measured[0].Average(m => m.Result.Latency.P99Us), measured[1].Average(m => m.Result.Latency.P99Us));
        var (pacedPairs, pacedEcho) = (PairsMeasure.Pooled(pacedMeasured[0]), PairsMeasure.Pooled(pacedMeasured[1]));
        Findings.Add(new Finding($"HTTP authorize+terminate, server CPU per request, both paced at {rate:N0}/s", Fmt.N1(pacedPairs.ServerUs) + " us", Fmt.N1(pacedEcho.ServerUs) + " us echo",
            Fmt.Ratio(pacedPairs.ServerUs, pacedEcho.ServerUs), "(reported)", null));
        Findings.Add(new Finding("HTTP authorize+terminate, p99 per request", Fmt.N3(pairsP99 / 1000) + " ms", Fmt.N3(echoP99 / 1000) + " ms echo",
            Fmt.Ratio(pairsP99, echoP99), "(reported)", null));
    }
}
