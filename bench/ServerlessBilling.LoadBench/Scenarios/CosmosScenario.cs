using System.Globalization;
using System.Net;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Cosmos;
using ServerlessBilling.LoadBench.Infrastructure;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// <c>cosmos</c>: credit control on the local Cosmos-compatible emulator. (a) pairs through
/// <see cref="CreditControlService"/> with <see cref="CosmosAccountStore"/> (wrapped in a counting decorator),
/// one hot account versus spread accounts; (b) the raw write primitive on one document, ETag-conditional
/// replace versus conditional patch. Uses a fresh database and deletes it at the end.
/// </summary>
internal static class CosmosScenario
{
    public const string Usage = """
        cosmos: credit control on the local Cosmos-compatible emulator (start it first; it prints its endpoint):
            EP=$(infra/cosmos/start.sh)
            dotnet run -c Release --project bench/ServerlessBilling.LoadBench -- cosmos --endpoint "$EP"
            infra/cosmos/stop.sh
          A fresh database loadbench-<guid> is created and deleted at the end. Only 127.0.0.1 endpoints are accepted.
          (a) authorize+terminate pairs through CreditControlService + CosmosAccountStore + CosmosSessionIndex:
              one hot account vs spread accounts, W concurrent workers; pairs/s, p50/p99, 412 conflicts (retries).
          (b) the raw write primitive on one account document, 1 writer and W writers:
              replace = CosmosAccountStore.GetAsync + TryReplaceAsync (If-Match ETag), re-read and retry on 412;
              patch   = PatchItemStreamAsync(Increment /state/balance -1, /state/committed +1) with
                        FilterPredicate "FROM c WHERE c.state.balance >= 1" (no read, no ETag);
              patch, no predicate = the same patch without the filter (what the predicate costs).

          --endpoint URL     emulator endpoint (default: $COSMOS_ENDPOINT), e.g. https://127.0.0.1:8081/
          --key KEY          account key (default: $COSMOS_KEY or the emulator's well-known key)
          --workers N        concurrent workers for the contended cases (default 16)
          --spread N         accounts of the spread case (default 100)
          --seconds S        timed run of each (a) case (default 10, max 120)
          --warmup S         warm-up before (a) (default 5, max 30)
          --micro-seconds S  timed run of each (b) case (default 5, max 60)
          --doc-sessions N   closed sessions already in the (b) document, to give it a realistic size (default 20)
          --retention S      CreditControl:ClosedSessionRetention in seconds for (a) (default: 2 days)
          --only a|b         run only part a or part b
          --max-ops N        bound per worker (default 200000)

        """;

    private static readonly string EmulatorKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var cli = CliArgs.Parse(
            args,
            ["endpoint", "key", "workers", "spread", "seconds", "warmup", "micro-seconds", "doc-sessions", "retention", "only", "max-ops"],
            []);
        if (cli.Help)
        {
            Console.Write(Usage);
            return 0;
        }

        if (cli.Error is not null)
        {
            throw new ArgumentException(cli.Error);
        }

        var endpointText = cli["endpoint"] ?? Environment.GetEnvironmentVariable("COSMOS_ENDPOINT");
        if (string.IsNullOrWhiteSpace(endpointText))
        {
            throw new ArgumentException("no emulator endpoint: start it with infra/cosmos/start.sh and pass --endpoint (or set COSMOS_ENDPOINT)");
        }

        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || endpoint.Host != "127.0.0.1")
        {
            throw new ArgumentException($"--endpoint must be a 127.0.0.1 URL (this bench never sends traffic elsewhere), not '{endpointText}'");
        }

        var settings = new Settings(
            Workers: cli.Int("workers", 16, 1, 256),
            Spread: cli.Int("spread", 100, 2, 10_000),
            Seconds: cli.Seconds("seconds", 10, 0.5, 120),
            Warmup: cli.Seconds("warmup", 5, 0, 30),
            MicroSeconds: cli.Seconds("micro-seconds", 5, 0.5, 60),
            DocSessions: cli.Int("doc-sessions", 20, 0, 1000),
            Retention: cli["retention"] is null ? null : TimeSpan.FromSeconds(cli.Seconds("retention", 0, 0, 30 * 86_400)),
            MaxOps: cli.Int("max-ops", 200_000, 100, 10_000_000));
        var only = cli["only"];
        if (only is not (null or "a" or "b"))
        {
            throw new ArgumentException("--only takes a or b");
        }

        var options = new CosmosOptions
        {
            Endpoint = endpoint.ToString(),
            Key = cli["key"] ?? (Environment.GetEnvironmentVariable("COSMOS_KEY") is { Length: > 0 } key ? key : EmulatorKey),
            Database = $"loadbench-{Guid.NewGuid():N}",
            AcceptLoopbackCertificate = true,
            CreateIfNotExists = true,
        };

        Console.WriteLine($"cosmos: {Machine.Describe()}");
        Console.WriteLine($"  emulator {options.Endpoint} (Gateway mode, HTTPS), database {options.Database}; the emulator (node, one thread) "
            + "and this process share the cores");

        using var client = CosmosClientFactory.Create(options);
        Database? database = null;
        try
        {
            database = await CosmosBootstrap.EnsureAsync(client, options, cancellationToken);
            if (only is null or "a")
            {
                await PartAAsync(database, options, settings, cancellationToken);
            }

            if (only is null or "b")
            {
                await PartBAsync(database.GetContainer(options.AccountsContainer), settings, cancellationToken);
            }
        }
        finally
        {
            if (database is not null)
            {
                await database.DeleteAsync(cancellationToken: CancellationToken.None);
                Console.WriteLine($"\n  deleted database {options.Database}");
            }
        }

        return 0;
    }

    private sealed record Settings(int Workers, int Spread, double Seconds, double Warmup, double MicroSeconds, int DocSessions, TimeSpan? Retention, int MaxOps);

    // ---------------------------------------------------------------- (a) credit control on Cosmos

    private static async Task PartAAsync(Database database, CosmosOptions cosmos, Settings settings, CancellationToken cancellationToken)
    {
        var options = new CreditControlOptions();
        if (settings.Retention is { } keep)
        {
            options.ClosedSessionRetention = keep;
        }

        var clock = TimeProvider.System;
        var accounts = database.GetContainer(cosmos.AccountsContainer);
        var inner = new CosmosAccountStore(accounts);
        var store = new CountingAccountStore(inner, timed: true);
        var decks = new RateDeckCache(new CosmosRateDeckStore(database.GetContainer(cosmos.RateDecksContainer)), clock);
        var service = new CreditControlService(store, new CosmosSessionIndex(database.GetContainer(cosmos.SessionsContainer), clock), decks, clock, options);
        var admin = new AccountService(inner, new CosmosTopUpStore(database.GetContainer(cosmos.TopUpsContainer)), decks, clock, options);
        var import = await admin.ImportDeckAsync(BenchData.DeckId, new StringReader(BenchData.DeckCsv), cancellationToken);
        if (!import.Succeeded)
        {
            throw new InvalidOperationException("the bench deck is invalid");
        }

        var warm = await OpenAsync(admin, "warm-", settings.Spread, cancellationToken);
        var spread = await OpenAsync(admin, "spread-", settings.Spread, cancellationToken);
        var hot = await OpenAsync(admin, "hot-", 1, cancellationToken);
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
            var cpu = Machine.Cpu();
            var r = await ClosedLoop.RunAsync(settings.Workers, TimeSpan.FromSeconds(settings.Seconds), settings.MaxOps, Pairs.Operation(service, ids, settings.Workers, name[0] + "t", stats), cancellationToken);
            var cpuEnd = Machine.Cpu();
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
            var bytes = await DocumentBytesAsync(accounts, biggest.AccountId, cancellationToken);
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
                cpuEnd.Since(cpu, r.Seconds),
                Fmt.N0(cpuEnd.ProcessSeconds(cpu) * 1_000_000 / pairs),
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

    private static async Task<string[]> OpenAsync(AccountService admin, string prefix, int count, CancellationToken cancellationToken)
    {
        var ids = Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:D4}")).ToArray();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var opened = await admin.UpsertAsync(id, BenchData.Prepaid(), BenchData.OpeningBalance, ct);
            if (opened.Error is { } error)
            {
                throw new InvalidOperationException($"could not open account {id}: {error.Detail}");
            }
        });
        return ids;
    }

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

    // ---------------------------------------------------------------- (b) the raw write primitive

    private enum Primitive
    {
        Replace,
        Patch,
        PatchNoPredicate,
    }

    private static async Task PartBAsync(Container container, Settings settings, CancellationToken cancellationToken)
    {
        var store = new CosmosAccountStore(container);
        Console.WriteLine($"\n(b) one account document per case holding {settings.DocSessions} closed sessions; {settings.MicroSeconds} s per case after a 1 s warm-up on another document");
        var table = new Table(
            "cosmos (b) - one write (balance -1, committed +1) on one document: ETag replace vs conditional patch",
            "primitive", "writers", "writes", "writes/s", "p50 ms", "p99 ms", "max ms", "412 retries", "412 per write", "doc KB", "cpu % proc/machine", "fails", "check");
        var rates = new Dictionary<(Primitive, int), double>();
        var run = 0;
        foreach (var writers in new[] { 1, settings.Workers }.Distinct())
        {
            foreach (var primitive in new[] { Primitive.Replace, Primitive.Patch, Primitive.PatchNoPredicate })
            {
                run++;
                var now = DateTimeOffset.UtcNow;
                var warmId = string.Create(CultureInfo.InvariantCulture, $"micro-warm-{run}");
                var id = string.Create(CultureInfo.InvariantCulture, $"micro-{run}");
                foreach (var docId in new[] { warmId, id })
                {
                    if (await store.TryCreateAsync(BenchDocuments.WithClosedSessions(docId, settings.DocSessions, now), cancellationToken) is null)
                    {
                        throw new InvalidOperationException($"document {docId} exists already");
                    }
                }

                var warmRetries = new StripedCounter();
                await ClosedLoop.RunAsync(writers, TimeSpan.FromSeconds(1), settings.MaxOps, WriteOperation(primitive, store, container, warmId, warmRetries), cancellationToken);

                var retries = new StripedCounter();
                var cpu = Machine.Cpu();
                var r = await ClosedLoop.RunAsync(writers, TimeSpan.FromSeconds(settings.MicroSeconds), settings.MaxOps, WriteOperation(primitive, store, container, id, retries), cancellationToken);
                var cpuText = Machine.Cpu().Since(cpu, r.Seconds);
                rates[(primitive, writers)] = r.PerSecondRate;
                var after = (await store.GetAsync(id, cancellationToken))!.Value;
                var written = r.Operations - r.Failures;
                var baseline = BenchDocuments.WithClosedSessions(id, settings.DocSessions, now);
                var committed = after.Committed - baseline.Committed;
                var debited = baseline.Balance - after.Balance;
                var check = committed == written && debited == written
                    ? "ok"
                    : Math.Abs(committed - written) < 0.001m && Math.Abs(debited - written) < 0.001m
                        ? $"drift: {written} writes, committed +{committed}, balance -{debited} (Increment is double arithmetic)"
                        : $"MISMATCH (lost update?): {written} writes, committed +{committed}, balance -{debited}";
                table.Add(
                    Name(primitive),
                    writers.ToString(CultureInfo.InvariantCulture),
                    Fmt.N0(r.Operations),
                    Fmt.N1(r.PerSecondRate),
                    Fmt.N2(r.Latency.P50Us / 1000),
                    Fmt.N2(r.Latency.P99Us / 1000),
                    Fmt.N1(r.Latency.MaxUs / 1000),
                    Fmt.N0(retries.Value),
                    Fmt.N2((double)retries.Value / Math.Max(1, r.Operations)),
                    Fmt.N1(await DocumentBytesAsync(container, id, cancellationToken) / 1024.0),
                    cpuText,
                    Fmt.N0(r.Failures),
                    check);
            }
        }

        table.Note("replace: read (GET) + ReplaceItemAsync with IfMatchEtag through CosmosAccountStore; on 412, read again and retry at once (bounded: 1,000 attempts).");
        table.Note("patch: one PATCH request, Increment ops, FilterPredicate 'FROM c WHERE c.state.balance >= 1' (a 412 would mean 'not enough balance', never a lost race).");
        table.Note("check: the document's committed/balance moved by exactly the number of successful writes (no lost update); 'drift' = off by a");
        table.Note("  floating-point residue only: patch Increment adds IEEE doubles, so money moved by patch must be integer minor units, not decimals.");
        table.Print(Console.Out);
        Console.WriteLine();
        foreach (var writers in new[] { 1, settings.Workers }.Distinct())
        {
            Console.WriteLine($"  ratio patch/replace writes/s, {writers} writer(s): {Fmt.Ratio(rates[(Primitive.Patch, writers)], rates[(Primitive.Replace, writers)])}"
                + $"   (patch without predicate/replace: {Fmt.Ratio(rates[(Primitive.PatchNoPredicate, writers)], rates[(Primitive.Replace, writers)])})");
        }
    }

    private static string Name(Primitive primitive) => primitive switch
    {
        Primitive.Replace => "ETag replace (read + If-Match)",
        Primitive.Patch => "conditional patch (filter)",
        _ => "patch, no predicate",
    };

    private static readonly IReadOnlyList<PatchOperation> Debit = [PatchOperation.Increment("/state/balance", -1), PatchOperation.Increment("/state/committed", 1)];

    private static ClosedLoop.Operation WriteOperation(Primitive primitive, CosmosAccountStore store, Container container, string id, StripedCounter retries)
    {
        var key = new PartitionKey(id);
        var withPredicate = new PatchItemRequestOptions { FilterPredicate = "FROM c WHERE c.state.balance >= 1", EnableContentResponseOnWrite = false };
        var withoutPredicate = new PatchItemRequestOptions { EnableContentResponseOnWrite = false };
        return primitive switch
        {
            Primitive.Replace => async (_, _) =>
            {
                for (var attempt = 0; attempt < 1000; attempt++)
                {
                    var current = await store.GetAsync(id, CancellationToken.None);
                    if (current is null)
                    {
                        return false;
                    }

                    var next = current.Value with { Balance = current.Value.Balance - 1m, Committed = current.Value.Committed + 1m };
                    if (await store.TryReplaceAsync(next, current.ETag, CancellationToken.None) is not null)
                    {
                        return true;
                    }

                    retries.Add();
                }

                return false;
            },
            _ => async (_, _) =>
            {
                using var response = await container.PatchItemStreamAsync(
                    id, key, Debit, primitive == Primitive.Patch ? withPredicate : withoutPredicate, CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.PreconditionFailed)
                {
                    retries.Add();
                }

                return response.IsSuccessStatusCode;
            },
        };
    }
}
