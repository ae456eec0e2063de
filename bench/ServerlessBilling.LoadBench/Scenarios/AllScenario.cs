using System.Diagnostics;
using ServerlessBilling.LoadBench.All;
using ServerlessBilling.LoadBench.Infrastructure;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// Every target of the performance issue in one run, each with its baseline measured in the same run, ending with one
/// table (measure, figure, baseline, ratio, target, verdict). The HTTP parts run the host in a child process, so that
/// the server's CPU time and RSS are its own. <c>--quick</c> shortens every timed loop.
/// </summary>
internal static class AllScenario
{
    public const string Usage = """
        all: every target of the performance issue with its baseline, one part after the other, then one table:
          core          in-process authorize+terminate pairs (1 thread, 1,000 accounts): pairs/s, KB allocated per pair
          ingest core   in-process ingestion on 1,000 accounts (pre-parsed and CSV text): CDRs/s
          ingest http   POST /api/cdrs on SQLite and on memory, 1,000 and 10 accounts, against a read-and-discard
                        endpoint taking the same bodies on the same host (host in a child process)
          pairs http    authorize+terminate over HTTP: the host process's own CPU per request against an echo endpoint
          rate          the rate command end to end against a read-and-split floor on the same file
          rss 1M        RSS of the memory-store host after 1,000,000 CDRs over 100,000 accounts
          rss steady    RSS of the memory-store host over a steady run of pairs and CDRs (--minutes)
          rss filled    the same steady run from a long run's state: every destination's totals on the CDR accounts
                        and the quarantine at its bound put in first (run only when named in --only)

          --quick          short loops (a few minutes in all; 1 minute steady run); figures are noisier
          --minutes N      the steady run's length (default 10, or 1 with --quick)
          --only LIST      parts to run, comma-separated, by the names above without spaces (default: all)
        """;

    private static readonly string[] Parts = ["core", "ingestcore", "ingesthttp", "pairshttp", "rate", "rss1m", "rsssteady"];

    /// <summary>Parts that run only when named in --only.</summary>
    private static readonly string[] Extra = ["rssfilled"];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (CliArgs.ForScenario(args, Usage, ["minutes", "only"], ["quick"]) is not { } cli)
        {
            return 0;
        }

        var quick = cli.Flag("quick");
        var minutes = cli.Seconds("minutes", quick ? 1 : 10, 0.25, 120);
        var only = (cli["only"] ?? string.Join(',', Parts)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        if (only.Count == 0 || only.Any(p => !Parts.Contains(p) && !Extra.Contains(p)))
        {
            throw new ArgumentException("--only takes " + string.Join(", ", Parts.Concat(Extra)) + ", comma-separated");
        }

        var header = $"all{(quick ? " --quick" : string.Empty)}: {Machine.Describe()}";
        Console.WriteLine(header);
        Findings.Start();
        var steps = new (string Name, Func<Task<int>> Run)[]
        {
            ("core", () => CoreScenario.RunAsync(quick ? ["--threads", "1", "--seconds", "2", "--warmup", "2", "--retained-profile"] : ["--threads", "1", "--retained-profile"], cancellationToken)),
            ("ingestcore", () => IngestScenario.RunAsync(quick
                ? ["--only", "core", "--in-flight", "1", "--seconds", "3", "--warmup", "1", "--max-batches", "40"]
                : ["--only", "core"], cancellationToken)),
            ("ingesthttp", () => Done(HttpIngestPart.RunAsync(quick, cancellationToken))),
            ("pairshttp", () => Done(HttpPairsPart.RunAsync(quick, cancellationToken))),
            ("rate", () => Done(Task.Run(() => RatePart.Run(quick), cancellationToken))),
            ("rss1m", () => Done(MemoryPart.AfterMillionAsync(cancellationToken))),
            ("rsssteady", () => Done(MemoryPart.SteadyAsync(minutes, quick, filled: false, cancellationToken))),
            ("rssfilled", () => Done(MemoryPart.SteadyAsync(minutes, quick, filled: true, cancellationToken))),
        };
        var failed = 0;
        foreach (var (name, run) in steps.Where(s => only.Contains(s.Name)))
        {
            var clock = Stopwatch.StartNew();
            int code;
            try
            {
                code = await run();
            }
            catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException or TimeoutException)
            {
                Console.WriteLine($"== {name}: failed: {ex.Message}");
                Findings.Failed(name, ex.Message);
                code = 1;
            }

            Console.WriteLine($"== {name}: exit {code}, {clock.Elapsed.TotalSeconds:F0} s; {Machine.LoadAverage()}");
            failed += code == 0 ? 0 : 1;
        }

        Findings.Print(Console.Out, header + "; at the end: " + Machine.LoadAverage());
        return failed == 0 ? 0 : 1;
    }

    private static async Task<int> Done(Task part)
    {
        await part;
        return 0;
    }
}
