using System.Diagnostics;
using System.Globalization;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Ingest;
using ServerlessBilling.LoadBench.Stores;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// <c>ingest</c> (1) core: <see cref="Core.Ingestion.IngestionService"/> on the embedded InMemory stores, spread over many accounts
/// and on a few hot ones, pre-parsed or CSV text, 1..N batches in flight; with <c>--split</c>, where a CDR's time goes.
/// </summary>
internal static class IngestCore
{
    private const double Target = 200_000;

    /// <summary>What one case measured: the run, the checks, the CSV parsing time and the rig's counters.</summary>
    private sealed record CaseOutcome(BatchRun Run, (long Received, long Accepted, long Duplicates, long Quarantined) Sums, string Counts, string Replay, string Ledger, long ParseTicks, IngestRig Rig);

    public static async Task RunAsync(IngestSetup setup, CancellationToken cancellationToken)
    {
        var (settings, deck, now) = (setup.Settings, setup.Deck, setup.Now);
        var spreadIds = IngestAccounts.Ids("acct-", settings.Accounts);
        var hotIds = IngestAccounts.Ids("hot-", settings.Hot);
        var warmIds = IngestAccounts.Ids("warm-", settings.Accounts);
        var generation = Stopwatch.StartNew();
        var pools = new Dictionary<string, GeneratedBatch[]>(StringComparer.Ordinal)
        {
            ["spread"] = new CdrBatchFactory(deck, spreadIds, "s", now, settings.SessionShare, 1).CreateMany(settings.MaxBatches, settings.Batch, parse: true, utf8: false),
            ["hot"] = new CdrBatchFactory(deck, hotIds, "h", now, settings.SessionShare, 2).CreateMany(settings.MaxBatches, settings.Batch, parse: true, utf8: false),
        };
        var warmPool = new CdrBatchFactory(deck, warmIds, "w", now, settings.SessionShare, 3).CreateMany(Math.Min(20, settings.MaxBatches), settings.Batch, parse: true, utf8: false);
        Console.WriteLine($"\n(1) core: {settings.MaxBatches} batches of {settings.Batch:N0} CDRs generated per account set in {generation.Elapsed.TotalSeconds:N1} s; "
            + $"each case: fresh stores, {settings.Warmup} s warm-up on other accounts (and on until the JIT is done), then at most {settings.Seconds} s or the {settings.MaxBatches} batches");

        var table = new Table(
            "ingest (1) core - IngestionService.IngestAsync on the InMemory stores, batches of " + settings.Batch.ToString("N0", CultureInfo.InvariantCulture) + " CDRs",
            "case", "accts", "applied ids", "input", "in flight", "batches", "CDRs", "CDRs/s", "target >=200,000/s", "batch p50 ms", "batch p99 ms", "max ms",
            "cpu us/CDR", "cpu % proc/machine", "gen0/gen2", "GC pause ms (% wall)", "alloc KB/CDR", "accepted / dup / quarantined", "a+d+q = received", "replay of batch 0", "ledger");
        var split = new Table(
            "ingest (1) core - where a CDR's time goes (--split): us of CPU per CDR (thread CPU time of each step, summed over the service's workers)",
            "case", "applied ids", "input", "in flight", "wall", "cpu", "parse CSV", "acct reads", "decide (rules, rating)", "acct writes", "usage look-ups", "usage creates",
            "quarantine", "cpu - parts (service overhead, GC)", "412s", "groups/batch");
        foreach (var applied in settings.Applied)
        {
            foreach (var inFlight in settings.InFlight)
            {
                foreach (var name in new[] { "spread", "hot" })
                {
                    var ids = name == "spread" ? spreadIds : hotIds;
                    foreach (var csv in new[] { false, true })
                    {
                        var o = await CaseAsync(setup, ids, warmIds, pools[name], warmPool, csv, inFlight, applied, cancellationToken);
                        var (r, cdrs) = (o.Run, o.Sums.Received);
                        var input = csv ? "CSV text" : "pre-parsed";
                        var rate = cdrs / r.Seconds;
                        table.Add(
                            name, Fmt.N0(ids.Length), Fmt.N0(applied), input, inFlight.ToString(CultureInfo.InvariantCulture), Fmt.N0(r.Done), Fmt.N0(cdrs),
                            Fmt.N0(rate), Fmt.AtLeast(rate, Target, "/s"), Fmt.N2(r.Latency.P50Us / 1000), Fmt.N2(r.Latency.P99Us / 1000), Fmt.N1(r.Latency.MaxUs / 1000),
                            Fmt.N2(r.Cost.CpuUsPer(cdrs)), r.Cost.Cpu, r.Cost.Collections, r.Cost.Pause, Fmt.N2(r.Cost.AllocatedKbPer(cdrs)),
                            $"{Fmt.N0(o.Sums.Accepted)} / {Fmt.N0(o.Sums.Duplicates)} / {Fmt.N0(o.Sums.Quarantined)}", o.Counts, o.Replay, o.Ledger);
                        if (name == "spread" && inFlight == settings.InFlight[0] && applied == settings.Applied[0])
                        {
                            All.Findings.AtLeast($"in-process ingestion, {ids.Length:N0} accounts, {input}, {inFlight} in flight", rate, " CDRs/s", "", 0, Target);
                            All.Findings.Add(new All.Finding($"  its cost per CDR (cpu, allocation, GC pause share)",
                                $"{Fmt.N1(r.Cost.CpuUsPer(cdrs))} us, {Fmt.N2(r.Cost.AllocatedKbPer(cdrs))} KB, {Fmt.N0(100 * r.Cost.GcPause.TotalSeconds / r.Seconds)}% GC", "", "", "(reported)", null));
                        }

                        if (settings.Split)
                        {
                            AddSplit(split, o, name, applied, input, inFlight);
                        }
                    }
                }
            }
        }

        table.Note("CDRs/s: CDRs of the batches done / wall time of the run (a batch is 'received' lines: accepted + duplicates + quarantined).");
        table.Note("in flight: IngestAsync calls running at once (one per Event Hubs partition in Azure); each call works on as many accounts at a time as the usage store declares (memory: one per core, SQLite 64, Cosmos DB 4).");
        table.Note("a+d+q = received: every batch's accepted + duplicates + quarantined = received, and exactly the counts the generator planted.");
        table.Note("replay of batch 0: the same records ingested again after the run: all duplicates (or quarantined again), nothing applied.");
        table.Note("ledger: every account's balance = opening - committed, and committed = the CDRs it was sent, rated independently with RateDeck.Rate.");
        table.Note("cpu us/CDR: process CPU time per CDR (all threads, GC included); cpu %: this process / wall / cores, and the whole machine's busy share.");
        table.Note("GC pause: time all threads stood still for the GC during the run (server GC works on both cores meanwhile); alloc: bytes allocated per CDR.");
        table.Note("applied ids: CDR ids already in each document's applied set at the start (1,000 = full, as after an account's first 1,000 CDRs).");
        table.Print(Console.Out);
        if (settings.Split)
        {
            split.Note("decide: from the account read returning to the conditional write: IngestionRules.Apply (applied-id set, rating, Commit, usage records),");
            split.Note("  the deck cache and the session history. acct reads/writes: the InMemory account store; usage look-ups: FindExistingAsync per account group.");
            split.Note("cpu - parts: the rest of the process's CPU: grouping, Parallel.ForEachAsync (accounts, then usage creates), striped locks, tasks, GC.");
            split.Print(Console.Out);
            IngestSteps.Profile(setup.Rated, pools["spread"], pools["hot"][0], now).Print(Console.Out);
        }
    }

    private static void AddSplit(Table split, CaseOutcome o, string name, int applied, string input, int inFlight)
    {
        var (r, rig) = (o.Run, o.Rig);
        var cdrs = Math.Max(1, o.Sums.Received);
        double Us(long ticks) => LatencySummary.ToUs(ticks) / cdrs;
        var parts = new[]
        {
            Us(o.ParseTicks), Us(rig.Accounts.ReadTicks.Value), Us(rig.Accounts.DecideTicks.Value), Us(rig.Accounts.WriteTicks.Value),
            Us(rig.Usage.FindTicks.Value), Us(rig.Usage.CreateTicks.Value), Us(rig.Quarantine.AddTicks.Value),
        };
        var cpuUs = r.Cost.CpuUsPer(cdrs);
        split.Add(
            [
                name, Fmt.N0(applied), input, inFlight.ToString(CultureInfo.InvariantCulture), Fmt.N2(r.Seconds * 1e6 / cdrs), Fmt.N2(cpuUs),
                .. parts.Select(Fmt.N2), Fmt.N2(cpuUs - parts.Sum()), Fmt.N0(rig.Accounts.Conflicts.Value), Fmt.N0((double)rig.Accounts.Reads.Value / Math.Max(1, r.Done)),
            ]);
    }

    private static async Task<CaseOutcome> CaseAsync(
        IngestSetup setup, string[] ids, string[] warmIds, GeneratedBatch[] pool, GeneratedBatch[] warmPool, bool csv, int inFlight, int applied, CancellationToken cancellationToken)
    {
        var clock = TimeProvider.System;
        var options = new CreditControlOptions();
        var accounts = new InMemoryAccountStore();
        var decks = new RateDeckCache(new InMemoryRateDeckStore(), clock);
        var admin = new AccountService(accounts, new AccountUpdater(accounts, new AccountWriteOptions()), new InMemoryTopUpStore(), decks, options, clock);
        await BenchAdmin.ImportDeckAsync(admin, IngestDeck.DeckId, setup.Deck.Csv, cancellationToken);
        await IngestAccounts.OpenAsync(admin, ids, 1, cancellationToken);
        await IngestAccounts.OpenAsync(admin, warmIds, 1, cancellationToken);
        var usage = new InMemoryUsageStore();
        await IngestRig.FillAppliedAsync(accounts, usage, ids, applied, 1, cancellationToken);
        await IngestRig.FillAppliedAsync(accounts, usage, warmIds, applied, 1, cancellationToken);
        Func<long>? timer = setup.Settings.Split ? ThreadCpu.Now : null;
        var rig = new IngestRig(accounts, new InMemorySessionIndex(), usage, new InMemoryQuarantineStore(), decks, clock, options, timer);

        var parseTicks = new StripedCounter();
        async Task<BatchCounts> IngestAsync(GeneratedBatch batch)
        {
            IReadOnlyList<CdrRecord> records = batch.Records;
            if (csv)
            {
                var t0 = timer?.Invoke() ?? 0;
                records = CdrCsvReader.Read(batch.Csv).ToList();
                parseTicks.Add((timer?.Invoke() ?? 0) - t0);
            }

            return await rig.IngestAsync(records, CancellationToken.None);
        }

        if (setup.Settings.Warmup > 0)
        {
            var warm = await BatchLoop.RunAsync(inFlight, warmPool.Length, setup.Settings.Warmup, async i => await IngestAsync(warmPool[i]), cancellationToken);

            // The warm-up is also the JIT's: on a busy machine the time may pass before the hot methods reach their
            // optimized tier, and the first case alone would pay for it. So it goes on a batch at a time until two
            // batches in a row, each followed by a pause (BatchLoop.JitSettle), compile no method (or the warm batches are
            // used up).
            var (next, quiet) = (warm.Done, 0);
            while (quiet < 2 && next < warmPool.Length)
            {
                var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
                await IngestAsync(warmPool[next++]);
                await Task.Delay(BatchLoop.JitSettle, cancellationToken);
                quiet = System.Runtime.JitInfo.GetCompiledMethodCount() == compiled ? quiet + 1 : 0;
            }
        }

        rig.Reset();
        parseTicks.Reset();
        var results = new BatchCounts[pool.Length];
        var run = await BatchLoop.RunAsync(inFlight, pool.Length, setup.Settings.Seconds, async i => results[i] = await IngestAsync(pool[i]), cancellationToken);
        var parse = parseTicks.Value;

        var replay = run.Done > 0 ? IngestChecks.Replay(pool[0], await IngestAsync(pool[0])) : "n/a";
        var expected = IngestChecks.ExpectedCharges(setup.Rated, pool, run.Done);
        var ledger = IngestChecks.Ledger(ids.Select(id => accounts.GetAsync(id, cancellationToken).Result!.Value), expected);
        return new CaseOutcome(run, IngestChecks.Sum(results, run.Done), IngestChecks.Counts(pool, results, run.Done), replay, ledger, parse, rig);
    }
}
