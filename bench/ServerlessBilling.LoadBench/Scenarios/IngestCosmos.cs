using System.Diagnostics;
using System.Globalization;
using ServerlessBilling.Cosmos;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Ingest;
using ServerlessBilling.LoadBench.Stores;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// <c>ingest</c> (3) cosmos: Core's ingestion on the Cosmos stores against a local emulator, batches of each size, spread
/// and hot, one in flight; requests per batch and mean ms per request of each kind, and the same checks as core.
/// </summary>
internal static class IngestCosmos
{
    public static async Task RunAsync(IngestSetup setup, Uri endpoint, string? key, CancellationToken cancellationToken)
    {
        var (settings, deck, now) = (setup.Settings, setup.Deck, setup.Now);
        var cosmos = CosmosEmulator.Options(endpoint, key, "loadbench-ingest");
        Console.WriteLine($"\n(3) cosmos: emulator {cosmos.Endpoint} (Gateway mode), database {cosmos.Database}; the emulator (node, one thread) and this process share the cores; "
            + $"{settings.CosmosBatches} batch(es) per case, one in flight, no new batch after {settings.CosmosSeconds} s");
        await CosmosEmulator.WithDatabaseAsync(cosmos, async database =>
        {
            var clock = TimeProvider.System;
            var options = new CreditControlOptions();
            var accountsContainer = database.GetContainer(cosmos.AccountsContainer);
            var accounts = new CosmosAccountStore(accountsContainer);
            var decks = new RateDeckCache(new CosmosRateDeckStore(database.GetContainer(cosmos.RateDecksContainer)), clock);
            var admin = new AccountService(accounts, new AccountUpdater(accounts, new AccountWriteOptions()), new CosmosTopUpStore(database.GetContainer(cosmos.TopUpsContainer)), decks, options, clock);
            await BenchAdmin.ImportDeckAsync(admin, IngestDeck.DeckId, deck.Csv, cancellationToken);
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
            await IngestAccounts.OpenAsync(admin, warmIds, 8, cancellationToken);
            await NewRig().IngestAsync(new CdrBatchFactory(deck, warmIds, "cw", now, settings.SessionShare, 21).Create(0, 500).Records, cancellationToken);

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
                    await IngestAccounts.OpenAsync(admin, ids, 8, cancellationToken);
                    await IngestRig.FillAppliedAsync(accounts, new CosmosUsageStore(database.GetContainer(cosmos.UsageContainer)), ids, settings.Applied[0], 8, cancellationToken);
                    var pool = new CdrBatchFactory(deck, ids, string.Create(CultureInfo.InvariantCulture, $"c{caseNumber}"), now, settings.SessionShare, 100 + caseNumber)
                        .CreateMany(settings.CosmosBatches, size, parse: true, utf8: false);
                    Console.WriteLine($"  case {caseNumber}: {name}, {count:N0} accounts opened in {opening.Elapsed.TotalSeconds:N1} s; {pool.Length} batch(es) of {size:N0}");
                    var rig = NewRig();
                    var results = new BatchCounts[pool.Length];
                    var run = await BatchLoop.RunAsync(1, pool.Length, settings.CosmosSeconds, async i => results[i] = await rig.IngestAsync(pool[i].Records, CancellationToken.None), cancellationToken);
                    var (a, u, q) = (rig.Accounts, rig.Usage, rig.Quarantine);
                    var requests = a.Reads.Value + a.Writes.Value + u.Finds.Value + u.Creates.Value + q.Adds.Value;
                    var sums = IngestChecks.Sum(results, run.Done);
                    var counted = IngestChecks.Counts(pool, results, run.Done);
                    var replay = run.Done > 0 ? IngestChecks.Replay(pool[0], await rig.IngestAsync(pool[0].Records, cancellationToken)) : "n/a";
                    var states = new List<AccountState>();
                    foreach (var id in ids)
                    {
                        states.Add((await accounts.GetAsync(id, cancellationToken))!.Value);
                    }

                    var ledger = IngestChecks.Ledger(states, IngestChecks.ExpectedCharges(setup.Rated, pool, run.Done));
                    long documentBytes = 0;
                    foreach (var id in ids.Take(20))
                    {
                        documentBytes = Math.Max(documentBytes, await CosmosEmulator.DocumentBytesAsync(accountsContainer, id, cancellationToken));
                    }

                    var done = Math.Max(1, run.Done);
                    string Per(StripedCounter n, StripedCounter ticks) => n.Value == 0 ? "0" : $"{Fmt.N0((double)n.Value / done)} x {Fmt.N2(LatencySummary.ToUs(ticks.Value) / 1000 / n.Value)} ms";
                    table.Add(
                        name, Fmt.N0(count), Fmt.N0(settings.Applied[0]), Fmt.N0(size), Fmt.N0(run.Done), Fmt.N0(sums.Received), Fmt.N0(sums.Received / run.Seconds),
                        Fmt.N2(run.Latency.P50Us / 1e6), Fmt.N2(run.Latency.MaxUs / 1e6), Fmt.N0((double)requests / done), Fmt.N0(requests / run.Seconds),
                        Per(a.Reads, a.ReadTicks), Per(a.Writes, a.WriteTicks), Per(u.Finds, u.FindTicks), Per(u.Creates, u.CreateTicks), Per(q.Adds, q.AddTicks),
                        Fmt.N0(a.Conflicts.Value), Fmt.N1(documentBytes / 1024.0), Fmt.N0(run.Cost.CpuUsPer(sums.Received)), run.Cost.Cpu,
                        $"{Fmt.N0(sums.Accepted)} / {Fmt.N0(sums.Duplicates)} / {Fmt.N0(sums.Quarantined)}", counted, replay, ledger);
                }
            }

            table.Note("acct reads ... quarantine: requests per batch x mean ms per request (SDK, serialization, HTTPS round trip, queueing in the emulator).");
            table.Note("  The service runs 4 account groups at once and writes each group's usage as one batch (16 creates at once), so these overlap:");
            table.Note("  their sum exceeds the batch time; usage create ms is the batch's time per record.");
            table.Note("account doc KB: the largest of the case's first 20 account documents at the end (read and written whole by every account step).");
            table.Note("requests/s: all Cosmos requests of the service per second of the run (account read + replace per account group, one usage");
            table.Note("  look-up query per group, one create per applied CDR, one create per quarantined CDR). The emulator is one node thread on 2 shared");
            table.Note("  cores and scans whole containers for queries: its figures say little about Azure; the request counts per batch do.");
            table.Print(Console.Out);
        }, cancellationToken);
    }
}
