using ServerlessBilling.LoadBench.Calls;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Stores;
using ServerlessBilling.Sqlite;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// <c>stores --split</c>: the same authorize+terminate pairs through <see cref="CreditControlService"/> on the memory
/// and the SQLite stores, without HTTP: what the store adds per pair in CPU (all threads, and the SQLite writer
/// thread alone), how well writes are grouped, and the mean wall time of each store call in a pair.
/// </summary>
internal static class StorePairs
{
    public static async Task<Table> RunAsync(IReadOnlyList<string> stores, int loops, double seconds, double warmup, int accountCount, SqliteDurability durability, TimeSpan commitWindow, bool allocations, CancellationToken cancellationToken)
    {
        var table = new Table(
            "stores --split: pairs through CreditControlService without HTTP, mean wall us per pair in each store call",
            "store", "pairs/s", "p50 us", "p99 us", "cpu us/pair", "alloc KB/pair", "switches/pair", "pool items/pair", "writer cpu us/pair", "writer busy %", "writes/commit", "commits/pair", "WAL KB/commit",
            "acct read", "acct write", "claim", "find session", "record closed", "history", "rest");
        Table? steps = null;
        foreach (var name in stores)
        {
            var folder = Path.Combine(Path.GetTempPath(), $"sb-bench-{Guid.NewGuid():N}");
            try
            {
                using var database = name == "sqlite" ? SqliteDatabase.Open(new SqliteOptions { DataDirectory = folder, Durability = durability, CommitWindow = commitWindow }, TimeProvider.System) : null;
                var (accounts, sessions, topUps, decks) = Stores(database);
                var clock = TimeProvider.System;
                var options = new CreditControlOptions();
                var timedAccounts = new TimedAccountStore(accounts, System.Diagnostics.Stopwatch.GetTimestamp);
                var timedSessions = new TimedSessionIndex(sessions);
                var deckCache = new RateDeckCache(decks, clock);
                var service = new CreditControlService(timedAccounts, new AccountUpdater(timedAccounts, new AccountWriteOptions()), timedSessions, deckCache, clock, options);
                var admin = new AccountService(accounts, new AccountUpdater(accounts, new AccountWriteOptions()), topUps, deckCache, options, clock);
                await BenchData.ImportDeckAsync(admin, cancellationToken);
                var timedIds = await BenchData.OpenAsync(admin, "acct-", accountCount, 16, cancellationToken);
                var warmIds = await BenchData.OpenAsync(admin, "warm-", accountCount, 16, cancellationToken);
                if (warmup > 0)
                {
                    await ClosedLoop.RunAsync(loops, TimeSpan.FromSeconds(warmup), 5_000_000, Pairs.Operation(service, warmIds, loops, "w", new PairStats()), cancellationToken);
                }

                timedAccounts.Reset();
                timedSessions.Reset();
                var commitsBefore = database?.CommitStatistics ?? default;
                var walBefore = database?.WalBytesWritten ?? 0;
                var writerBefore = NamedThreadCpu.Of("sqlite-writer");
                var busyBefore = database?.WriterBusy ?? TimeSpan.Zero;
                var switchesBefore = NamedThreadCpu.Switches();
                var poolBefore = ThreadPool.CompletedWorkItemCount;
                var meter = RunMeter.Start();
                using var sampled = allocations ? new AllocationSampler() : null;
                var result = await ClosedLoop.RunAsync(loops, TimeSpan.FromSeconds(seconds), 5_000_000, Pairs.Operation(service, timedIds, loops, "t", new PairStats()), cancellationToken);
                var cost = meter.Stop(result.Seconds);
                sampled?.Dispose();
                sampled?.Table($"stores --split: what {name} allocates in the timed run, by type (the runtime's samples, one per ~100 KB)", 25).Print(Console.Out);
                var writerAfter = NamedThreadCpu.Of("sqlite-writer");
                var switches = NamedThreadCpu.Switches() - switchesBefore;
                var poolItems = ThreadPool.CompletedWorkItemCount - poolBefore;
                var busy = ((database?.WriterBusy ?? TimeSpan.Zero) - busyBefore).TotalSeconds / result.Seconds;
                var commits = (database?.CommitStatistics ?? default) is var after ? (after.Commits - commitsBefore.Commits, after.Writes - commitsBefore.Writes) : default;
                if (result.Failures > 0)
                {
                    throw new InvalidOperationException($"{result.Failures} pairs failed on {name}");
                }

                var pairs = Math.Max(1, result.Operations);
                double Us(StripedCounter ticks) => LatencySummary.ToUs(ticks.Value) / pairs;
                var calls = new[]
                {
                    Us(timedAccounts.ReadTicks), Us(timedAccounts.WriteTicks), Us(timedSessions.ClaimTicks), Us(timedSessions.FindTicks),
                    Us(timedSessions.RecordTicks), Us(timedSessions.HistoryTicks),
                };
                table.Add(
                    [
                        name, Fmt.N0(result.PerSecondRate), Fmt.N0(result.Latency.P50Us), Fmt.N0(result.Latency.P99Us), Fmt.N0(cost.CpuUsPer(pairs)), Fmt.N1(cost.AllocatedKbPer(pairs)),
                        switches is { } n ? Fmt.N1((double)n / pairs) : "n/a", Fmt.N1((double)poolItems / pairs),
                        writerBefore is { } w0 && writerAfter is { } w1 ? Fmt.N0((w1 - w0).TotalMicroseconds / pairs) : "n/a",
                        database is null ? "n/a" : Fmt.N0(100 * busy),
                        commits.Item1 > 0 ? Fmt.N1((double)commits.Item2 / commits.Item1) : "n/a",
                        commits.Item1 > 0 ? Fmt.N2((double)commits.Item1 / pairs) : "n/a",
                        commits.Item1 > 0 ? Fmt.N1((database!.WalBytesWritten - walBefore) / 1024.0 / commits.Item1) : "n/a",
                        .. calls.Select(Fmt.N0), Fmt.N0(result.Latency.MeanUs - calls.Sum()),
                    ]);
                if (database is not null)
                {
                    var wal = new FileInfo(database.Options.FilePath + "-wal");
                    table.Note($"sqlite: WAL {(wal.Exists ? wal.Length / 1_048_576.0 : 0):0.0} MB at the end of the timed run, {database.Checkpoints} checkpoints beside the writer, {database.WalPages} pages in the WAL at the last; {database.CoalescedCommits} of {database.CommitStatistics.Commits} groups waited for writes to come back");
                    steps = await StepsAsync(accounts, sessions, timedIds[0], "t0-0", cancellationToken);
                }
            }
            finally
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        }

        steps?.Print(Console.Out);
        table.Note($"{loops} loops for {seconds} s after {warmup} s warm-up, over {accountCount} accounts (warm-up on others); sqlite durability {durability}, commit window {commitWindow.TotalMilliseconds} ms");
        table.Note("cpu us/pair: process CPU (all threads, GC included); alloc: bytes allocated by all threads per pair; switches: times a thread of the process was put on a core (woken), per pair; pool items: thread-pool work items run per pair (continuations that hopped); writer cpu: the SQLite writer thread alone; writer busy: its wall time running groups / the run's. Store-call columns are wall time (waiting for a core included).");
        return table;
    }

    /// <summary>Single store calls on one thread after the run (warm): thread CPU for the synchronous ones, wall for a lone awaited write.</summary>
    private static async Task<Table> StepsAsync(IAccountStore accounts, ISessionIndex sessions, string accountId, string sessionId, CancellationToken cancellationToken)
    {
        var table = new Table("stores --split: single SQLite store calls, 1 thread, mean us per call", "call", "us/call", "clock");
        const int Calls = 2000;
        async Task MeasureAsync(string call, bool wall, Func<Task> body)
        {
            for (var i = 0; i < Calls / 10; i++)
            {
                await body();
            }

            var start = wall ? System.Diagnostics.Stopwatch.GetTimestamp() : ThreadCpu.Now();
            for (var i = 0; i < Calls; i++)
            {
                await body();
            }

            var ticks = (wall ? System.Diagnostics.Stopwatch.GetTimestamp() : ThreadCpu.Now()) - start;
            table.Add(call, Fmt.N1(LatencySummary.ToUs(ticks) / Calls), wall ? "wall" : "thread cpu");
        }

        var doc = (await accounts.GetAsync(accountId, cancellationToken))!;
        await MeasureAsync("account read (known document)", false, () => accounts.GetAsync(accountId, cancellationToken));
        await MeasureAsync("session -> account", false, () => sessions.FindAccountAsync(sessionId, cancellationToken));
        await MeasureAsync("session -> account (unknown id)", false, () => sessions.FindAccountAsync("no-such-session", cancellationToken));
        await MeasureAsync($"account JSON ({doc.Value.Sessions.Count} sessions)", false, () =>
            Task.FromResult(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(doc.Value, StoredJson.Options).Length));
        var etag = doc.ETag;
        await MeasureAsync("account replace, alone (a commit each)", true, async () => etag = (await accounts.TryReplaceAsync(doc.Value, etag, cancellationToken))!);
        return table;
    }

    private static (IAccountStore Accounts, ISessionIndex Sessions, ITopUpStore TopUps, IRateDeckStore Decks) Stores(SqliteDatabase? database) =>
        database is null
            ? (new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryTopUpStore(), new InMemoryRateDeckStore())
            : (new SqliteAccountStore(database), new SqliteSessionIndex(database, TimeProvider.System), new SqliteTopUpStore(database), new SqliteRateDeckStore(database));
}
