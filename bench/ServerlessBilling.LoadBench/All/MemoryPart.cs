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

    /// <summary>
    /// The steady run. <paramref name="filled"/>: from a long run's steady state (<see cref="SteadyFill"/>: every
    /// destination's totals on the CDR accounts and the quarantine at its bound, put in before the timed run).
    /// </summary>
    public static async Task SteadyAsync(double minutes, bool quick, bool filled, CancellationToken cancellationToken)
    {
        const int PairLoops = 8;
        const double PairsPerSecond = 2000;
        const double BatchesPerSecond = 2;
        // A short run reaches the store's bounds early only with smaller ones: the shape (grow, then flat) is the same.
        var defaults = new MemoryStoreOptions();
        var (maxUsage, maxClosed) = quick ? (100_000, 20_000) : (defaults.MaxUsageRecords, defaults.MaxClosedSessions);
        string[] bounds = quick ? [$"--Memory:MaxUsageRecords={maxUsage}", $"--Memory:MaxClosedSessions={maxClosed}"] : [];
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
        var destinations = SteadyFill.Destinations(deck.Parse()).Count;
        var fill = "";
        if (filled)
        {
            var maxQuarantined = defaults.MaxQuarantineRecords;
            var totals = await SteadyFill.FillTotalsAsync(client, "cdr-", cdrIds.Length, IngestDeck.DeckId, cancellationToken);
            var quarantined = await SteadyFill.FillQuarantineAsync(client, cdrIds, maxQuarantined, cancellationToken);
            fill = $"; filled before the run: {Fmt.N0(totals)} destination totals, {Fmt.N0(quarantined)} quarantined CDRs (the bound)";
        }

        var factory = new CdrBatchFactory(deck, cdrIds, "f", now, 0, 41);
        var pairOperation = HttpCalls.CallOperation(client, BenchData.Ids("acct-", 1000), PairLoops, "f", cancellationToken);

        var duration = TimeSpan.FromMinutes(minutes);
        var start = Stopwatch.GetTimestamp();
        var failures = 0L;
        var tasks = new List<Task<long>>();
        for (var loop = 0; loop < PairLoops; loop++)
        {
            var worker = loop;
            tasks.Add(Paced.RunAsync(start, duration, PairsPerSecond / PairLoops, async k =>
            {
                var ok = await pairOperation(worker, 2 * k) & await pairOperation(worker, (2 * k) + 1);
                if (!ok)
                {
                    Interlocked.Increment(ref failures);
                }
            }, cancellationToken));
        }

        var batches = Paced.RunAsync(start, duration, BatchesPerSecond, async k =>
        {
            if (await IngestHttp.PostAsync(client, factory.Create((int)k, BatchSize), cancellationToken) is null)
            {
                Interlocked.Increment(ref failures);
            }
        }, cancellationToken);
        var samples = new List<SteadySample>();
        var sampling = Task.Run(async () =>
        {
            while (true)
            {
                var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                samples.Add(new(seconds, host.RssMb(), await host.HeapAsync(client, cancellationToken), await ChildHost.StoreAsync(client, cancellationToken)));
                if (seconds >= duration.TotalSeconds || cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                var next = TimeSpan.FromSeconds(Math.Min(duration.TotalSeconds, (samples.Count * (quick ? 2 : 5)) + 0.001));
                await Task.Delay(Max(TimeSpan.Zero, next - Stopwatch.GetElapsedTime(start)), cancellationToken);
            }
        }, cancellationToken);
        var pairs = (await Task.WhenAll(tasks)).Sum();
        var cdrs = await batches * BatchSize;
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await sampling;

        var flat = SteadyFlatness.Of(samples, maxUsage, maxClosed, duration);
        var name = filled ? "a steady run from a long run's state (destination totals and quarantine filled first)" : "a steady run";
        var table = new Table($"all: RSS over {name} of {minutes:0.##} min - {PairsPerSecond:N0} authorize+terminate pairs/s and {BatchesPerSecond * BatchSize:N0} CDRs/s (memory store, host in a child process; {ProductGc.Describe()})",
            "seconds", "RSS MB", "managed heap MB (last GC)", "GC committed MB", "usage records", "session ids", "destination totals", "quarantined");
        foreach (var row in flat.Rows(duration.TotalMinutes >= 3 ? 60 : 10))
        {
            table.Add(Fmt.N0(row.Seconds), Fmt.N0(row.RssMb), Fmt.N1(row.Heap.HeapMb), Fmt.N0(row.Heap.CommittedMb),
                Fmt.N0(row.Store.UsageRecords), Fmt.N0(row.Store.SessionIds), Fmt.N0(row.Store.DestinationTotals), Fmt.N0(row.Store.Quarantined));
        }

        table.Note($"achieved {Fmt.N0(pairs / elapsed)} pairs/s and {Fmt.N0(cdrs / elapsed)} CDRs/s over {elapsed:N0} s (the schedule stops at the end; a machine too busy for the rate fills the bounds later); failed requests or batches: {Fmt.N0(failures)}; samples every {(quick ? 2 : 5)} s, rows a sample a {(duration.TotalMinutes >= 3 ? "minute" : "10 s")}");
        table.Note($"child host: {ChildHost.Served}; store bounds: {maxUsage:N0} usage records, {maxClosed:N0} closed sessions{(quick ? " (smaller than the defaults, for a short run)" : " (the defaults)")}; " +
            (flat.FilledAt is { } reached ? $"both reached at {reached:N0} s" : "not both reached within the run") + fill);
        var most = (cdrIds.Length * (long)destinations) + 1000;
        table.Note($"destination totals: one per account, destination and period in the account documents (what invoices are made of), not bounded by the store: here at most {Fmt.N0(most)} " +
            $"({Fmt.N0(cdrIds.Length)} CDR accounts x {Fmt.N0(destinations)} destinations of the deck, and the pair accounts' one), {Fmt.N0(100.0 * flat.End.Store.DestinationTotals / most)}% of it at the end. " +
            $"The CDRs reach the rarest destinations last: about 94% of it after 10 minutes at 10,000 CDRs/s, 99.9% after 30. Quarantined CDRs (0.4% of the CDRs) fill their bound of {Fmt.N0(defaults.MaxQuarantineRecords)} in about 40 minutes.");
        var growth = flat.PerMinute();
        table.Note($"growth per minute after the bounds were reached ({flat.WindowName}, least squares): RSS {Signed(growth.RssMb)} MB, managed heap {Signed(growth.HeapMb)} MB, destination totals {Signed(growth.Totals)}, quarantined CDRs {Signed(growth.Quarantined)}.");
        table.Note($"whole run: RSS max/min {Fmt.Ratio(flat.Whole.Max, flat.Whole.Min)} ({Fmt.N0(flat.Whole.Min)}-{Fmt.N0(flat.Whole.Max)} MB, the host's start included).");
        table.Note($"after the bounds were reached ({flat.WindowName}): RSS max/min {Fmt.Ratio(flat.Window.Max, flat.Window.Min)} ({Fmt.N0(flat.Window.Min)}-{Fmt.N0(flat.Window.Max)} MB); end / start of that window {Fmt.Ratio(flat.End.RssMb, flat.WindowStart.RssMb)}.");
        var settled = flat.SettledFrom;
        table.Note(settled is { } from
            ? $"after the store's counts stopped growing (destination totals and quarantine within 1% of their end from {Fmt.N0(flat.Samples[from].Seconds)} s): RSS max/min {Fmt.Ratio(flat.RssFrom(from).Max, flat.RssFrom(from).Min)} ({Fmt.N0(flat.RssFrom(from).Min)}-{Fmt.N0(flat.RssFrom(from).Max)} MB)."
            : "the store's counts did not stop growing within the run (destination totals or quarantine more than 1% under their end at every sample after the bounds up to the last third): the RSS after the bounds includes data still filling.");
        table.Print(Console.Out);
        var run = filled ? $"a steady {minutes:0.##} min run from a long run's state" : $"a steady {minutes:0.##} min run";
        Findings.AtMost($"RSS flatness over {run}: max/min after the bounds were reached ({flat.WindowName})", Fmt.N0(flat.Window.Max) + " MB", flat.Window.Max / flat.Window.Min,
            Fmt.N0(flat.Window.Min) + " MB (min)", 1, "<= 1.10x", 1.10);
        if (settled is { } first)
        {
            var (min, max) = flat.RssFrom(first);
            Findings.AtMost($"  the same after the store's counts stopped growing (from {Fmt.N0(flat.Samples[first].Seconds)} s)", Fmt.N0(max) + " MB", max / min, Fmt.N0(min) + " MB (min)", 1, "<= 1.10x", 1.10);
        }
        else
        {
            Findings.Add(new Finding("  the same after the store's counts stopped growing", "n/a: still growing at the end",
                $"+{Fmt.N0(growth.Totals)} totals/min", "", "(legitimate data filling: see the table)", null));
        }

        Findings.Add(new Finding("  the same over the whole run (filling included)", Fmt.N0(flat.Whole.Max) + " MB", Fmt.N0(flat.Whole.Min) + " MB (min)",
            Fmt.Ratio(flat.Whole.Max, flat.Whole.Min), "(no target: the bounds fill)", null));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string Signed(double value) => (value >= 0 ? "+" : "") + Fmt.N1(value);
}
