using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Ingest;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// <c>ingest</c> (2) http: POST /api/cdrs (text/csv) on the local host in process from N concurrent clients, on accounts
/// and a deck created over the API; CDRs/s, latency per batch, the server's time per batch, and the same checks as core.
/// </summary>
internal static class IngestHttp
{
    private const double Target = 100_000;
    public static readonly Uri CdrsUri = new("/api/cdrs", UriKind.Relative);

    public static async Task RunAsync(IngestSetup setup, CancellationToken cancellationToken)
    {
        var (settings, deck, now) = (setup.Settings, setup.Deck, setup.Now);
        var spreadIds = IngestAccounts.Ids("acct-", settings.Accounts);
        var warmIds = IngestAccounts.Ids("warm-", settings.Accounts);
        var factory = new CdrBatchFactory(deck, spreadIds, "s", now, settings.SessionShare, 11);
        var warmPool = new CdrBatchFactory(deck, warmIds, "w", now, settings.SessionShare, 13).CreateMany(Math.Min(60, settings.HttpBatches), settings.Batch, parse: false, utf8: true);

        await using var app = LocalHost.Build([.. LoopbackHttp.HostArgs, "--Local:SeedDemo=false"]);
        var serverTicks = new StripedCounter();
        var serverCount = new StripedCounter();
        app.Use(async (context, next) =>
        {
            // Around the endpoint (after routing): body read, CSV parsing, IngestAsync, the JSON answer.
            var start = Stopwatch.GetTimestamp();
            await next(context);
            if (context.Request.Path.StartsWithSegments(CdrsUri.OriginalString, StringComparison.Ordinal))
            {
                serverTicks.Add(Stopwatch.GetTimestamp() - start);
                serverCount.Add();
            }
        });
        var address = await LoopbackHttp.StartAsync(app, cancellationToken);
        try
        {
            Console.WriteLine($"\n(2) http: local host in process at {address} (demo data off); load generator in the same process (client and server share the cores); "
                + $"{settings.Clients.Max()} connection(s) max, keep-alive; {settings.HttpWarmup} s warm-up on other accounts, then at most {settings.HttpSeconds} s or {settings.HttpBatches} batches per client count");
            using var client = LoopbackHttp.CreateClient(address, settings.Clients.Max(), TimeSpan.FromSeconds(60));
            using (var content = new StringContent(deck.Csv, Encoding.UTF8, "text/csv"))
            {
                await LoopbackHttp.PutAsync(client, "/api/ratedecks/" + IngestDeck.DeckId, content, cancellationToken);
            }

            var setupTime = Stopwatch.StartNew();
            await PutAccountsAsync(client, spreadIds, cancellationToken);
            await PutAccountsAsync(client, warmIds, cancellationToken);
            Console.WriteLine($"  deck and {spreadIds.Length + warmIds.Length:N0} accounts created over HTTP in {setupTime.Elapsed.TotalSeconds:N1} s");
            var store = app.Services.GetService<InMemoryAccountStore>();
            if (store is not null && settings.Applied[0] > 0)
            {
                // The steady state: documents that have taken AppliedCdrCapacity CDRs already (not possible through the API).
                await IngestRig.FillAppliedAsync(store, app.Services.GetRequiredService<IUsageStore>(), [.. spreadIds, .. warmIds], settings.Applied[0], 1, cancellationToken);
                Console.WriteLine($"  {settings.Applied[0]:N0} earlier CDR ids put in each account document's applied set (in the host's InMemory store): the steady state");
            }

            var table = new Table(
                "ingest (2) http - POST /api/cdrs (text/csv, " + settings.Batch.ToString("N0", CultureInfo.InvariantCulture) + " CDRs per batch) on the local host over loopback HTTP/1.1",
                "case", "clients", "batches", "CDRs", "CDRs/s", "target >=100,000/s", "batch p50 ms", "batch p99 ms", "max ms", "server ms/batch (mean)",
                "cpu us/CDR", "cpu % proc/machine", "gen0/gen2", "GC pause ms (% wall)", "alloc KB/CDR", "errors", "accepted / dup / quarantined", "a+d+q = received", "replay of batch 0", "ledger");
            var posted = new List<GeneratedBatch>();
            var warmOffset = 0;
            foreach (var clients in settings.Clients)
            {
                // Warm-up batches go to other accounts; each warm-up takes the next unused ones.
                if (settings.HttpWarmup > 0 && warmOffset < warmPool.Length)
                {
                    var w0 = warmOffset;
                    var warm = await BatchLoop.RunAsync(clients, warmPool.Length - w0, settings.HttpWarmup, async i => await PostAsync(client, warmPool[w0 + i], cancellationToken), cancellationToken);
                    warmOffset += warm.Done;
                }

                // Every round gets its own batches (new CDR ids), generated before the clock starts.
                var slice = factory.CreateMany(settings.HttpBatches, settings.Batch, parse: false, utf8: true, first: posted.Count + 1);
                serverTicks.Reset();
                serverCount.Reset();
                var results = new BatchCounts[slice.Length];
                var errors = 0;
                var run = await BatchLoop.RunAsync(clients, slice.Length, settings.HttpSeconds, async i =>
                {
                    var counts = await PostAsync(client, slice[i], cancellationToken);
                    if (counts is null)
                    {
                        Interlocked.Increment(ref errors);
                    }

                    results[i] = counts ?? default;
                }, cancellationToken);
                posted.AddRange(slice.Take(run.Done));
                var serverMs = serverCount.Value == 0 ? double.NaN : LatencySummary.ToUs(serverTicks.Value) / 1000 / serverCount.Value;
                var sums = IngestChecks.Sum(results, run.Done);
                var replay = run.Done > 0 && await PostAsync(client, slice[0], cancellationToken) is { } again ? IngestChecks.Replay(slice[0], again) : "n/a (failed)";

                // All rounds so far went to the same accounts: expected money is over every batch posted to them.
                var ledger = store is null
                    ? "n/a (not the InMemory store)"
                    : IngestChecks.Ledger(spreadIds.Select(id => store.GetAsync(id, cancellationToken).Result!.Value), IngestChecks.ExpectedCharges(setup.Rated, posted, posted.Count));
                var cdrs = sums.Received;
                var rate = cdrs / run.Seconds;
                table.Add(
                    "spread", clients.ToString(CultureInfo.InvariantCulture), Fmt.N0(run.Done), Fmt.N0(cdrs), Fmt.N0(rate), Fmt.AtLeast(rate, Target, "/s"),
                    Fmt.N1(run.Latency.P50Us / 1000), Fmt.N1(run.Latency.P99Us / 1000), Fmt.N1(run.Latency.MaxUs / 1000), Fmt.N1(serverMs),
                    Fmt.N2(run.Cost.CpuUsPer(cdrs)), run.Cost.Cpu, run.Cost.Collections, run.Cost.Pause, Fmt.N2(run.Cost.AllocatedKbPer(cdrs)), Fmt.N0(errors),
                    $"{Fmt.N0(sums.Accepted)} / {Fmt.N0(sums.Duplicates)} / {Fmt.N0(sums.Quarantined)}", IngestChecks.Counts(slice, results, run.Done), replay, ledger);
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

    public static async Task PutAccountsAsync(HttpClient client, string[] ids, CancellationToken cancellationToken)
    {
        var bodies = new[] { IngestAccounts.PutBody(0), IngestAccounts.PutBody(1) };
        await Parallel.ForEachAsync(
            ids.Select((id, index) => (id, index)),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (account, ct) =>
            {
                using var content = LoopbackHttp.Content(bodies[account.index % 2], LoopbackHttp.Json);
                await LoopbackHttp.PutAsync(client, "/api/accounts/" + account.id, content, ct);
            });
    }

    /// <summary>Posts one batch; the counts of the answer (quarantinedCount: the listed items are capped), or null when it was not a 200 with them.</summary>
    public static async Task<BatchCounts?> PostAsync(HttpClient client, GeneratedBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            using var content = LoopbackHttp.Content(batch.Utf8, LoopbackHttp.Csv);
            using var response = await client.PostAsync(CdrsUri, content, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            return new BatchCounts(
                root.GetProperty("received").GetInt32(), root.GetProperty("accepted").GetInt32(), root.GetProperty("duplicates").GetInt32(), root.GetProperty("quarantinedCount").GetInt32());
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
