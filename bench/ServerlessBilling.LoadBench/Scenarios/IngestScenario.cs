using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Api.Contracts;
using ServerlessBilling.Api.Endpoints;
using ServerlessBilling.Api.Http;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Cosmos;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// <c>ingest</c>: CDR ingestion (<see cref="IngestionService.IngestAsync"/>) in three settings: (1) core, on the
/// embedded in-memory stores, pre-parsed records and CSV text, spread over 1,000 accounts and on 10 hot accounts;
/// (2) http, POST /api/cdrs (text/csv) on the local host in process; (3) cosmos, the same service on the Cosmos
/// stores against a local emulator. Each part prints a table with the target next to the figure, and checks
/// that nothing was lost, that a replay applies nothing, and that every account's money matches its CDRs.
/// </summary>
internal static class IngestScenario
{
    public const string Usage = """
        ingest: CDR ingestion through IngestionService.IngestAsync, in three parts (each a table, target next to figure):
          core    on the embedded InMemory stores (account, usage, quarantine, rate deck via RateDeckCache): a generated
                  deck, 1,000 accounts (half pre-paid, half post-paid), batches of 5,000 CDRs spread over the accounts
                  and all on 10 hot accounts; input either pre-parsed CdrRecord lists or CSV text parsed in the timed
                  loop (CdrCsvReader). Target: >= 200,000 CDRs/s.
          http    the local host in process on http://127.0.0.1:0: accounts and deck created with PUT /api/accounts/{id} and
                  PUT /api/ratedecks/{id}, then POST /api/cdrs with text/csv batches of 5,000 CDRs from N concurrent
                  clients; CDRs/s and p50/p99 per batch. Target: >= 100,000 CDRs/s.
          cosmos  the core ingestion on CosmosAccountStore / CosmosUsageStore / CosmosQuarantineStore / CosmosRateDeckStore
                  against a local emulator (127.0.0.1 only; a fresh database, deleted at the end); batches of 1,000
                  and 5,000, spread and hot. No target: reported. Skipped when no endpoint is given.
          After each run: accepted + duplicates + quarantined = received (and exactly the counts planted by the
          generator: 0.3% unrated, 0.1% malformed, 0.2% repeated lines), a replay of batch 0 accepts 0, and every
          account's committed money equals an independent rating of its CDRs (ledger).

          --only LIST          parts to run, comma-separated: core,http,cosmos (default: all; cosmos only with an endpoint)
          --batch N            CDRs per batch for core and http (default 5000)
          --accounts N         accounts of the spread cases (default 1000)
          --hot N              accounts of the hot cases (default 10)
          --prefixes N         prefixes of the generated deck (default 2000; ~5% get two rows: a rate change this year)
          --session-ids PCT    percent of CDRs naming a session id credit control never saw (default 0): each one
                               costs a session-history look-up
          core:
          --seconds S          timed run per core case (default 5, max 60)
          --warmup S           warm-up per core case, on other accounts (default 2, max 30)
          --max-batches N      batches generated per account set, the bound of each core case (default 150)
          --in-flight LIST     batches ingested concurrently, comma-separated (default 1,2)
          --applied LIST       CDR ids already in each account document's applied set when a case starts, comma-separated
                               (default 1000 = AccountState.AppliedCdrCapacity: the steady state of an account that has
                               taken 1,000 CDRs; 0 = new accounts). http and cosmos use the first value.
          --split              time the stores and the decision (adds ~50 ns per store call) and print where a CDR's
                               time goes, plus single steps (rules, rating, parsing) on one thread
          --prototype          also run each core case, and each http client count (on an extra endpoint of the same host,
                               /loadbench/cdrs-prototype: body read and CdrBatchReader as POST /api/cdrs), on
                               Proposals/ProposedIngestion (the proposed Core changes, same checks): what they would gain
          http:
          --clients LIST       concurrent clients posting batches, comma-separated (default 4)
          --http-seconds S     timed run per client count (default 10, max 120)
          --http-warmup S      warm-up on other accounts (default 5, max 60)
          --http-batches N     batches generated per client count, the bound of each timed run (default 300)
          cosmos:
          --endpoint URL       emulator endpoint (default: $COSMOS_ENDPOINT), e.g. https://127.0.0.1:8081/
          --key KEY            account key (default: $COSMOS_KEY or the emulator's well-known key)
          --cosmos-batch LIST  CDRs per batch, comma-separated (default 1000,5000)
          --cosmos-batches N   batches per case (default 3)
          --cosmos-seconds S   per case: no new batch starts after this (default 90, max 600)

        """;

    private const double CoreTarget = 200_000;
    private const double HttpTarget = 100_000;
    private const string Source = "loadbench";
    private static readonly string EmulatorKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private sealed record Settings(
        int Batch, int Accounts, int Hot, int Prefixes, double SessionShare,
        double Seconds, double Warmup, int MaxBatches, int[] InFlight, int[] Applied, bool Split, bool Prototype,
        int[] Clients, double HttpSeconds, double HttpWarmup, int HttpBatches,
        int[] CosmosBatch, int CosmosBatches, double CosmosSeconds);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var cli = CliArgs.Parse(
            args,
            ["only", "batch", "accounts", "hot", "prefixes", "session-ids", "seconds", "warmup", "max-batches", "in-flight", "applied", "clients", "http-seconds",
                "http-warmup", "http-batches", "endpoint", "key", "cosmos-batch", "cosmos-batches", "cosmos-seconds"],
            ["split", "prototype"]);
        if (cli.Help)
        {
            Console.Write(Usage);
            return 0;
        }

        if (cli.Error is not null)
        {
            throw new ArgumentException(cli.Error);
        }

        var settings = new Settings(
            Batch: cli.Int("batch", 5000, 1, 100_000),
            Accounts: cli.Int("accounts", 1000, 1, 100_000),
            Hot: cli.Int("hot", 10, 1, 1000),
            Prefixes: cli.Int("prefixes", 2000, 100, 200_000),
            SessionShare: cli.Int("session-ids", 0, 0, 100) / 100.0,
            Seconds: cli.Seconds("seconds", 5, 0.5, 60),
            Warmup: cli.Seconds("warmup", 2, 0, 30),
            MaxBatches: cli.Int("max-batches", 150, 2, 2000),
            InFlight: List(cli["in-flight"] ?? "1,2", "in-flight", 1, 64),
            Applied: List(cli["applied"] ?? AccountState.AppliedCdrCapacity.ToString(CultureInfo.InvariantCulture), "applied", 0, AccountState.AppliedCdrCapacity),
            Split: cli.Flag("split"),
            Prototype: cli.Flag("prototype"),
            Clients: List(cli["clients"] ?? "4", "clients", 1, 256),
            HttpSeconds: cli.Seconds("http-seconds", 10, 0.5, 120),
            HttpWarmup: cli.Seconds("http-warmup", 5, 0, 60),
            HttpBatches: cli.Int("http-batches", 300, 2, 5000),
            CosmosBatch: List(cli["cosmos-batch"] ?? "1000,5000", "cosmos-batch", 1, 100_000),
            CosmosBatches: cli.Int("cosmos-batches", 3, 1, 1000),
            CosmosSeconds: cli.Seconds("cosmos-seconds", 90, 1, 600));
        var parts = (cli["only"] ?? "core,http,cosmos").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        if (parts.Count == 0 || parts.Any(p => p is not ("core" or "http" or "cosmos")))
        {
            throw new ArgumentException("--only takes core, http and cosmos, comma-separated");
        }

        var endpointText = cli["endpoint"] ?? Environment.GetEnvironmentVariable("COSMOS_ENDPOINT");
        Uri? endpoint = null;
        if (!string.IsNullOrWhiteSpace(endpointText) && (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint) || endpoint.Host != "127.0.0.1"))
        {
            throw new ArgumentException($"--endpoint must be a 127.0.0.1 URL (this bench never sends traffic elsewhere), not '{endpointText}'");
        }

        if (cli["only"] is not null && parts.Contains("cosmos") && endpoint is null)
        {
            throw new ArgumentException("cosmos needs an emulator endpoint: start one (infra/cosmos/start.sh) and pass --endpoint (or set COSMOS_ENDPOINT)");
        }

        var now = DateTimeOffset.UtcNow;
        var deck = IngestDeck.Create(settings.Prefixes, now);
        var rated = deck.Parse();
        Console.WriteLine($"ingest: {Machine.Describe()}");
        Console.WriteLine($"  deck '{IngestDeck.DeckId}': {deck.Rows:N0} rows, {deck.Prefixes:N0} prefixes, {rated.Rows.Select(r => r.Destination).Distinct(StringComparer.Ordinal).Count():N0} destinations; "
            + $"accounts: spread {settings.Accounts:N0} (even pre-paid, odd post-paid), hot {settings.Hot}; CDRs with a session id: {settings.SessionShare:P0}");

        if (parts.Contains("core"))
        {
            await CoreAsync(settings, deck, rated, now, cancellationToken);
        }

        if (parts.Contains("http"))
        {
            await HttpAsync(settings, deck, rated, now, cancellationToken);
        }

        if (parts.Contains("cosmos"))
        {
            if (endpoint is null)
            {
                Console.WriteLine("\ncosmos: skipped (no endpoint: start infra/cosmos/start.sh and pass --endpoint, or set COSMOS_ENDPOINT)");
            }
            else
            {
                await CosmosAsync(settings, deck, rated, now, endpoint, cli["key"], cancellationToken);
            }
        }

        return 0;
    }

    private static int[] List(string text, string name, int min, int max) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                ? n
                : throw new ArgumentException($"--{name} takes whole numbers from {min} to {max}, comma-separated, not '{t}'"))
            .ToArray();

    // ---------------------------------------------------------------- batches in flight

    /// <summary>What one timed run of batches measured: batches [0, Done) were ingested, each timed.</summary>
    private sealed record BatchRun(int Done, double Seconds, LatencySummary Latency, string Cpu, double CpuSeconds, int Gen0, int Gen2, TimeSpan GcPause, long Allocated)
    {
        /// <summary>"pause ms (share of the wall time)": all threads stand still while server GC works on every core.</summary>
        public string Pause => $"{Fmt.N0(GcPause.TotalMilliseconds)} ({Fmt.N0(100 * GcPause.TotalSeconds / Seconds)}%)";
    }

    /// <summary>
    /// <paramref name="inFlight"/> loops take the next batch index of the pool until it is used up or the time is up; a
    /// batch started is always finished, so the batches done are exactly [0, Done).
    /// </summary>
    private static async Task<BatchRun> RunBatchesAsync(int inFlight, int available, double seconds, Func<int, Task> ingest, CancellationToken cancellationToken)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var cpu = Machine.Cpu();
        var (gen0, gen2) = (Machine.Gen0Collections, Machine.Gen2Collections);
        var (pause, allocated) = (GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());
        var next = -1;
        var latencies = Enumerable.Range(0, inFlight).Select(_ => new List<long>()).ToArray();
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(seconds * Stopwatch.Frequency);
        var loops = Enumerable.Range(0, inFlight).Select(w => Task.Run(
            async () =>
            {
                while (!cancellationToken.IsCancellationRequested && Stopwatch.GetTimestamp() < deadline)
                {
                    var index = Interlocked.Increment(ref next);
                    if (index >= available)
                    {
                        return;
                    }

                    var t0 = Stopwatch.GetTimestamp();
                    await ingest(index);
                    latencies[w].Add(Stopwatch.GetTimestamp() - t0);
                }
            },
            CancellationToken.None)).ToArray();
        await Task.WhenAll(loops);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var end = Machine.Cpu();
        return new BatchRun(
            latencies.Sum(l => l.Count), elapsed, LatencySummary.Of(latencies.Select(l => l.ToArray())), end.Since(cpu, elapsed), end.ProcessSeconds(cpu),
            Machine.Gen0Collections - gen0, Machine.Gen2Collections - gen2, GC.GetTotalPauseDuration() - pause, GC.GetTotalAllocatedBytes() - allocated);
    }

    private static BatchCounts Counts(IngestResult result) => new(result.Received, result.Accepted, result.Duplicates, result.Quarantined.Count);

    // ---------------------------------------------------------------- (1) core

    private sealed record CoreOutcome(BatchRun Run, long Cdrs, string Counts, (long, long, long, long) Sums, string Replay, string Ledger, long ParseTicks, IngestRig Rig);

    private static async Task CoreAsync(Settings settings, IngestDeck deck, RateDeck rated, DateTimeOffset now, CancellationToken cancellationToken)
    {
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
            + $"each case: fresh stores, {settings.Warmup} s warm-up on other accounts, then at most {settings.Seconds} s or the {settings.MaxBatches} batches");

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
                    foreach (var (csv, prototype) in new[] { (false, false), (false, true), (true, false), (true, true) }.Where(c => settings.Prototype || !c.Item2))
                    {
                        var o = await CoreCaseAsync(settings, deck, rated, ids, warmIds, pools[name], warmPool, csv, inFlight, applied, prototype, cancellationToken);
                        var r = o.Run;
                        var rate = o.Cdrs / r.Seconds;
                        table.Add(
                            name + (prototype ? ", prototype" : ""),
                            Fmt.N0(ids.Length),
                            Fmt.N0(applied),
                            csv ? "CSV text" : "pre-parsed",
                            inFlight.ToString(CultureInfo.InvariantCulture),
                            Fmt.N0(r.Done),
                            Fmt.N0(o.Cdrs),
                            Fmt.N0(rate),
                            Fmt.AtLeast(rate, CoreTarget, "/s"),
                            Fmt.N2(r.Latency.P50Us / 1000),
                            Fmt.N2(r.Latency.P99Us / 1000),
                            Fmt.N1(r.Latency.MaxUs / 1000),
                            Fmt.N2(r.CpuSeconds * 1e6 / Math.Max(1, o.Cdrs)),
                            r.Cpu,
                            $"{r.Gen0}/{r.Gen2}",
                            r.Pause,
                            Fmt.N2(r.Allocated / 1024.0 / Math.Max(1, o.Cdrs)),
                            $"{Fmt.N0(o.Sums.Item2)} / {Fmt.N0(o.Sums.Item3)} / {Fmt.N0(o.Sums.Item4)}",
                            o.Counts,
                            o.Replay,
                            o.Ledger);
                        if (settings.Split)
                        {
                            var cdrs = Math.Max(1, o.Cdrs);
                            double Us(long ticks) => LatencySummary.ToUs(ticks) / cdrs;
                            var rig = o.Rig;
                            var parts = new[]
                            {
                                Us(o.ParseTicks), Us(rig.Accounts.ReadTicks.Value), Us(rig.Accounts.DecideTicks.Value), Us(rig.Accounts.WriteTicks.Value),
                                Us(rig.Usage.FindTicks.Value), Us(rig.Usage.CreateTicks.Value), Us(rig.Quarantine.AddTicks.Value),
                            };
                            var cpuUs = r.CpuSeconds * 1e6 / cdrs;
                            split.Add(
                                name + (prototype ? ", prototype" : ""),
                                Fmt.N0(applied),
                                csv ? "CSV text" : "pre-parsed",
                                inFlight.ToString(CultureInfo.InvariantCulture),
                                Fmt.N2(r.Seconds * 1e6 / cdrs),
                                Fmt.N2(cpuUs),
                                Fmt.N2(parts[0]),
                                Fmt.N2(parts[1]),
                                Fmt.N2(parts[2]),
                                Fmt.N2(parts[3]),
                                Fmt.N2(parts[4]),
                                Fmt.N2(parts[5]),
                                Fmt.N2(parts[6]),
                                Fmt.N2(cpuUs - parts.Sum()),
                                Fmt.N0(rig.Accounts.Conflicts.Value),
                                Fmt.N0((double)rig.Accounts.Reads.Value / Math.Max(1, r.Done)));
                        }
                    }
                }
            }
        }

        table.Note("CDRs/s: CDRs of the batches done / wall time of the run (a batch is 'received' lines: accepted + duplicates + quarantined).");
        table.Note("in flight: IngestAsync calls running at once (one per Event Hubs partition in Azure); each call works on 4 accounts at a time itself.");
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
            StepProfile(deck, rated, pools["spread"][0], pools["hot"][0], now).Print(Console.Out);
        }
    }

    private static async Task<CoreOutcome> CoreCaseAsync(
        Settings settings, IngestDeck deck, RateDeck rated, string[] ids, string[] warmIds, GeneratedBatch[] pool, GeneratedBatch[] warmPool, bool csv, int inFlight,
        int applied, bool prototype, CancellationToken cancellationToken)
    {
        var clock = TimeProvider.System;
        var options = new CreditControlOptions();
        var accounts = new InMemoryAccountStore();
        var decks = new RateDeckCache(new InMemoryRateDeckStore(), clock);
        var admin = new AccountService(accounts, new InMemoryTopUpStore(), decks, clock, options);
        var import = await admin.ImportDeckAsync(IngestDeck.DeckId, new StringReader(deck.Csv), cancellationToken);
        if (!import.Succeeded)
        {
            throw new InvalidOperationException("the generated deck is invalid: " + string.Join("; ", import.Errors));
        }

        await OpenAsync(admin, ids, cancellationToken);
        await OpenAsync(admin, warmIds, cancellationToken);
        await IngestRig.FillAppliedAsync(accounts, ids, applied, 1, cancellationToken);
        await IngestRig.FillAppliedAsync(accounts, warmIds, applied, 1, cancellationToken);
        Func<long>? timer = settings.Split ? ThreadCpu.Now : null;
        var rig = new IngestRig(accounts, new InMemorySessionIndex(), new InMemoryUsageStore(), new InMemoryQuarantineStore(), decks, clock, options, timer, prototype);

        var parseTicks = new StripedCounter();
        async Task<BatchCounts> IngestAsync(GeneratedBatch batch)
        {
            IReadOnlyList<CdrRecord> records;
            if (csv)
            {
                var t0 = timer?.Invoke() ?? 0;
                records = CdrCsvReader.Read(batch.Csv).ToList();
                parseTicks.Add((timer?.Invoke() ?? 0) - t0);
            }
            else
            {
                records = batch.Records;
            }

            return Counts(await rig.IngestAsync(records, Source, CancellationToken.None));
        }

        if (settings.Warmup > 0)
        {
            await RunBatchesAsync(inFlight, warmPool.Length, settings.Warmup, async i => await IngestAsync(warmPool[i]), cancellationToken);
        }

        rig.Reset();
        parseTicks.Reset();
        var results = new BatchCounts[pool.Length];
        var run = await RunBatchesAsync(inFlight, pool.Length, settings.Seconds, async i => results[i] = await IngestAsync(pool[i]), cancellationToken);
        var parse = parseTicks.Value;

        var sums = IngestChecks.Sum(results, run.Done);
        var counts = IngestChecks.Counts(pool, results, run.Done);
        var replay = run.Done > 0 ? IngestChecks.Replay(pool[0], await IngestAsync(pool[0])) : "n/a";
        var expected = IngestChecks.ExpectedCharges(rated, pool, run.Done);
        var ledger = IngestChecks.Ledger(ids.Select(id => accounts.GetAsync(id, cancellationToken).Result!.Value), expected);
        return new CoreOutcome(run, sums.Received, counts, sums, replay, ledger, parse, rig);
    }

    private static async Task OpenAsync(AccountService admin, string[] ids, CancellationToken cancellationToken, int parallel = 1)
    {
        await Parallel.ForEachAsync(
            ids.Select((id, index) => (id, index)),
            new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
            async (account, ct) =>
            {
                var opened = await admin.UpsertAsync(account.id, IngestAccounts.Settings(account.index), IngestAccounts.Opening(account.index), ct);
                if (opened.Error is { } error)
                {
                    throw new InvalidOperationException($"could not open account {account.id}: {error.Detail}");
                }
            });
    }

    /// <summary>Single steps of ingestion on one thread, mean ns per CDR (or per call): what the rules and readers cost alone.</summary>
    private static Table StepProfile(IngestDeck deck, RateDeck rated, GeneratedBatch spreadBatch, GeneratedBatch hotBatch, DateTimeOffset now)
    {
        var table = new Table("ingest (1) core - single steps (--split), 1 thread, mean ns", "step", "ns per CDR", "ns per call", "calls per 5,000-CDR batch (spread / hot)");
        var sink = 0L;
        void Measure(string step, int cdrsPerCall, string perBatch, int iterations, Func<long> body)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            for (var i = 0; i < Math.Max(1, iterations / 5); i++)
            {
                sink = unchecked(sink + body());
            }

            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < iterations; i++)
            {
                sink = unchecked(sink + body());
            }

            var ns = LatencySummary.ToUs(Stopwatch.GetTimestamp() - start) * 1000 / iterations;
            table.Add(step, cdrsPerCall > 0 ? Fmt.N0(ns / cdrsPerCall) : "", Fmt.N0(ns), perBatch);
        }

        var size = spreadBatch.Size;
        Measure("CdrCsvReader.Read(string).ToList() (whole batch)", size, "1", 20, () => CdrCsvReader.Read(spreadBatch.Csv).ToList().Count);
        Measure("CdrBatchReader.Read(UTF-8 bytes) (whole batch, as POST /api/cdrs)", size, "1", 20, () => CdrBatchReader.Read(spreadBatch.Utf8).Records.Count);
        var cdrs = spreadBatch.Records.Where(r => r.Cdr is not null).Select(r => r.Cdr!).ToArray();
        Measure("RateDeck.Rate (whole batch)", cdrs.Length, $"{cdrs.Length:N0}", 50, () =>
        {
            long billed = 0;
            foreach (var cdr in cdrs)
            {
                billed += rated.Rate(cdr.CalledNumber, cdr.StartTime, cdr.DurationSeconds, cdr.Disposition).BilledSeconds;
            }

            return billed;
        });
        Measure("records.Where.GroupBy(account).ToList + group.ToList (whole batch)", size, "1", 50, () =>
            spreadBatch.Records.Where(r => r.Cdr is not null).GroupBy(r => r.Cdr!.AccountId, StringComparer.Ordinal).ToList().Sum(g => g.ToList().Count));

        var fresh = AccountState.Open("profile", IngestAccounts.Settings(1), 0m, now);
        var full = fresh;
        for (var i = 0; i < AccountState.AppliedCdrCapacity; i++)
        {
            full = full.RememberApplied(string.Create(CultureInfo.InvariantCulture, $"old-cdr-{i:D6}"));
        }

        var groups = spreadBatch.Records.Where(r => r.Cdr is not null).GroupBy(r => r.Cdr!.AccountId, StringComparer.Ordinal)
            .Select(g => g.Select(r => (r.Cdr!, r.Line)).ToList()).ToList();
        var perAccount = (double)groups.Sum(g => g.Count) / groups.Count;
        var five = groups.OrderByDescending(g => g.Count).First(g => g.Count <= 5 && g.Count >= 4);
        var hot = hotBatch.Records.Where(r => r.Cdr is not null).GroupBy(r => r.Cdr!.AccountId, StringComparer.Ordinal).First().Select(r => (r.Cdr!, r.Line)).ToList();
        var groupCalls = $"{groups.Count:N0} (~{perAccount:N1} CDRs each) / 10";
        Measure($"AccountState.AppliedCdrs.ToHashSet, {AccountState.AppliedCdrCapacity:N0} ids (once per Apply)", 0, groupCalls, 2000, () => full.AppliedCdrs.ToHashSet(StringComparer.Ordinal).Count);
        Measure($"IngestionRules.Apply, {five.Count} CDRs, empty applied set", five.Count, groupCalls, 20_000, () => IngestionRules.Apply(fresh, rated, five, now).Answer!.Count);
        Measure($"IngestionRules.Apply, {five.Count} CDRs, applied set full ({AccountState.AppliedCdrCapacity:N0})", five.Count, groupCalls, 5_000, () => IngestionRules.Apply(full, rated, five, now).Answer!.Count);
        Measure($"IngestionRules.Apply, {hot.Count} CDRs (hot), applied set full", hot.Count, groupCalls, 200, () => IngestionRules.Apply(full, rated, hot, now).Answer!.Count);
        // The rules over a whole batch as the service sees it: ~1,000 account documents, each touched once per batch,
        // so each group's document (its applied ids, its totals) is cold in the caches.
        foreach (var applied in new[] { 0, AccountState.AppliedCdrCapacity })
        {
            var documents = groups.Select(g => g[0].Item1.AccountId).Distinct(StringComparer.Ordinal).ToDictionary(
                id => id,
                id =>
                {
                    var state = AccountState.Open(id, IngestAccounts.Settings(1), 0m, now);
                    for (var i = 0; i < applied; i++)
                    {
                        state = state.RememberApplied(string.Create(CultureInfo.InvariantCulture, $"prior-{id}-{i:D6}"));
                    }

                    return state;
                },
                StringComparer.Ordinal);
            Measure($"IngestionRules.Apply over a whole spread batch ({groups.Count:N0} cold documents), {applied:N0} applied ids", size, "1", 10, () =>
            {
                long n = 0;
                foreach (var group in groups)
                {
                    n += IngestionRules.Apply(documents[group[0].Item1.AccountId], rated, group, now).Answer!.Count;
                }

                return n;
            });
        }

        var line = new ChargeLine(0.0123m, 60, 1, rated.Rows[0].Destination, now.AddMinutes(-5));
        Measure("AccountState.Commit (period, totals, by destination)", 1, "1 per CDR", 200_000, () => fresh.Commit(line, now).Totals.Count);
        var chainIds = Enumerable.Range(0, 1000).Select(i => string.Create(CultureInfo.InvariantCulture, $"new-cdr-{i:D6}")).ToArray();
        Measure($"AccountState.RememberApplied at capacity, 1,000 in a row (queue reversal amortized)", 1000, "1 per CDR", 200, () =>
        {
            var state = full;
            foreach (var id in chainIds)
            {
                state = state.RememberApplied(id);
            }

            return state.AppliedCount;
        });

        // Proposal (a): check a group's ids against the document without building a set of all its ids.
        var groupIds = five.Select(c => c.Item1.CdrId).ToArray();
        Measure($"proposal: one pass over the {AccountState.AppliedCdrCapacity:N0} ids against a set of the group's {groupIds.Length}", 0, groupCalls, 2000, () =>
        {
            var wanted = new HashSet<string>(groupIds, StringComparer.Ordinal);
            var hits = 0;
            foreach (var id in full.AppliedCdrs)
            {
                hits += wanted.Contains(id) ? 1 : 0;
            }

            return hits;
        });

        // Proposal (b): the document keeps a persistent set next to the queue: Contains, Add and (at capacity) Remove per CDR.
        var persistent = System.Collections.Immutable.ImmutableHashSet.CreateRange(StringComparer.Ordinal, full.AppliedCdrs);
        var oldest = full.AppliedCdrs.ToArray();
        Measure($"proposal: ImmutableHashSet of {AccountState.AppliedCdrCapacity:N0} ids, Contains + Add + Remove oldest, 1,000 in a row", 1000, "1 per CDR", 200, () =>
        {
            var set = persistent;
            for (var i = 0; i < chainIds.Length; i++)
            {
                if (!set.Contains(chainIds[i]))
                {
                    set = set.Add(chainIds[i]).Remove(oldest[i]);
                }
            }

            return set.Count;
        });
        // Proposal (c): the document keeps a ring of 64-bit hashes of its applied ids (8 KB, copied once per Apply);
        // per CDR one vectorized IndexOf and one store; a hit (a real duplicate, or a collision) is confirmed on the ids.
        var ring = full.AppliedCdrs.Select(Fnv64).ToArray();
        Measure($"proposal: hash ring of {AccountState.AppliedCdrCapacity:N0} (copy per group, IndexOf + store per CDR), group of {groupIds.Length}", 0, groupCalls, 20_000, () =>
        {
            var copy = (long[])ring.Clone();
            var position = 0;
            var hits = 0;
            foreach (var id in groupIds)
            {
                var hash = Fnv64(id);
                if (Array.IndexOf(copy, hash) >= 0)
                {
                    hits++;
                    continue;
                }

                copy[position++ % copy.Length] = hash;
            }

            return hits + copy[0];
        });

        var usage = new InMemoryUsageStore();
        var ids = cdrs.Take(5).Select(c => c.CdrId).ToList();
        Measure("InMemoryUsageStore.FindExistingAsync, 5 ids", 5, groupCalls, 200_000, () => usage.FindExistingAsync("profile", ids, CancellationToken.None).Result.Count);
        var five0 = five.Select(c => c.Item1).ToList();
        Measure("Parallel.ForEachAsync over 5 items doing nothing (DOP 8, per account group)", 5, groupCalls, 20_000, () =>
        {
            Parallel.ForEachAsync(five0, new ParallelOptions { MaxDegreeOfParallelism = 8 }, (_, _) => ValueTask.CompletedTask).GetAwaiter().GetResult();
            return 1;
        });
        Measure("SHA-256 quarantine id (one quarantined CDR)", 1, "~20 per batch", 100_000, () =>
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"a\nb\nreason text of some length\n{spreadBatch.Csv.AsSpan(0, 100)}"))[0]);
        table.Note($"Apply = the decision of one account group: applied-id set (ToHashSet of the document's ids), then per CDR: RateDeck.Rate, Commit, RememberApplied, the usage record. (checksum {sink % 10})");
        return table;
    }

    /// <summary>FNV-1a over the UTF-16 code units: a stable 64-bit hash for the hash-ring prototype.</summary>
    private static long Fnv64(string text)
    {
        unchecked
        {
            var hash = (long)14695981039346656037UL;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 1099511628211L;
            }

            return hash;
        }
    }

    // ---------------------------------------------------------------- (2) http

    private static async Task HttpAsync(Settings settings, IngestDeck deck, RateDeck rated, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var spreadIds = IngestAccounts.Ids("acct-", settings.Accounts);
        var warmIds = IngestAccounts.Ids("warm-", settings.Accounts);
        var factory = new CdrBatchFactory(deck, spreadIds, "s", now, settings.SessionShare, 11);
        var warmPool = new CdrBatchFactory(deck, warmIds, "w", now, settings.SessionShare, 13).CreateMany(Math.Min(60, settings.HttpBatches), settings.Batch, parse: false, utf8: true);

        await using var app = LocalHost.Build(["--urls", "http://127.0.0.1:0", "--Store=memory", "--Local:SeedDemo=false", "--Logging:LogLevel:Default=Warning"]);
        var serverTicks = new StripedCounter();
        var serverCount = new StripedCounter();
        app.Use(async (context, next) =>
        {
            // Around the endpoint (after routing): body read, CSV parsing, IngestAsync, the JSON answer.
            var start = Stopwatch.GetTimestamp();
            await next(context);
            if (context.Request.Path.StartsWithSegments("/api/cdrs", StringComparison.Ordinal) || context.Request.Path.StartsWithSegments(PrototypeUri.OriginalString, StringComparison.Ordinal))
            {
                serverTicks.Add(Stopwatch.GetTimestamp() - start);
                serverCount.Add();
            }
        });
        if (settings.Prototype)
        {
            // POST /api/cdrs as CdrEndpoints.Post does it, on the prototype of the proposed Core changes and the host's own stores.
            var services = app.Services;
            var proposed = new Proposals.ProposedIngestion(
                services.GetRequiredService<IAccountStore>(), services.GetRequiredService<ISessionIndex>(), services.GetRequiredService<IUsageStore>(),
                services.GetRequiredService<IQuarantineStore>(), services.GetRequiredService<RateDeckCache>(), services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<CreditControlOptions>());
            app.MapPost(PrototypeUri.OriginalString, async (HttpRequest request, CancellationToken ct) =>
            {
                var body = await RequestReader.ReadBytesAsync(request, CdrEndpoints.MaxBatchBytes, ct);
                var batch = CdrBatchReader.Read(body);
                if (batch.DocumentError is { } error)
                {
                    return Results.BadRequest(error);
                }

                var result = await proposed.IngestAsync(batch.Records, "http", ct);
                return Results.Ok(new IngestResponse(
                    result.Received, result.Accepted, result.Duplicates, result.Quarantined.Count, result.Quarantined.Select(q => new QuarantinedResponse(q.CdrId, q.Line, q.Reason)).ToList()));
            });
        }

        await app.StartAsync(cancellationToken);
        try
        {
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            if (address.Host != "127.0.0.1")
            {
                throw new InvalidOperationException($"the host listens on {address}, not on 127.0.0.1");
            }

            Console.WriteLine($"\n(2) http: local host in process at {address} (demo data off); load generator in the same process (client and server share the cores); "
                + $"{settings.Clients.Max()} connection(s) max, keep-alive; {settings.HttpWarmup} s warm-up on other accounts, then at most {settings.HttpSeconds} s or {settings.HttpBatches} batches per client count");
            using var client = CreateClient(address, settings.Clients.Max());
            using (var content = new StringContent(deck.Csv, System.Text.Encoding.UTF8, "text/csv"))
            using (var response = await client.PutAsync(new Uri("/api/ratedecks/" + IngestDeck.DeckId, UriKind.Relative), content, cancellationToken))
            {
                await EnsureOkAsync(response, "PUT /api/ratedecks/" + IngestDeck.DeckId, cancellationToken);
            }

            var setup = Stopwatch.StartNew();
            await PutAccountsAsync(client, spreadIds, cancellationToken);
            await PutAccountsAsync(client, warmIds, cancellationToken);
            Console.WriteLine($"  deck and {spreadIds.Length + warmIds.Length:N0} accounts created over HTTP in {setup.Elapsed.TotalSeconds:N1} s");
            var store = app.Services.GetService<InMemoryAccountStore>();
            if (store is not null && settings.Applied[0] > 0)
            {
                // The steady state: documents that have taken AppliedCdrCapacity CDRs already (not possible through the API).
                await IngestRig.FillAppliedAsync(store, [.. spreadIds, .. warmIds], settings.Applied[0], 1, cancellationToken);
                Console.WriteLine($"  {settings.Applied[0]:N0} earlier CDR ids put in each account document's applied set (in the host's InMemory store): the steady state");
            }

            var table = new Table(
                "ingest (2) http - POST /api/cdrs (text/csv, " + settings.Batch.ToString("N0", CultureInfo.InvariantCulture) + " CDRs per batch) on the local host over loopback HTTP/1.1",
                "case", "clients", "batches", "CDRs", "CDRs/s", "target >=100,000/s", "batch p50 ms", "batch p99 ms", "max ms", "server ms/batch (mean)",
                "cpu us/CDR", "cpu % proc/machine", "gen0/gen2", "GC pause ms (% wall)", "alloc KB/CDR", "errors", "accepted / dup / quarantined", "a+d+q = received", "replay of batch 0", "ledger");
            var posted = new List<GeneratedBatch>();
            var warmOffset = 0;
            async Task RoundAsync(int clients, Uri uri, string label)
            {
            // Every round gets its own batches (new CDR ids), generated before the clock starts.
            var slice = factory.CreateMany(settings.HttpBatches, settings.Batch, parse: false, utf8: true, first: posted.Count + 1);
            serverTicks.Reset();
            serverCount.Reset();
            var results = new BatchCounts[slice.Length];
            var errors = 0;
            var run = await RunBatchesAsync(clients, slice.Length, settings.HttpSeconds, async i =>
            {
                var counts = await PostAsync(client, uri, slice[i], cancellationToken);
                if (counts is null)
                {
                    Interlocked.Increment(ref errors);
                }

                results[i] = counts ?? default;
            }, cancellationToken);
            posted.AddRange(slice.Take(run.Done));
            var serverMs = serverCount.Value == 0 ? double.NaN : LatencySummary.ToUs(serverTicks.Value) / 1000 / serverCount.Value;
            var sums = IngestChecks.Sum(results, run.Done);
            var counted = IngestChecks.Counts(slice, results, run.Done);
            var replay = run.Done > 0 && await PostAsync(client, uri, slice[0], cancellationToken) is { } again ? IngestChecks.Replay(slice[0], again) : "n/a (failed)";
            var ledger = "n/a (not the InMemory store)";
            if (store is not null)
            {
                // All rounds so far went to the same accounts: expected money is over every batch posted to them.
                var expected = IngestChecks.ExpectedCharges(rated, posted, posted.Count);
                ledger = IngestChecks.Ledger(spreadIds.Select(id => store.GetAsync(id, cancellationToken).Result!.Value), expected);
            }

            var cdrs = sums.Received;
            var rate = cdrs / run.Seconds;
            table.Add(
                label,
                clients.ToString(CultureInfo.InvariantCulture),
                Fmt.N0(run.Done),
                Fmt.N0(cdrs),
                Fmt.N0(rate),
                Fmt.AtLeast(rate, HttpTarget, "/s"),
                Fmt.N1(run.Latency.P50Us / 1000),
                Fmt.N1(run.Latency.P99Us / 1000),
                Fmt.N1(run.Latency.MaxUs / 1000),
                Fmt.N1(serverMs),
                Fmt.N2(run.CpuSeconds * 1e6 / Math.Max(1, cdrs)),
                run.Cpu,
                $"{run.Gen0}/{run.Gen2}",
                run.Pause,
                Fmt.N2(run.Allocated / 1024.0 / Math.Max(1, cdrs)),
                Fmt.N0(errors),
                $"{Fmt.N0(sums.Accepted)} / {Fmt.N0(sums.Duplicates)} / {Fmt.N0(sums.Quarantined)}",
                counted,
                replay,
                ledger);
            }

            foreach (var clients in settings.Clients)
            {
                // Warm-up batches go to other accounts; each warm-up takes the next unused ones.
                if (settings.HttpWarmup > 0 && warmOffset < warmPool.Length)
                {
                    var w0 = warmOffset;
                    var warm = await RunBatchesAsync(clients, warmPool.Length - w0, settings.HttpWarmup, async i => await PostAsync(client, CdrsUri, warmPool[w0 + i], cancellationToken), cancellationToken);
                    warmOffset += warm.Done;
                }

                await RoundAsync(clients, CdrsUri, "spread");
                if (settings.Prototype)
                {
                    await RoundAsync(clients, PrototypeUri, "spread, prototype");
                }
            }

            table.Note("One batch = one POST /api/cdrs with a text/csv body (~" + Fmt.N0(warmPool[0].Utf8.Length / 1024.0) + " KB); each client posts its next batch when the answer is in (closed loop).");
            table.Note("server ms/batch: mean time around the endpoint (body read, CdrBatchReader, IngestionService, JSON answer); the rest of a batch's latency is");
            table.Note("  the client (request body, answer) and queueing: clients and server share the cores.");
            table.Note("a+d+q = received / replay / ledger: as in (1), from the HTTP answers and the host's InMemory account store.");
            table.Print(Console.Out);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    private static HttpClient CreateClient(Uri address, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        return new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    private static async Task PutAccountsAsync(HttpClient client, string[] ids, CancellationToken cancellationToken)
    {
        var bodies = new[] { IngestAccounts.PutBody(0), IngestAccounts.PutBody(1) };
        await Parallel.ForEachAsync(
            ids.Select((id, index) => (id, index)),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (account, ct) =>
            {
                using var content = new ByteArrayContent(bodies[account.index % 2]);
                content.Headers.ContentType = JsonType;
                using var response = await client.PutAsync(new Uri("/api/accounts/" + account.id, UriKind.Relative), content, ct);
                await EnsureOkAsync(response, "PUT /api/accounts/" + account.id, ct);
            });
    }

    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private static readonly MediaTypeHeaderValue CsvType = new("text/csv");
    private static readonly Uri CdrsUri = new("/api/cdrs", UriKind.Relative);
    private static readonly Uri PrototypeUri = new("/loadbench/cdrs-prototype", UriKind.Relative);

    /// <summary>Posts one batch; the counts of the answer, or null when it was not a 200 with them.</summary>
    private static async Task<BatchCounts?> PostAsync(HttpClient client, Uri uri, GeneratedBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new ByteArrayContent(batch.Utf8);
            content.Headers.ContentType = CsvType;
            using var response = await client.PostAsync(uri, content, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            return new BatchCounts(
                root.GetProperty("received").GetInt32(), root.GetProperty("accepted").GetInt32(), root.GetProperty("duplicates").GetInt32(), root.GetProperty("quarantined").GetArrayLength());
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task EnsureOkAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    // ---------------------------------------------------------------- (3) cosmos

    private static async Task<long> DocumentBytesAsync(Container container, string id, CancellationToken cancellationToken)
    {
        using var response = await container.ReadItemStreamAsync(id, new PartitionKey(id), cancellationToken: cancellationToken);
        if (!response.IsSuccessStatusCode || response.Content is null)
        {
            return -1;
        }

        using var buffer = new MemoryStream();
        await response.Content.CopyToAsync(buffer, cancellationToken);
        return buffer.Length;
    }

    private static async Task CosmosAsync(Settings settings, IngestDeck deck, RateDeck rated, DateTimeOffset now, Uri endpoint, string? key, CancellationToken cancellationToken)
    {
        var cosmos = new CosmosOptions
        {
            Endpoint = endpoint.ToString(),
            Key = key ?? (Environment.GetEnvironmentVariable("COSMOS_KEY") is { Length: > 0 } k ? k : EmulatorKey),
            Database = $"loadbench-ingest-{Guid.NewGuid():N}",
            AcceptLoopbackCertificate = true,
            CreateIfNotExists = true,
        };
        Console.WriteLine($"\n(3) cosmos: emulator {cosmos.Endpoint} (Gateway mode), database {cosmos.Database}; the emulator (node, one thread) and this process share the cores; "
            + $"{settings.CosmosBatches} batch(es) per case, one in flight, no new batch after {settings.CosmosSeconds} s");
        using var client = CosmosClientFactory.Create(cosmos);
        Database? database = null;
        try
        {
            database = await CosmosBootstrap.EnsureAsync(client, cosmos, cancellationToken);
            var clock = TimeProvider.System;
            var options = new CreditControlOptions();
            var accountsContainer = database.GetContainer(cosmos.AccountsContainer);
            var accounts = new CosmosAccountStore(accountsContainer);
            var decks = new RateDeckCache(new CosmosRateDeckStore(database.GetContainer(cosmos.RateDecksContainer)), clock);
            var admin = new AccountService(accounts, new CosmosTopUpStore(database.GetContainer(cosmos.TopUpsContainer)), decks, clock, options);
            var import = await admin.ImportDeckAsync(IngestDeck.DeckId, new StringReader(deck.Csv), cancellationToken);
            if (!import.Succeeded)
            {
                throw new InvalidOperationException("the generated deck is invalid");
            }

            IngestRig NewRig() => new(
                accounts,
                new CosmosSessionIndex(database.GetContainer(cosmos.SessionsContainer), clock),
                new CosmosUsageStore(database.GetContainer(cosmos.UsageContainer)),
                new CosmosQuarantineStore(database.GetContainer(cosmos.QuarantineContainer)),
                decks,
                clock,
                options,
                Stopwatch.GetTimestamp);

            // Warm-up: SDK connections, JIT, the deck cache; 50 accounts, one batch of 500.
            var warmIds = IngestAccounts.Ids("cwarm-", 50);
            await OpenAsync(admin, warmIds, cancellationToken, parallel: 8);
            var warmRig = NewRig();
            var warmBatch = new CdrBatchFactory(deck, warmIds, "cw", now, settings.SessionShare, 21).Create(0, 500);
            await warmRig.Service.IngestAsync(warmBatch.Records, Source, cancellationToken);

            var table = new Table(
                "ingest (3) cosmos - IngestionService.IngestAsync on the Cosmos stores (local emulator), one batch in flight",
                "case", "accts", "applied ids", "batch", "batches", "CDRs", "CDRs/s", "batch p50 s", "max s", "requests/batch", "requests/s",
                "acct reads", "acct writes", "usage look-ups", "usage creates", "quarantine", "412s", "account doc KB", "cpu us/CDR", "cpu % proc/machine",
                "accepted / dup / quarantined", "a+d+q = received", "replay of batch 0", "ledger");
            var caseNumber = 0;
            foreach (var size in settings.CosmosBatch)
            {
                foreach (var (name, count) in new[] { ("spread", settings.Accounts), ("hot", settings.Hot) })
                {
                    caseNumber++;
                    var ids = IngestAccounts.Ids(string.Create(CultureInfo.InvariantCulture, $"c{caseNumber}-{name}-"), count);
                    var opening = Stopwatch.StartNew();
                    await OpenAsync(admin, ids, cancellationToken, parallel: 8);
                    await IngestRig.FillAppliedAsync(accounts, ids, settings.Applied[0], 8, cancellationToken);
                    var pool = new CdrBatchFactory(deck, ids, string.Create(CultureInfo.InvariantCulture, $"c{caseNumber}"), now, settings.SessionShare, 100 + caseNumber)
                        .CreateMany(settings.CosmosBatches, size, parse: true, utf8: false);
                    Console.WriteLine($"  case {caseNumber}: {name}, {count:N0} accounts opened in {opening.Elapsed.TotalSeconds:N1} s; {pool.Length} batch(es) of {size:N0}");
                    var rig = NewRig();
                    var results = new BatchCounts[pool.Length];
                    var run = await RunBatchesAsync(1, pool.Length, settings.CosmosSeconds,
                        async i => results[i] = Counts(await rig.Service.IngestAsync(pool[i].Records, Source, CancellationToken.None)), cancellationToken);
                    var reads = rig.Accounts.Reads.Value;
                    var writes = rig.Accounts.Writes.Value;
                    var (finds, creates, quarantines) = (rig.Usage.Finds.Value, rig.Usage.Creates.Value, rig.Quarantine.Adds.Value);
                    var (readMs, writeMs, findMs, createMs, quarantineMs) = (
                        LatencySummary.ToUs(rig.Accounts.ReadTicks.Value) / 1000, LatencySummary.ToUs(rig.Accounts.WriteTicks.Value) / 1000,
                        LatencySummary.ToUs(rig.Usage.FindTicks.Value) / 1000, LatencySummary.ToUs(rig.Usage.CreateTicks.Value) / 1000,
                        LatencySummary.ToUs(rig.Quarantine.AddTicks.Value) / 1000);
                    var conflicts = rig.Accounts.Conflicts.Value;
                    var requests = reads + writes + finds + creates + quarantines;
                    var sums = IngestChecks.Sum(results, run.Done);
                    var counted = IngestChecks.Counts(pool, results, run.Done);
                    var replay = run.Done > 0 ? IngestChecks.Replay(pool[0], Counts(await rig.Service.IngestAsync(pool[0].Records, Source, cancellationToken))) : "n/a";
                    var states = new List<AccountState>();
                    foreach (var id in ids)
                    {
                        states.Add((await accounts.GetAsync(id, cancellationToken))!.Value);
                    }

                    var ledger = IngestChecks.Ledger(states, IngestChecks.ExpectedCharges(rated, pool, run.Done));
                    long documentBytes = 0;
                    foreach (var id in ids.Take(20))
                    {
                        documentBytes = Math.Max(documentBytes, await DocumentBytesAsync(accountsContainer, id, cancellationToken));
                    }
                    var done = Math.Max(1, run.Done);
                    string Per(long n, double ms) => n == 0 ? "0" : $"{Fmt.N0((double)n / done)} x {Fmt.N2(ms / n)} ms";
                    table.Add(
                        name,
                        Fmt.N0(count),
                        Fmt.N0(settings.Applied[0]),
                        Fmt.N0(size),
                        Fmt.N0(run.Done),
                        Fmt.N0(sums.Received),
                        Fmt.N0(sums.Received / run.Seconds),
                        Fmt.N2(run.Latency.P50Us / 1e6),
                        Fmt.N2(run.Latency.MaxUs / 1e6),
                        Fmt.N0((double)requests / done),
                        Fmt.N0(requests / run.Seconds),
                        Per(reads, readMs),
                        Per(writes, writeMs),
                        Per(finds, findMs),
                        Per(creates, createMs),
                        Per(quarantines, quarantineMs),
                        Fmt.N0(conflicts),
                        Fmt.N1(documentBytes / 1024.0),
                        Fmt.N0(run.CpuSeconds * 1e6 / Math.Max(1, sums.Received)),
                        run.Cpu,
                        $"{Fmt.N0(sums.Accepted)} / {Fmt.N0(sums.Duplicates)} / {Fmt.N0(sums.Quarantined)}",
                        counted,
                        replay,
                        ledger);
                }
            }

            table.Note("acct reads ... quarantine: requests per batch x mean ms per request (SDK, serialization, HTTPS round trip, queueing in the emulator).");
            table.Note("  The service runs 4 account groups at once and 8 usage creates per group at once, so these overlap: their sum exceeds the batch time.");
            table.Note("account doc KB: the largest of the case's first 20 account documents at the end (read and written whole by every account step).");
            table.Note("requests/s: all Cosmos requests of the service per second of the run (account read + replace per account group, one usage");
            table.Note("  look-up query per group, one create per applied CDR, one create per quarantined CDR). The emulator is one node thread on 2 shared");
            table.Note("  cores and scans whole containers for queries: its figures say little about Azure; the request counts per batch do.");
            table.Print(Console.Out);
        }
        finally
        {
            if (database is not null)
            {
                await database.DeleteAsync(cancellationToken: CancellationToken.None);
                Console.WriteLine($"\n  deleted database {cosmos.Database}");
            }
        }
    }
}
