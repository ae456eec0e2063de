using System.Diagnostics;
using System.Globalization;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Cosmos;
using ServerlessBilling.LoadBench.Calls;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Stores;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// <c>cosmos</c> (a): authorize+terminate pairs through <see cref="CreditControlService"/> on <see cref="CosmosAccountStore"/>
/// (wrapped to count and time), one hot account versus spread accounts, with 412 conflicts and a read/write/rest split.
/// </summary>
internal static class CosmosPairs
{
    public static async Task RunAsync(Database database, CosmosOptions cosmos, CosmosSettings settings, CancellationToken cancellationToken)
    {
        var options = new CreditControlOptions();
        if (settings.Retention is { } keep)
        {
            options.ClosedSessionRetention = keep;
        }

        var clock = TimeProvider.System;
        var accounts = database.GetContainer(cosmos.AccountsContainer);
        var inner = new CosmosAccountStore(accounts);
        var store = new TimedAccountStore(inner, Stopwatch.GetTimestamp);
        var decks = new RateDeckCache(new CosmosRateDeckStore(database.GetContainer(cosmos.RateDecksContainer)), clock);
        var service = new CreditControlService(store, new AccountUpdater(store, new AccountWriteOptions()), new CosmosSessionIndex(database.GetContainer(cosmos.SessionsContainer), clock), decks, clock, options);
        var admin = new AccountService(inner, new AccountUpdater(inner, new AccountWriteOptions()), new CosmosTopUpStore(database.GetContainer(cosmos.TopUpsContainer)), decks, options, clock);
        await BenchData.ImportDeckAsync(admin, cancellationToken);
        var warm = await BenchData.OpenAsync(admin, "warm-", settings.Spread, 8, cancellationToken);
        var spread = await BenchData.OpenAsync(admin, "spread-", settings.Spread, 8, cancellationToken);
        var hot = await BenchData.OpenAsync(admin, "hot-", 1, 8, cancellationToken);
        Console.WriteLine($"\n(a) {settings.Workers} workers, {settings.Seconds} s per case after a {settings.Warmup} s warm-up on other accounts; "
            + $"closed-session retention {(settings.Retention is { } kept ? kept.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s" : "default (2 days)")}");

        if (settings.Warmup > 0)
        {
            await ClosedLoop.RunAsync(settings.Workers, TimeSpan.FromSeconds(settings.Warmup), settings.MaxOps, Pairs.Operation(service, warm, settings.Workers, "w", new PairStats()), cancellationToken);
        }

        var table = new Table(
            "cosmos (a) - authorize+terminate pairs through CreditControlService on CosmosAccountStore (emulator), latency per pair",
            "case", "workers", "accts", "pairs", "pairs/s", "p50 ms", "p99 ms", "max ms", "412 conflicts", "412 per pair",
            "reads/pair", "ms in reads/pair", "ms in writes/pair", "ms rest/pair", "1st s / last s", "doc KB (sessions)", "cpu % proc/machine", "bench cpu us/pair", "gave up (503)", "failed pairs", "ledger");
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, ids) in new[] { ("spread", spread), ("hot", hot) })
        {
            store.Reset();
            var stats = new PairStats();
            var meter = RunMeter.Start();
            var r = await ClosedLoop.RunAsync(settings.Workers, TimeSpan.FromSeconds(settings.Seconds), settings.MaxOps, Pairs.Operation(service, ids, settings.Workers, name[0] + "t", stats), cancellationToken);
            var cost = meter.Stop(r.Seconds);
            rates[name] = r.PerSecondRate;
            var pairs = Math.Max(1, r.Operations);
            var readMs = LatencySummary.ToUs(store.ReadTicks.Value) / 1000 / pairs;
            var writeMs = LatencySummary.ToUs(store.WriteTicks.Value) / 1000 / pairs;
            var states = new List<AccountState>();
            foreach (var id in ids)
            {
                states.Add((await inner.GetAsync(id, cancellationToken))!.Value);
            }

            var consistent = Ledger.Check(states, r.Operations - r.Failures, stats.Dangling.Value, out var problem);
            var biggest = states.MaxBy(s => s.Sessions.Count)!;
            var bytes = await CosmosEmulator.DocumentBytesAsync(accounts, biggest.AccountId, cancellationToken);
            var (first, last) = r.FirstAndLastSecond;
            table.Add(
                name,
                settings.Workers.ToString(CultureInfo.InvariantCulture),
                Fmt.N0(ids.Length),
                Fmt.N0(r.Operations),
                Fmt.N1(r.PerSecondRate),
                Fmt.N2(r.Latency.P50Us / 1000),
                Fmt.N2(r.Latency.P99Us / 1000),
                Fmt.N1(r.Latency.MaxUs / 1000),
                Fmt.N0(store.Conflicts.Value),
                Fmt.N2((double)store.Conflicts.Value / pairs),
                Fmt.N2((double)store.Reads.Value / pairs),
                Fmt.N2(readMs),
                Fmt.N2(writeMs),
                Fmt.N2((r.Latency.MeanUs / 1000) - readMs - writeMs),
                $"{Fmt.N0(first)} / {Fmt.N0(last)}",
                $"{Fmt.N1(bytes / 1024.0)} ({Fmt.N0(biggest.Sessions.Count)})",
                cost.Cpu,
                Fmt.N0(cost.CpuUsPer(pairs)),
                Fmt.N0(stats.GaveUp.Value),
                Fmt.N0(r.Failures),
                consistent ? "ok" : "MISMATCH: " + problem);
        }

        table.Note("A pair = authorize (session-index create + account read + ETag replace) then terminate (account read + ETag replace); a 412 re-reads and decides again.");
        table.Note("ms in reads/writes per pair: time inside CosmosAccountStore (SDK, serialization, HTTPS round trip); rest: session index, deck cache, rules, back-off waits after 412s.");
        table.Note("doc KB (sessions): the largest account document at the end and the sessions it holds (Cosmos DB refuses items over 2 MB; the emulator does not).");
        table.Note("cpu %: this process / the whole machine (the emulator and any other work are in the machine figure); bench cpu us/pair: this process's CPU per pair (SDK, JSON, rules).");
        table.Note("gave up (503): steps where AccountUpdater threw 'stayed contended after 51 attempts' (or a store fault) - the API answers 503 to the switch.");
        table.Print(Console.Out);
        Console.WriteLine($"\n  ratio hot/spread pairs/s: {Fmt.Ratio(rates["hot"], rates["spread"])}");
    }
}
