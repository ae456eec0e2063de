using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Local.Hosting;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Stores;
using ServerlessBilling.Sqlite;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// SQLite against memory in one run, over HTTP on the local host in process: authorize+terminate pairs/s and p99,
/// CDR ingestion CDRs/s; then start-up time and file size of a SQLite file holding many accounts and usage records.
/// </summary>
internal static class StoreScenario
{
    public const string Usage = """
        Usage: loadbench stores [--seconds S] [--concurrency N] [--accounts N] [--batches N] [--big-accounts N] [--big-usage N] [--durability ProcessCrash|PowerLoss] [--warmup S] [--commit-window MS] [--split] [--split-only] [--split-store memory|sqlite|both] [--alloc-types] [--floor BYTES[,BYTES...]]
          --seconds       how long the pairs loop runs per store (default 5)
          --concurrency   concurrent HTTP loops (default 32)
          --accounts      pre-paid accounts the pairs and the CDRs spread over (default 1000)
          --batches       CSV batches of 5,000 CDRs posted per store, 4 in flight (default 10)
          --big-accounts  accounts in the start-up file (default 100000; 0 skips the start-up part)
          --big-usage     usage records in the start-up file (default 1000000)
          --split         then the same pairs through CreditControlService without HTTP on each store: CPU per pair (all
                          threads, and the SQLite writer thread), writes per commit, commits per pair, and the wall time
                          of each store call in a pair
          --warmup        seconds of pairs before each timed run (default 5)
          --commit-window Sqlite:CommitWindow in ms for the --split runs (default 0: off)
          --split-only    only that (no HTTP, no start-up part)
          --split-store   which stores the --split runs take (default both; one alone for a profile of it)
          --alloc-types   with --split: the types allocated in each timed run (sampled by the runtime)
          --floor         also run the HTTP pairs on the memory store with the least durable write after each account
                          write: one row of BYTES ready-made bytes appended by a group-committing writer, the caller
                          answered after its commit (a floor under any store that commits before it answers)
        """;

    private const int CdrsPerBatch = 5000;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (CliArgs.ForScenario(args, Usage, ["seconds", "concurrency", "accounts", "batches", "big-accounts", "big-usage", "durability", "warmup", "commit-window", "split-store", "floor"], ["split", "split-only", "alloc-types"]) is not { } cli)
        {
            return 0;
        }

        var seconds = cli.Seconds("seconds", 5, 1, 60);
        var concurrency = cli.Int("concurrency", 32, 1, 512);
        var accounts = cli.Int("accounts", 1000, 1, 100_000);
        var batches = cli.Int("batches", 10, 1, 200);
        var bigAccounts = cli.Int("big-accounts", 100_000, 0, 1_000_000);
        var bigUsage = cli.Int("big-usage", 1_000_000, 0, 10_000_000);
        var durability = cli["durability"] ?? nameof(SqliteDurability.ProcessCrash);
        var warmup = cli.Seconds("warmup", 5, 0, 60);
        Console.WriteLine($"stores: {Machine.Describe()}");
        if (cli.Flag("split") || cli.Flag("split-only"))
        {
            var parsed = Enum.TryParse<SqliteDurability>(durability, ignoreCase: true, out var level) ? level : throw new ArgumentException("--durability is ProcessCrash or PowerLoss");
            var window = TimeSpan.FromMilliseconds(cli.Int("commit-window", 0, 0, 100));
            string[] stores = (cli["split-store"] ?? "both") switch
            {
                "both" => ["memory", "sqlite"],
                "memory" or "sqlite" => [cli["split-store"]!],
                _ => throw new ArgumentException("--split-store is memory, sqlite or both"),
            };
            (await StorePairs.RunAsync(stores, concurrency, seconds, warmup, accounts, parsed, window, cli.Flag("alloc-types"), cancellationToken)).Print(Console.Out);
            if (cli.Flag("split-only"))
            {
                return 0;
            }
        }


        var floors = (cli["floor"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(b => int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 65536 ? n : throw new ArgumentException("--floor takes sizes in bytes, 1 to 65536, comma-separated"))
            .ToArray();
        var table = new Table("SQLite vs memory over HTTP", "store", "pairs/s", "pair p50 ms", "pair p99 ms", "cpu us/request", "CDRs/s (HTTP)", "writes/commit", "WAL KB/commit", "WAL KB/pair");
        foreach (var store in new[] { "memory", "sqlite" }.Concat(floors.Select(b => string.Create(CultureInfo.InvariantCulture, $"floor-{b}"))))
        {
            using var folder = new BenchFolder();
            var floorBytes = store.StartsWith("floor-", StringComparison.Ordinal) ? int.Parse(store["floor-".Length..], CultureInfo.InvariantCulture) : 0;
            using var journal = floorBytes > 0 ? new FloorJournal(folder.Path, floorBytes) : null;
            await using var host = await StartAsync(folder.Path, floorBytes > 0 ? "memory" : store, durability, journal);
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = host.Address };
            var ids = await OpenAccountsAsync(client, accounts, cancellationToken);
            if (warmup > 0)
            {
                await PairsAsync(client, ids, concurrency, TimeSpan.FromSeconds(warmup), store + "-warm", cancellationToken);
            }

            var before = host.App.Services.GetService<SqliteDatabase>()?.CommitStatistics;
            var walBefore = host.App.Services.GetService<SqliteDatabase>()?.WalBytesWritten ?? 0;
            var meter = RunMeter.Start();
            var (pairsPerSecond, p50, p99) = await PairsAsync(client, ids, concurrency, TimeSpan.FromSeconds(seconds), store, cancellationToken);
            var cpuPerRequest = meter.Stop(seconds).CpuUsPer(pairsPerSecond * seconds * 2);
            var pairStats = host.App.Services.GetService<SqliteDatabase>()?.CommitStatistics;
            var pairWal = (host.App.Services.GetService<SqliteDatabase>()?.WalBytesWritten ?? 0) - walBefore;
            if (journal is not null)
            {
                table.Add(store, Fmt.N0(pairsPerSecond), Fmt.N2(p50), Fmt.N2(p99), Fmt.N0(cpuPerRequest), "n/a", Fmt.N1((double)journal.Writes / Math.Max(1, journal.Commits)), "n/a", Fmt.N1(floorBytes * 2 / 1024.0));
                continue;
            }

            var cdrsPerSecond = await IngestAsync(client, ids, batches, store, cancellationToken);
            var stats = host.App.Services.GetService<SqliteDatabase>()?.CommitStatistics;
            table.Add(store, Fmt.N0(pairsPerSecond), Fmt.N2(p50), Fmt.N2(p99), Fmt.N0(cpuPerRequest), Fmt.N0(cdrsPerSecond),
                stats is { } s && before is { } b && s.Commits > b.Commits ? Fmt.N1((double)(s.Writes - b.Writes) / (s.Commits - b.Commits)) : "n/a",
                pairStats is { } ps && before is { } pb && ps.Commits > pb.Commits ? Fmt.N1(pairWal / 1024.0 / (ps.Commits - pb.Commits)) : "n/a",
                pairStats is not null ? Fmt.N1(pairWal / 1024.0 / Math.Max(1, pairsPerSecond * seconds)) : "n/a");
        }

        if (floors.Length > 0)
        {
            table.Note("floor-B: the memory store, each account write followed by one B-byte row appended and committed before the answer (Stores/FloorJournal.cs); writes/commit over the whole run; WAL KB/pair: the rows' bytes alone");
        }

        table.Note("cpu us/request: process CPU (client, server, GC) per HTTP request of the timed pairs; writes/commit: over the timed pairs and the ingestion; WAL KB: appended by the timed pairs' commits");
        table.Note($"pairs: {concurrency} loops for {seconds} s after {warmup} s warm-up over {accounts} accounts; ingestion: {batches} batches of {CdrsPerBatch} CDRs, 4 in flight; sqlite durability {durability}");
        table.Print(Console.Out);

        if (bigAccounts > 0)
        {
            await StartUpAsync(bigAccounts, bigUsage, cancellationToken);
        }

        return 0;
    }

    private static async Task<RunningHost> StartAsync(string folder, string store, string durability, FloorJournal? journal = null)
    {
        var app = LocalHost.Build(["--urls", "http://127.0.0.1:0", "--Store=" + store, "--Local:DataDirectory=" + folder, "--Sqlite:Durability=" + durability,
            "--Local:SeedDemo=true", "--Logging:LogLevel:Default=Warning"], builder =>
        {
            if (journal is not null && builder.Services.LastOrDefault(d => d.ServiceType == typeof(IAccountStore)) is { ImplementationFactory: { } factory })
            {
                builder.Services.Replace(ServiceDescriptor.Singleton<IAccountStore>(sp => new FloorJournalAccountStore((IAccountStore)factory(sp), journal)));
            }
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new RunningHost(app, address);
    }

    private static async Task<string[]> OpenAccountsAsync(HttpClient client, int count, CancellationToken cancellationToken)
    {
        var ids = Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"bench-{i:000000}")).ToArray();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            using var response = await client.PutAsJsonAsync($"/api/accounts/{id}", new
            {
                name = "Bench", mode = "prepaid", currency = "GBP", initialBalance = 1_000_000, rateDeckId = DemoSeeder.DeckId,
                billingDay = 1, timeZone = "Europe/London", tax = new { treatment = "standard", rate = 0.20 },
            }, ct);
            response.EnsureSuccessStatusCode();
        });
        return ids;
    }

    private static async Task<(double PerSecond, double P50Ms, double P99Ms)> PairsAsync(
        HttpClient client, string[] accounts, int loops, TimeSpan duration, string run, CancellationToken cancellationToken)
    {
        var latencies = new List<long>[loops];
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, loops).Select(loop => Task.Run(async () =>
        {
            var mine = latencies[loop] = new List<long>(100_000);
            for (var n = 0; clock.Elapsed < duration && !cancellationToken.IsCancellationRequested; n++)
            {
                var session = string.Create(CultureInfo.InvariantCulture, $"{run}-{loop}-{n}");
                var account = accounts[((n * loops) + loop) % accounts.Length];
                var start = Stopwatch.GetTimestamp();
                using var grant = await client.PostAsJsonAsync("/api/authorize", new { sessionId = session, accountId = account, callingNumber = "+442071234567", calledNumber = "+447700900123", requestedSeconds = 60 }, cancellationToken);
                using var end = await client.PostAsJsonAsync($"/api/sessions/{session}/terminate", new { requestNumber = 1, usedSeconds = 42 }, cancellationToken);
                if (!grant.IsSuccessStatusCode || !end.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }

                mine.Add(Stopwatch.GetTimestamp() - start);
            }
        }, cancellationToken)));
        var elapsed = clock.Elapsed.TotalSeconds;
        if (failures > 0)
        {
            throw new InvalidOperationException($"{failures} pairs failed on {run}");
        }

        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Ms(double quantile) => all[(int)Math.Min(all.Length - 1, Math.Floor(quantile * all.Length))] * 1000.0 / Stopwatch.Frequency;
        return (all.Length / elapsed, Ms(0.50), Ms(0.99));
    }

    private static async Task<double> IngestAsync(HttpClient client, string[] accounts, int batches, string run, CancellationToken cancellationToken)
    {
        var bodies = Enumerable.Range(0, batches).Select(b =>
        {
            var csv = new StringBuilder("cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\n");
            for (var i = 0; i < CdrsPerBatch; i++)
            {
                var n = (b * CdrsPerBatch) + i;
                csv.Append(CultureInfo.InvariantCulture, $"{run}-cdr-{n},{accounts[n % accounts.Length]},+442071234567,+4477009{n % 100000:00000},2026-11-26T10:00:00Z,{n % 600},ANSWERED,\n");
            }

            return csv.ToString();
        }).ToArray();
        var received = 0L;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (body, ct) =>
        {
            using var response = await client.PostAsync("/api/cdrs", new StringContent(body, Encoding.UTF8, "text/csv"), ct);
            response.EnsureSuccessStatusCode();
            var result = await response.Content.ReadFromJsonAsync<IngestCounts>(ct);
            if (result is null || result.Accepted != CdrsPerBatch)
            {
                throw new InvalidOperationException($"a batch was not fully accepted on {run}: {result}");
            }

            Interlocked.Add(ref received, result.Received);
        });
        return received / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Fills a file through the stores (the writer groups the concurrent writes), then times the host's start on it.</summary>
    private static async Task StartUpAsync(int accounts, int usage, CancellationToken cancellationToken)
    {
        using var folder = new BenchFolder();
        var fill = Stopwatch.StartNew();
        using (var database = SqliteDatabase.Open(new SqliteOptions { DataDirectory = folder.Path }, TimeProvider.System))
        {
            var accountStore = new SqliteAccountStore(database);
            var usageStore = new SqliteUsageStore(database);
            var settings = new AccountSettings("Bench", AccountMode.Prepaid, new Currency("GBP"), null, false, DemoSeeder.DeckId, 1, "Europe/London", TaxSettings.None);
            var now = DateTimeOffset.UtcNow;
            await Parallel.ForEachAsync(Enumerable.Range(0, accounts), new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken }, async (i, ct) =>
                await accountStore.TryCreateAsync(AccountState.Open(string.Create(CultureInfo.InvariantCulture, $"big-{i:0000000}"), settings, 100m, now), ct));
            var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
            await Parallel.ForEachAsync(Enumerable.Range(0, usage), new ParallelOptions { MaxDegreeOfParallelism = 256, CancellationToken = cancellationToken }, async (i, ct) =>
                await usageStore.TryCreateAsync(new UsageRecord(
                    string.Create(CultureInfo.InvariantCulture, $"u-{i:00000000}"), string.Create(CultureInfo.InvariantCulture, $"big-{i % accounts:0000000}"), null,
                    "+447700900123", start.AddSeconds(i), 61, "ANSWERED", "447", "United Kingdom Mobile", 66, 0.044m, "GBP", "2026-11", Settlement.Cdr, null, now), ct));
        }

        var filled = fill.Elapsed;
        var bytes = Directory.GetFiles(folder.Path).Sum(f => new FileInfo(f).Length);
        var table = new Table("start-up on a full file", "store", "accounts", "usage records", "start-up ms", "file MB", "fill s");
        foreach (var store in new[] { "memory", "sqlite" })
        {
            var clock = Stopwatch.StartNew();
            await using (var host = await StartAsync(folder.Path, store, nameof(SqliteDurability.ProcessCrash)))
            {
                var startUp = clock.Elapsed.TotalMilliseconds;
                using var client = new HttpClient { BaseAddress = host.Address };
                using var probe = await client.GetAsync($"/api/accounts/big-{accounts - 1:0000000}/balance", cancellationToken);
                var found = probe.IsSuccessStatusCode ? "found" : "not found";
                table.Add(store, store == "sqlite" ? Fmt.N0(accounts) : "0", store == "sqlite" ? Fmt.N0(usage) : "0", Fmt.N0(startUp),
                    store == "sqlite" ? Fmt.N1(bytes / 1_048_576.0) : "-", store == "sqlite" ? Fmt.N1(filled.TotalSeconds) : "-");
                table.Note($"{store}: last account {found} after start");
            }
        }

        table.Note("start-up: LocalHost.Build + StartAsync until listening (demo seeding included); the SQLite file is opened and migrated at start, accounts are read on demand");
        table.Print(Console.Out);
    }

    private sealed record IngestCounts(int Received, int Accepted, int Duplicates);

    private sealed class RunningHost(WebApplication app, Uri address) : IAsyncDisposable
    {
        public WebApplication App => app;

        public Uri Address => address;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private sealed class BenchFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sb-bench-{Guid.NewGuid():N}")).FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
