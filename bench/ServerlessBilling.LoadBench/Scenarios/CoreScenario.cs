using System.Diagnostics;
using System.Globalization;
using ServerlessBilling.LoadBench.Calls;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Stores;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// <c>core</c>: authorize + terminate pairs through <see cref="CreditControlService"/> on the embedded in-memory
/// store, with no HTTP: what the handler itself costs. Each case gets a fresh store.
/// </summary>
internal static class CoreScenario
{
    public const string Usage = """
        core: authorize+terminate pairs through CreditControlService on the embedded InMemory store.
          Cases: 1 thread and 2 threads, each on many accounts (little contention) and on one hot account.
          Each case: a fresh store, a warm-up on other accounts, then a timed run; one pair = authorize(60 s)
          then terminate(42 s used) on a new session id, timed per pair with Stopwatch.GetTimestamp.
          Targets: >= 200,000 pairs/s and p99 < 50 us per pair.

          --seconds S      timed run per case (default 3, max 60)
          --warmup S       warm-up per case (default 3, max 30)
          --accounts N     accounts of the spread cases (default 1000)
          --threads LIST   thread counts, comma-separated (default 1,2)
          --max-pairs N    bound per thread (default 5000000): a thread stops there even before the time is up
          --retention S    CreditControl:ClosedSessionRetention in seconds (default: the service default, 2 days).
                           Closed sessions stay in the account document for that long; 0 drops them at the next
                           authorize (an experiment: shows what the retained sessions cost).
          --kept N         CreditControl:ClosedSessionsKept (default: the service default, 100): terminated sessions each
                           document keeps
        --index-kept N   Memory:MaxClosedSessions (default: the store default, 200,000): closed sessions the embedded
                           session index keeps
        --retained-profile  also run the 1-thread spread case with closed sessions kept 1 in each document and 1,000
                           in the index: what retaining the sessions costs (they outlive the young generation, so
                           the collector copies them twice and sweeps them from gen2)
          --split          also time the store calls (adds ~50 ns per call) and the rules alone on a document
                           holding 0 / 100 / 1,000 / 10,000 closed sessions: where a pair's time goes
          --alloc          only the bytes a pair allocates, part by part (session index, store, rules, service,
                           change stream, the bench's own decorator), on one thread and --accounts accounts

        """;

    private const double PairsTarget = 200_000;
    private const double P99TargetUs = 50;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (CliArgs.ForScenario(args, Usage, ["seconds", "warmup", "accounts", "threads", "max-pairs", "retention", "kept", "index-kept"], ["split", "alloc", "retained-profile"]) is not { } cli)
        {
            return 0;
        }

        var seconds = cli.Seconds("seconds", 3, 0.5, 60);
        var warmup = cli.Seconds("warmup", 3, 0, 30);
        var accounts = cli.Int("accounts", 1000, 1, 1_000_000);
        var maxPairs = cli.Int("max-pairs", 5_000_000, 1000, 50_000_000);
        var threads = cli.Ints("threads", "1,2", 1, 64);
        var retention = cli["retention"] is null ? (TimeSpan?)null : TimeSpan.FromSeconds(cli.Seconds("retention", 0, 0, 30 * 86_400));
        var retainedRun = new Retained(
            cli["kept"] is null ? null : cli.Int("kept", 100, 1, CreditControlOptions.MaxClosedSessionsKept),
            cli["index-kept"] is null ? null : cli.Int("index-kept", 200_000, 1, 10_000_000));
        var retainedProfile = cli.Flag("retained-profile");
        var split = cli.Flag("split");
        if (cli.Flag("alloc"))
        {
            (await CoreAllocations.ProfileAsync(accounts, cancellationToken)).Print(Console.Out);
            return 0;
        }

        Console.WriteLine($"core: {Machine.Describe()}");
        Console.WriteLine($"  timed {seconds} s per case after {warmup} s warm-up; spread = {accounts} accounts, hot = 1 account; "
            + $"closed-session retention {(retention is { } held ? held.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s" : "default (2 days)")}; "
            + $"closed sessions kept {retainedRun.Kept?.ToString(CultureInfo.InvariantCulture) ?? "default (100)"} in each document, "
            + $"{retainedRun.IndexKept?.ToString(CultureInfo.InvariantCulture) ?? "default (200,000)"} in the session index");

        var table = new Table(
            "core - authorize+terminate pairs through CreditControlService (InMemory store), latency per pair",
            "case", "thr", "accts", "pairs", "pairs/s", "target >=200,000/s", "p50 us", "p99 us", "p99.9 us", "max us",
            "target p99 <50 us", "412 retries", "gave up (503)", "1st s / last s", "sessions in doc", "cpu % proc/machine", "gen0/gen2 GCs", "GC pause ms (% wall)", "KB/pair", "failed pairs", "ledger");
        var splits = new Table(
            "core - where a pair's time goes (--split): mean us per pair",
            "case", "thr", "total", "store reads", "store writes", "rest (rules, session index, awaits)");
        var results = new List<(string Case, int Threads, LoopResult Result)>();
        foreach (var threadCount in threads)
        {
            var cases = new List<(string Name, int Count, Retained Retained)> { ("spread", accounts, retainedRun), ("hot", 1, retainedRun) };
            if (retainedProfile && threadCount == 1)
            {
                cases.Add((UnretainedCase, accounts, Retained.Least));
            }

            foreach (var (name, count, retainedCase) in cases)
            {
                var outcome = await RunCaseAsync(threadCount, count, seconds, warmup, maxPairs, retention, retainedCase, split, cancellationToken);
                var r = outcome.Result;
                results.Add((name, threadCount, r));
                var (first, last) = r.FirstAndLastSecond;
                table.Add(
                    name,
                    threadCount.ToString(CultureInfo.InvariantCulture),
                    Fmt.N0(count),
                    Fmt.N0(r.Operations),
                    Fmt.N0(r.PerSecondRate),
                    Fmt.AtLeast(r.PerSecondRate, PairsTarget, "/s"),
                    Fmt.N1(r.Latency.P50Us),
                    Fmt.N1(r.Latency.P99Us),
                    Fmt.N1(r.Latency.P999Us),
                    Fmt.N0(r.Latency.MaxUs),
                    Fmt.Below(r.Latency.P99Us, P99TargetUs, " us"),
                    Fmt.N0(outcome.Conflicts),
                    Fmt.N0(outcome.GaveUp),
                    $"{Fmt.N0(first)} / {Fmt.N0(last)}",
                    Fmt.N0(outcome.MaxSessions),
                    outcome.Cost.Cpu,
                    outcome.Cost.Collections,
                    outcome.Cost.Pause,
                    Fmt.N2(outcome.Cost.AllocatedKbPer(r.Operations)),
                    Fmt.N0(r.Failures),
                    outcome.LedgerProblem is null ? "ok" : "MISMATCH: " + outcome.LedgerProblem);
                if (threadCount == 1 && name == "spread")
                {
                    var allocatedKb = outcome.Cost.AllocatedKbPer(r.Operations);
                    All.Findings.AtLeast($"in-process authorize+terminate, 1 thread, {count:N0} accounts", r.PerSecondRate, " pairs/s", "", 0, PairsTarget);
                    All.Findings.AtMost("in-process allocation per pair", Fmt.N2(allocatedKb) + " KB", allocatedKb, "", 0, "<= 1 KB", 1);
                }

                if (name == UnretainedCase && results.FirstOrDefault(x => x.Case == "spread" && x.Threads == 1).Result is { } retainedResult)
                {
                    All.Findings.Add(new All.Finding(
                        $"(profile) the same pairs, closed sessions kept {Retained.Least.Kept} per document and {Fmt.N0(Retained.Least.IndexKept ?? 0)} in the index",
                        Fmt.N0(r.PerSecondRate) + " pairs/s",
                        Fmt.N0(retainedResult.PerSecondRate) + " pairs/s kept as by default",
                        Fmt.Ratio(r.PerSecondRate, retainedResult.PerSecondRate),
                        "(reported)",
                        null));
                }

                if (split)
                {
                    var pairs = Math.Max(1, r.Operations);
                    var readUs = LatencySummary.ToUs(outcome.ReadTicks) / pairs;
                    var writeUs = LatencySummary.ToUs(outcome.WriteTicks) / pairs;
                    splits.Add(name, threadCount.ToString(CultureInfo.InvariantCulture), Fmt.N2(r.Latency.MeanUs), Fmt.N2(readUs), Fmt.N2(writeUs), Fmt.N2(r.Latency.MeanUs - readUs - writeUs));
                }
            }
        }

        table.Note("412 retries: conditional replaces refused because the other thread wrote the account first; each is re-read and decided again.");
        table.Note("gave up (503): steps where AccountUpdater threw 'stayed contended after 51 attempts' - the HTTP API answers 503 to the switch.");
        table.Note("ledger: balance = opening - committed on every account, each successful pair charged exactly once, open sessions = failed terminates.");
        table.Note("1st s / last s: pairs completed in the first and last whole second of the timed run (a falling rate means each pair costs more as the run goes on).");
        table.Note("GC pause: time every thread stood still for the collector during the timed run (server GC); KB/pair: bytes allocated per pair, all threads.");
        table.Note($"{UnretainedCase}: as spread, with closed sessions kept 1 in each document and 1,000 in the session index (--retained-profile): what retaining them costs.");
        table.Note("sessions in doc: sessions held in the busiest account document at the end (closed sessions stay for the retention period).");
        table.Note("cpu %: this process's CPU time / wall / cores, and the whole machine's busy share over the run (anything above the process's share is other work on the machine).");
        table.Print(Console.Out);
        PrintRatios(results);
        if (split)
        {
            splits.Print(Console.Out);
            CoreProfiles.RulesProfile().Print(Console.Out);
            CoreProfiles.ComponentProfile().Print(Console.Out);
        }

        return 0;
    }

    private static void PrintRatios(List<(string Case, int Threads, LoopResult Result)> results)
    {
        Console.WriteLine();
        foreach (var group in results.GroupBy(r => r.Threads))
        {
            var spread = group.FirstOrDefault(r => r.Case == "spread").Result;
            var hot = group.FirstOrDefault(r => r.Case == "hot").Result;
            if (spread is not null && hot is not null)
            {
                Console.WriteLine($"  ratio hot/spread, {group.Key} thread(s): {Fmt.Ratio(hot.PerSecondRate, spread.PerSecondRate)} pairs/s");
            }
        }

        var one = results.Where(r => r.Threads == 1).ToDictionary(r => r.Case, r => r.Result);
        var two = results.Where(r => r.Threads == 2).ToDictionary(r => r.Case, r => r.Result);
        foreach (var name in one.Keys.Intersect(two.Keys))
        {
            Console.WriteLine($"  scaling 2 threads / 1 thread, {name}: {Fmt.Ratio(two[name].PerSecondRate, one[name].PerSecondRate)}");
        }
    }

    private const string UnretainedCase = "spread, unretained";

    /// <summary>How many closed sessions the documents (CreditControl:ClosedSessionsKept) and the session index (Memory:MaxClosedSessions) keep; null: the default.</summary>
    private sealed record Retained(int? Kept, int? IndexKept)
    {
        public static readonly Retained Least = new(1, 1_000);
    }

    private sealed record CaseOutcome(
        LoopResult Result, long Conflicts, int MaxSessions, RunCost Cost, string? LedgerProblem, long ReadTicks, long WriteTicks, long GaveUp);

    private static async Task<CaseOutcome> RunCaseAsync(
        int threads, int accountCount, double seconds, double warmup, int maxPairs, TimeSpan? retention, Retained retained, bool timed, CancellationToken cancellationToken)
    {
        var options = new CreditControlOptions();
        if (retained.Kept is { } count)
        {
            options.ClosedSessionsKept = count;
        }

        if (retention is { } keep)
        {
            options.ClosedSessionRetention = keep;
        }

        var clock = TimeProvider.System;
        var indexOptions = new MemoryStoreOptions();
        if (retained.IndexKept is { } indexKept)
        {
            indexOptions.MaxClosedSessions = indexKept;
        }

        var inner = new InMemoryAccountStore();
        var store = new TimedAccountStore(inner, timed ? Stopwatch.GetTimestamp : null);
        var decks = new RateDeckCache(new InMemoryRateDeckStore(), clock);
        var service = new CreditControlService(store, new AccountUpdater(store, new AccountWriteOptions()), new InMemorySessionIndex(indexOptions, clock), decks, clock, options);
        var admin = new AccountService(inner, new AccountUpdater(inner, new AccountWriteOptions()), new InMemoryTopUpStore(), decks, options, clock);
        await BenchData.ImportDeckAsync(admin, cancellationToken);
        var timedIds = await BenchData.OpenAsync(admin, "acct-", accountCount, 1, cancellationToken);
        var warmIds = await BenchData.OpenAsync(admin, "warm-", accountCount, 1, cancellationToken);

        if (warmup > 0)
        {
            await ClosedLoop.RunAsync(threads, TimeSpan.FromSeconds(warmup), maxPairs, Pairs.Operation(service, warmIds, threads, "w", new PairStats()), cancellationToken);
        }

        store.Reset();
        var meter = RunMeter.Start();
        var stats = new PairStats();
        var result = await ClosedLoop.RunAsync(threads, TimeSpan.FromSeconds(seconds), maxPairs, Pairs.Operation(service, timedIds, threads, "t", stats), cancellationToken);
        var cost = meter.Stop(result.Seconds);
        var conflicts = store.Conflicts.Value;
        var (readTicks, writeTicks) = (store.ReadTicks.Value, store.WriteTicks.Value);

        var states = timedIds.Select(id => inner.GetAsync(id, cancellationToken).Result!.Value).ToList();
        var consistent = Ledger.Check(states, result.Operations - result.Failures, stats.Dangling.Value, out var problem);
        return new CaseOutcome(
            result, conflicts, states.Max(s => s.Sessions.Count), cost, consistent ? null : problem, readTicks, writeTicks, stats.GaveUp.Value);
    }
}
