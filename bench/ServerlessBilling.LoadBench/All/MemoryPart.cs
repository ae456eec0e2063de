using System.Diagnostics;
using System.Globalization;
using System.Text;
using ServerlessBilling.LoadBench.Calls;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Ingest;
using ServerlessBilling.LoadBench.Scenarios;

namespace ServerlessBilling.LoadBench.All;

/// <summary>
/// Memory for <c>all</c>, on the memory store in a child process (its RSS is the host's alone): the RSS after 1M CDRs
/// over 100,000 accounts, and the RSS over a steady run of authorize+terminate pairs and CDR batches at a fixed rate.
/// </summary>
internal static class MemoryPart
{
    private const int BatchSize = 5000;
    private const int Clients = 4;

    public static async Task AfterMillionAsync(CancellationToken cancellationToken)
    {
        const int Accounts = 100_000;
        const int Cdrs = 1_000_000;
        await using var host = await ChildHost.StartAsync("rss", ["--Store=memory"], cancellationToken);
        using var client = LoopbackHttp.CreateClient(host.Address, Clients, TimeSpan.FromSeconds(120));
        var now = DateTimeOffset.UtcNow;
        var deck = IngestDeck.Create(2000, now);
        using (var content = new StringContent(deck.Csv, Encoding.UTF8, "text/csv"))
        {
            await LoopbackHttp.PutAsync(client, "/api/ratedecks/" + IngestDeck.DeckId, content, cancellationToken);
        }

        var ids = IngestAccounts.Ids("acct-", Accounts);
        await IngestHttp.PutAccountsAsync(client, ids, cancellationToken);
        var before = host.RssMb();
        var beforeHeap = await host.CollectAsync(client, cancellationToken);
        var factory = new CdrBatchFactory(deck, ids, "m", now, 0, 31);
        long received = 0, csvBytes = 0;
        var clock = Stopwatch.StartNew();
        await BatchLoop.RunAsync(Clients, Cdrs / BatchSize, 3600, async i =>
        {
            var batch = factory.Create(i, BatchSize);
            Interlocked.Add(ref csvBytes, batch.Utf8.Length);
            Interlocked.Add(ref received, (await IngestHttp.PostAsync(client, batch, cancellationToken))?.Received ?? 0);
        }, cancellationToken);
        var after = host.RssMb();
        var live = await host.HeapAsync(client, cancellationToken);
        var heap = await host.CollectAsync(client, cancellationToken);
        var collected = host.RssMb();
        // The GC gives freed memory back to the system in steps after a collection, not all at once.
        await Task.Delay(TimeSpan.FromSeconds(15), cancellationToken);
        var settled = host.RssMb();
        var table = new Table($"all: RSS after {Cdrs:N0} CDRs over {Accounts:N0} accounts on the memory store (host in a child process; {ProductGc.Describe()})",
            "moment", "RSS MB", "managed heap MB", "GC committed MB");
        table.Add($"{Accounts:N0} accounts created, before the CDRs", Fmt.N0(before), Fmt.N1(beforeHeap.HeapMb), Fmt.N0(beforeHeap.CommittedMb));
        table.Add($"after {Fmt.N0(received)} CDRs ({clock.Elapsed.TotalSeconds:N0} s, {csvBytes / 1024.0 / 1024.0:N0} MB of CSV)", Fmt.N0(after), Fmt.N1(live.HeapMb) + " (last GC)", Fmt.N0(live.CommittedMb));
        table.Add("after a full compacting collection", Fmt.N0(collected), Fmt.N1(heap.HeapMb), Fmt.N0(heap.CommittedMb));
        table.Add("15 s later", Fmt.N0(settled), "", "");
        table.Note("RSS - GC committed is the process's memory outside the managed heap (runtime, code, native buffers).");
        table.Note($"the store keeps the {new ServerlessBilling.Core.Storage.InMemory.MemoryStoreOptions().ParsedAccounts:N0} most recently used account documents parsed and the rest packed (Memory:ParsedAccounts, the default).");
        table.Print(Console.Out);
        Findings.AtMost($"RSS after {Fmt.N0(received)} CDRs, memory store, {Accounts:N0} accounts", Fmt.N0(after) + " MB", after,
            Fmt.N0(before) + " MB before the CDRs", before, "<= 400 MB", 400);
        Findings.AtMost("  the same, after a full collection and 15 s", Fmt.N0(settled) + " MB", settled,
            Fmt.N1(heap.HeapMb) + " MB managed heap", heap.HeapMb, "<= 400 MB", 400);
    }

    public static async Task SteadyAsync(double minutes, bool quick, CancellationToken cancellationToken)
    {
        const int PairLoops = 8;
        const double PairsPerSecond = 2000;
        const double BatchesPerSecond = 2;
        // A short run reaches the store's bounds early only with smaller ones: the shape (grow, then flat) is the same.
        string[] bounds = quick ? ["--Memory:MaxUsageRecords=100000", "--Memory:MaxClosedSessions=20000"] : [];
        await using var host = await ChildHost.StartAsync("steady", ["--Store=memory", .. bounds], cancellationToken);
        using var client = LoopbackHttp.CreateClient(host.Address, PairLoops + 2, TimeSpan.FromSeconds(60));
        var now = DateTimeOffset.UtcNow;
        var deck = IngestDeck.Create(2000, now);
        using (var content = new StringContent(deck.Csv, Encoding.UTF8, "text/csv"))
        {
            await LoopbackHttp.PutAsync(client, "/api/ratedecks/" + IngestDeck.DeckId, content, cancellationToken);
        }

        await HttpCalls.SetUpAsync(client, "acct-", 1000, cancellationToken);
        var cdrIds = IngestAccounts.Ids("cdr-", 1000);
        await IngestHttp.PutAccountsAsync(client, cdrIds, cancellationToken);
        await ChildHost.FillAppliedAsync(client, "cdr-", cdrIds.Length, AccountState.AppliedCdrCapacity, cancellationToken);
        var factory = new CdrBatchFactory(deck, cdrIds, "f", now, 0, 41);
        var pairOperation = HttpCalls.CallOperation(client, BenchData.Ids("acct-", 1000), PairLoops, "f", cancellationToken);

        var duration = TimeSpan.FromMinutes(minutes);
        var start = Stopwatch.GetTimestamp();
        var failures = 0L;
        var tasks = new List<Task>();
        for (var loop = 0; loop < PairLoops; loop++)
        {
            var worker = loop;
            tasks.Add(PacedAsync(start, duration, PairsPerSecond / PairLoops, async k =>
            {
                var ok = await pairOperation(worker, 2 * k) & await pairOperation(worker, (2 * k) + 1);
                if (!ok)
                {
                    Interlocked.Increment(ref failures);
                }
            }, cancellationToken));
        }

        tasks.Add(PacedAsync(start, duration, BatchesPerSecond, async k =>
        {
            if (await IngestHttp.PostAsync(client, factory.Create((int)k, BatchSize), cancellationToken) is null)
            {
                Interlocked.Increment(ref failures);
            }
        }, cancellationToken));
        var samples = new List<(double Seconds, double RssMb, HeapFigures Heap)>();
        var sampling = Task.Run(async () =>
        {
            while (Stopwatch.GetElapsedTime(start) < duration && !cancellationToken.IsCancellationRequested)
            {
                samples.Add((Stopwatch.GetElapsedTime(start).TotalSeconds, host.RssMb(), await host.HeapAsync(client, cancellationToken)));
                await Task.Delay(TimeSpan.FromSeconds(quick ? 2 : 5), cancellationToken);
            }

            samples.Add((Stopwatch.GetElapsedTime(start).TotalSeconds, host.RssMb(), await host.HeapAsync(client, cancellationToken)));
        }, cancellationToken);
        await Task.WhenAll(tasks);
        await sampling;

        var third = samples.First(s => s.Seconds >= duration.TotalSeconds / 3);
        var end = samples[^1];
        var table = new Table($"all: RSS over a steady run of {minutes:0.##} min - {PairsPerSecond:N0} authorize+terminate pairs/s and {BatchesPerSecond * BatchSize:N0} CDRs/s (memory store, host in a child process; {ProductGc.Describe()})",
            "seconds", "RSS MB", "managed heap MB (last GC)", "GC committed MB");
        var step = Math.Max(1, samples.Count / 12);
        for (var i = 0; i < samples.Count; i += step)
        {
            table.Add(Fmt.N0(samples[i].Seconds), Fmt.N0(samples[i].RssMb), Fmt.N1(samples[i].Heap.HeapMb), Fmt.N0(samples[i].Heap.CommittedMb));
        }

        table.Add(Fmt.N0(end.Seconds), Fmt.N0(end.RssMb), Fmt.N1(end.Heap.HeapMb), Fmt.N0(end.Heap.CommittedMb));
        table.Note($"max {Fmt.N0(samples.Max(s => s.RssMb))} MB; failed requests or batches: {Fmt.N0(failures)}; store bounds: {(quick ? string.Join(' ', bounds) : "the defaults (1,000,000 usage records, 200,000 closed sessions)")}");
        table.Note("flat: the RSS at the end against the RSS a third of the way in (once the accounts' applied sets and the store's bounds are reached).");
        table.Print(Console.Out);
        Findings.AtMost($"RSS flatness over a steady {minutes:0.##} min run (end / a third in)", Fmt.N0(end.RssMb) + " MB", end.RssMb / third.RssMb,
            Fmt.N0(third.RssMb) + string.Create(CultureInfo.InvariantCulture, $" MB at {third.Seconds:N0} s"), 1, "<= 1.10x", 1.10);
    }

    /// <summary>Runs <paramref name="operation"/>(k) at <paramref name="perSecond"/> on a fixed schedule from <paramref name="start"/> until the end; a late one starts at once.</summary>
    private static Task PacedAsync(long start, TimeSpan duration, double perSecond, Func<long, Task> operation, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            for (long k = 0; !cancellationToken.IsCancellationRequested; k++)
            {
                var due = TimeSpan.FromSeconds(k / perSecond);
                if (due >= duration)
                {
                    return;
                }

                var wait = due - Stopwatch.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                await operation(k);
            }
        }, cancellationToken);
}
