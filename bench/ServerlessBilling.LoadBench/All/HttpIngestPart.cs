using System.Globalization;
using System.Text;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Ingest;
using ServerlessBilling.LoadBench.Scenarios;

namespace ServerlessBilling.LoadBench.All;

/// <summary>
/// HTTP ingestion for <c>all</c>: POST /api/cdrs (text/csv, 5,000 CDRs a batch) on the host in a child process, on
/// memory and on SQLite, over 1,000 and over 10 accounts in the steady state (full applied sets), against a
/// read-and-discard endpoint taking the same bodies on the same host: CDRs/s and the server's CPU per CDR.
/// </summary>
internal static class HttpIngestPart
{
    private const int Clients = 4;
    private const int BatchSize = 5000;

    public static async Task RunAsync(bool quick, CancellationToken cancellationToken)
    {
        var (seconds, warmup, batches) = quick ? (4.0, 2.0, 40) : (10.0, 5.0, 200);
        var now = DateTimeOffset.UtcNow;
        var deck = IngestDeck.Create(2000, now);
        var table = new Table(
            $"all: HTTP ingestion - POST /api/cdrs, text/csv, {BatchSize:N0} CDRs a batch, {Clients} clients, host in a child process, applied sets full ({AccountState.AppliedCdrCapacity:N0} ids)",
            "store", "case", "accts", "batches", "CDRs/s", "target", "batch p50/p99 ms", "server cpu us/CDR", "server cpu %", "client cpu us/CDR", "sqlite commits/batch (writes), writer busy", "a+d+q = received");
        double? discardRate = null;
        string discardText = "";
        foreach (var store in new[] { "sqlite", "memory" })
        {
            var folder = Directory.CreateTempSubdirectory("loadbench-all-");
            try
            {
                await using var host = await ChildHost.StartAsync(store, ["--Store=" + store, "--Local:DataDirectory=" + folder.FullName], cancellationToken);
                using var client = LoopbackHttp.CreateClient(host.Address, Clients, TimeSpan.FromSeconds(120));
                using (var content = new StringContent(deck.Csv, Encoding.UTF8, "text/csv"))
                {
                    await LoopbackHttp.PutAsync(client, "/api/ratedecks/" + IngestDeck.DeckId, content, cancellationToken);
                }

                var sets = new[] { ("spread", IngestAccounts.Ids("acct-", 1000)), ("hot", IngestAccounts.Ids("hot-", 10)), ("warm", IngestAccounts.Ids("warm-", 1000)) };
                foreach (var (name, ids) in sets)
                {
                    await IngestHttp.PutAccountsAsync(client, ids, cancellationToken);
                    await ChildHost.FillAppliedAsync(client, ids[0][..^4], ids.Length, AccountState.AppliedCdrCapacity, cancellationToken);
                }

                var warm = new CdrBatchFactory(deck, sets[2].Item2, "w", now, 0, 13).CreateMany(Math.Min(batches, 40), BatchSize, parse: false, utf8: true);
                await BatchLoop.RunAsync(Clients, warm.Length, warmup, async i => await IngestHttp.PostAsync(client, warm[i], cancellationToken), cancellationToken);

                // Then rounds of new warm batches until two rounds in a row, each followed by a pause, leave the child's JIT
                // count where it was: otherwise the first timed case pays for the optimized tier of the hot methods.
                for (var (round, quiet) = (1, 0); quiet < 2 && round <= 20; round++)
                {
                    var compiled = await ChildHost.CompiledMethodsAsync(client, cancellationToken);
                    var more = new CdrBatchFactory(deck, sets[2].Item2, $"w{round}", now, 0, 13 + round).CreateMany(Clients, BatchSize, parse: false, utf8: true);
                    await BatchLoop.RunAsync(Clients, more.Length, 60, async i => await IngestHttp.PostAsync(client, more[i], cancellationToken), cancellationToken);
                    await Task.Delay(BatchLoop.JitSettle, cancellationToken);
                    quiet = await ChildHost.CompiledMethodsAsync(client, cancellationToken) == compiled ? quiet + 1 : 0;
                }

                foreach (var (name, ids) in sets[..2])
                {
                    var pool = new CdrBatchFactory(deck, ids, name[..1], now, 0, name.Length).CreateMany(batches, BatchSize, parse: false, utf8: true);
                    var results = new BatchCounts[pool.Length];
                    var commits0 = await CommitsAsync(client, cancellationToken);
                    var cpu0 = host.Cpu();
                    var run = await BatchLoop.RunAsync(Clients, pool.Length, seconds, async i => results[i] = await IngestHttp.PostAsync(client, pool[i], cancellationToken) ?? default, cancellationToken);
                    var serverCpu = (host.Cpu() - cpu0).TotalSeconds;
                    var commits1 = await CommitsAsync(client, cancellationToken);
                    var commitsText = store == "sqlite" && run.Done > 0
                        ? $"{Fmt.N1((double)(commits1.Commits - commits0.Commits) / run.Done)} ({Fmt.N0((double)(commits1.Writes - commits0.Writes) / run.Done)}), "
                            + Fmt.N0(100 * (commits1.BusyMs - commits0.BusyMs) / 1000 / run.Seconds) + "%"
                        : "";
                    var cdrs = IngestChecks.Sum(results, run.Done).Received;
                    var rate = cdrs / run.Seconds;
                    var target = ids.Length >= 1000 ? 100_000 : 150_000;
                    table.Add(store, name, Fmt.N0(ids.Length), Fmt.N0(run.Done), Fmt.N0(rate), Fmt.AtLeast(rate, target, "/s"),
                        $"{Fmt.N1(run.Latency.P50Us / 1000)} / {Fmt.N1(run.Latency.P99Us / 1000)}", Fmt.N2(serverCpu * 1e6 / Math.Max(1, cdrs)),
                        Fmt.N0(100 * serverCpu / run.Seconds / Environment.ProcessorCount), Fmt.N2(run.Cost.CpuUsPer(cdrs)), commitsText, IngestChecks.Counts(pool, results, run.Done));
                    if (name == "spread" && discardRate is null)
                    {
                        // The floor: the same bodies, read to the end and dropped by the same host.
                        var cpu1 = host.Cpu();
                        var discard = await BatchLoop.RunAsync(Clients, pool.Length, seconds, async i => await DiscardAsync(client, pool[i], cancellationToken), cancellationToken);
                        var discardCpu = (host.Cpu() - cpu1).TotalSeconds;
                        var discardCdrs = (double)discard.Done * BatchSize;
                        discardRate = discardCdrs / discard.Seconds;
                        discardText = Fmt.N0(discardRate.Value) + "/s read-and-discard";
                        table.Add("any", "read-and-discard", Fmt.N0(ids.Length), Fmt.N0(discard.Done), Fmt.N0(discardRate.Value), "(baseline)",
                            $"{Fmt.N1(discard.Latency.P50Us / 1000)} / {Fmt.N1(discard.Latency.P99Us / 1000)}", Fmt.N2(discardCpu * 1e6 / Math.Max(1, discardCdrs)),
                            Fmt.N0(100 * discardCpu / discard.Seconds / Environment.ProcessorCount), Fmt.N2(discard.Cost.CpuUsPer(discardCdrs)), "", "");
                    }

                    Findings.AtLeast($"HTTP ingestion, {store}, {ids.Length:N0} accounts", rate, " CDRs/s", discardText, discardRate ?? 0, target);
                }
            }
            finally
            {
                folder.Delete(recursive: true);
            }
        }

        table.Note("server cpu: the child host process's CPU time (all its threads, GC included) per CDR, and as a share of the machine; client cpu: this process's.");
        table.Note("read-and-discard: POST " + ServeChild.DiscardPath + " on the same host reads the same bodies to the end and answers a small JSON (a bench-only endpoint).");
        table.Note("sqlite commits/batch (writes), writer busy: the SQLite writer's transactions per batch during the run, the writes they held (batches in flight overlap), and its thread's busy time (wall) as a share of the run.");
        table.Note("a+d+q = received: every batch's answer adds up and matches what the generator planted (0.3% unrated, 0.1% malformed, 0.2% repeated).");
        table.Print(Console.Out);
    }

    /// <summary>The SQLite writer's commits and writes so far (zeros on the memory store).</summary>
    private static async Task<(long Commits, long Writes, double BusyMs)> CommitsAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var text = await client.GetStringAsync(new Uri(ServeChild.CommitsPath, UriKind.Relative), cancellationToken);
        var parts = text.Split(' ');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    private static async Task DiscardAsync(HttpClient client, GeneratedBatch batch, CancellationToken cancellationToken)
    {
        using var content = LoopbackHttp.Content(batch.Utf8, LoopbackHttp.Csv);
        using var response = await client.PostAsync(new Uri(ServeChild.DiscardPath, UriKind.Relative), content, cancellationToken);
        response.EnsureSuccessStatusCode();
        _ = await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }
}
