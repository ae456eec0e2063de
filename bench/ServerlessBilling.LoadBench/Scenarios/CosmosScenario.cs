using Microsoft.Azure.Cosmos;
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

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var valueNames = new[] { "endpoint", "key", "workers", "spread", "seconds", "warmup", "micro-seconds", "doc-sessions", "retention", "only", "max-ops" };
        if (CliArgs.ForScenario(args, Usage, valueNames, []) is not { } cli)
        {
            return 0;
        }

        var endpoint = CosmosEmulator.Endpoint(cli["endpoint"])
            ?? throw new ArgumentException("no emulator endpoint: start it with infra/cosmos/start.sh and pass --endpoint (or set COSMOS_ENDPOINT)");

        var settings = new CosmosSettings(
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

        var options = CosmosEmulator.Options(endpoint, cli["key"], "loadbench");

        Console.WriteLine($"cosmos: {Machine.Describe()}");
        Console.WriteLine($"  emulator {options.Endpoint} (Gateway mode, HTTPS), database {options.Database}; the emulator (node, one thread) "
            + "and this process share the cores");

        await CosmosEmulator.WithDatabaseAsync(
            options,
            async database =>
            {
                if (only is null or "a")
                {
                    await CosmosPairs.RunAsync(database, options, settings, cancellationToken);
                }

                if (only is null or "b")
                {
                    await CosmosWrites.RunAsync(database.GetContainer(options.AccountsContainer), settings, cancellationToken);
                }
            },
            cancellationToken);
        return 0;
    }
}

/// <summary>The options of the <c>cosmos</c> scenario.</summary>
internal sealed record CosmosSettings(int Workers, int Spread, double Seconds, double Warmup, double MicroSeconds, int DocSessions, TimeSpan? Retention, int MaxOps);
