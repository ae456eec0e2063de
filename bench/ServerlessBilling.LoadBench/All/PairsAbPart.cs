using System.Globalization;
using ServerlessBilling.LoadBench.Calls;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Scenarios;

namespace ServerlessBilling.LoadBench.All;

/// <summary>
/// <c>LOADBENCH_PAIRS_AB=path/to/other/ServerlessBilling.LoadBench.dll</c>: the <c>pairshttp</c> target on two hosts at
/// once, this build's and the other's, each in its own child process with its own client, their runs interleaved in
/// short rounds (the order flipped every round), so that the machine's changing load falls on both alike: an A/B of
/// the host's CPU per request on a busy machine, where two runs minutes apart differ by more than the change.
/// </summary>
internal static class PairsAbPart
{
    public const string Variable = "LOADBENCH_PAIRS_AB";
    private const int Accounts = 1000;

    public static async Task RunAsync(string other, bool quick, double warmup, CancellationToken cancellationToken)
    {
        var (rounds, seconds) = quick ? (6, 2.0) : (10, 5.0);
        await using var mine = await ChildHost.StartAsync("this", ["--Store=memory"], cancellationToken);
        Environment.SetEnvironmentVariable(ChildHost.OtherChildVariable, other);
        ChildHost theirs;
        try
        {
            theirs = await ChildHost.StartAsync("other", ["--Store=memory"], cancellationToken);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ChildHost.OtherChildVariable, null);
        }

        await using var _ = theirs;
        var sides = new List<(string Name, ChildHost Host, HttpClient Client, PairsCase[] Cases)>();
        foreach (var (name, host) in new[] { ("this build", mine), ("other: " + other, theirs) })
        {
            var client = LoopbackHttp.CreateClient(host.Address, HttpPairsPart.Loops, TimeSpan.FromSeconds(30));
            await HttpCalls.SetUpAsync(client, "warm-", Accounts, cancellationToken);
            await HttpCalls.SetUpAsync(client, "acct-", Accounts, cancellationToken);
            PairsCase[] cases =
            [
                new("authorize+terminate", 2, (phase, accounts) => HttpCalls.CallOperation(client, accounts, HttpPairsPart.Loops, phase, cancellationToken)),
                new("echo", 1, (_, _) => HttpCalls.NoopOperation(client, cancellationToken)),
            ];
            sides.Add((name, host, client, cases));
        }

        var warmIds = BenchData.Ids("warm-", Accounts);
        foreach (var side in sides)
        {
            await PairsMeasure.WarmAsync(side.Client, side.Cases, warmIds, warmup, cancellationToken);
        }

        var ids = BenchData.Ids("acct-", Accounts);
        var measured = sides.Select(_ => new[] { new List<PairsMeasure.Measured>(), new List<PairsMeasure.Measured>() }).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var c = 0; c < 2; c++)
            {
                foreach (var s in round % 2 == 0 ? new[] { 0, 1 } : new[] { 1, 0 })
                {
                    var side = sides[s];
                    measured[s][c].Add(await PairsMeasure.SettledAsync(side.Host, side.Client, side.Name + ": " + side.Cases[c].Name, round, side.Cases[c].Make($"t{round}", ids), seconds, side.Cases[c].Unit, cancellationToken));
                }
            }
        }

        var table = new Table(
            $"all: HTTP authorize+terminate vs echo, A/B of two hosts (memory) in child processes, interleaved: {rounds} rounds of {seconds:0.#} s, {HttpPairsPart.Loops} keep-alive loops each",
            "host", "pairs us/request", "echo us/request", "pairs/echo", "pairs/echo by round", "pairs KB/request", "pairs gc pause us/request", "pairs requests/s");
        var pooled = new List<(double Pairs, double Echo)>();
        for (var s = 0; s < sides.Count; s++)
        {
            var (pairs, echo) = (PairsMeasure.Pooled(measured[s][0]), PairsMeasure.Pooled(measured[s][1]));
            pooled.Add((pairs.ServerUs, echo.ServerUs));
            var byRound = string.Join(" ", measured[s][0].Zip(measured[s][1], (p, e) => (p.ServerUs / e.ServerUs).ToString("0.00", CultureInfo.InvariantCulture)));
            table.Add(sides[s].Name, Fmt.N1(pairs.ServerUs), Fmt.N1(echo.ServerUs), Fmt.Ratio(pairs.ServerUs, echo.ServerUs), byRound, Fmt.N2(pairs.ServerKb), Fmt.N1(pairs.GcUs),
                Fmt.N0(measured[s][0].Sum(m => m.Result.Operations) / measured[s][0].Sum(m => m.Result.Seconds)));
        }

        var pairsByRound = string.Join(" ", measured[0][0].Zip(measured[1][0], (a, b) => (a.ServerUs / b.ServerUs).ToString("0.00", CultureInfo.InvariantCulture)));
        table.Note($"this/other, pairs us/request: {Fmt.Ratio(pooled[0].Pairs, pooled[1].Pairs)} (by round: {pairsByRound}); echo: {Fmt.Ratio(pooled[0].Echo, pooled[1].Echo)}.");
        table.Note("us/request: the child's CPU time per request over every round; a full collection after each run, outside the windows.");
        table.Print(Console.Out);
        Findings.RatioAtMost("HTTP authorize+terminate, server CPU per request (this build)", Fmt.N1(pooled[0].Pairs) + " us", pooled[0].Pairs, Fmt.N1(pooled[0].Echo) + " us echo", pooled[0].Echo, 1.1);
        Findings.RatioAtMost("HTTP authorize+terminate, server CPU per request (other build)", Fmt.N1(pooled[1].Pairs) + " us", pooled[1].Pairs, Fmt.N1(pooled[1].Echo) + " us echo", pooled[1].Echo, 1.1);
        foreach (var side in sides)
        {
            side.Client.Dispose();
        }
    }
}
