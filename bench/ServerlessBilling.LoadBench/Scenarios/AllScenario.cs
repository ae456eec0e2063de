using System.Diagnostics;
using ServerlessBilling.LoadBench.Infrastructure;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// The targets of the performance issue in one run, by running the existing scenarios in turn (each prints its target
/// next to its figure and its baseline where it has one). <c>--quick</c> shortens every timed loop.
/// </summary>
internal static class AllScenario
{
    public const string Usage = """
        all: core (pairs, 1 thread, 1,000 accounts), ingest core (1,000 accounts), ingest http, http --baseline (echo
          endpoint on the same host), one after the other, each printing its targets, baselines and ratios.
          Not yet in it: HTTP ingestion against a read-and-discard endpoint and on SQLite (see `stores`), `rate`
          against a read-and-split floor, RSS after 1M CDRs on memory.

          --quick          short loops (about a minute in all); figures are noisier
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (CliArgs.ForScenario(args, Usage, [], ["quick"]) is not { } cli)
        {
            return 0;
        }

        var quick = cli.Flag("quick");
        Console.WriteLine($"all{(quick ? " --quick" : string.Empty)}: {Machine.Describe()}");
        var steps = new (string Name, Func<Task<int>> Run)[]
        {
            ("core", () => CoreScenario.RunAsync(quick ? ["--threads", "1", "--seconds", "2", "--warmup", "2"] : ["--threads", "1"], cancellationToken)),
            ("ingest core", () => IngestScenario.RunAsync(quick
                ? ["--only", "core", "--in-flight", "1", "--seconds", "3", "--warmup", "1", "--max-batches", "40"]
                : ["--only", "core"], cancellationToken)),
            ("ingest http", () => IngestScenario.RunAsync(quick
                ? ["--only", "http", "--http-seconds", "4", "--http-warmup", "2", "--http-batches", "60"]
                : ["--only", "http"], cancellationToken)),
            ("http --baseline", () => HttpScenario.RunAsync(quick ? ["--baseline", "--seconds", "4", "--warmup", "3"] : ["--baseline"], cancellationToken)),
        };
        foreach (var (name, run) in steps)
        {
            var clock = Stopwatch.StartNew();
            var code = await run();
            Console.WriteLine($"== {name}: exit {code}, {clock.Elapsed.TotalSeconds:F0} s");
            if (code != 0)
            {
                return code;
            }
        }

        return 0;
    }
}
