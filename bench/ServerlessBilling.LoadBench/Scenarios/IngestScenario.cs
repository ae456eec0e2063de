using System.Globalization;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Ingest;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// <c>ingest</c>: CDR ingestion (<see cref="IngestionService.IngestAsync"/>) in three settings, each in its own file:
/// <see cref="IngestCore"/> on the embedded in-memory stores, <see cref="IngestHttp"/> through POST /api/cdrs on the
/// local host in process, and <see cref="IngestCosmos"/> on the Cosmos stores against a local emulator. Each part
/// prints a table with the target next to the figure, and checks that nothing was lost, that a replay applies
/// nothing, and that every account's money matches its CDRs (<see cref="IngestChecks"/>).
/// </summary>
internal static class IngestScenario
{
    public const string Usage = """
        ingest: CDR ingestion through IngestionService.IngestAsync, in three parts (each a table, target next to figure):
          core    on the embedded InMemory stores (account, usage, quarantine, rate deck via RateDeckCache): a generated
                  deck, 1,000 accounts (half pre-paid, half post-paid), batches of 5,000 CDRs spread over the accounts
                  and all on 10 hot accounts; input either pre-parsed CdrRecord lists or CSV text parsed in the timed
                  loop (CdrCsvReader). Target: >= 200,000 CDRs/s.
          http    the local host in process on http://127.0.0.1:0: accounts and deck created with PUT /api/accounts/{id} and
                  PUT /api/ratedecks/{id}, then POST /api/cdrs with text/csv batches of 5,000 CDRs from N concurrent
                  clients; CDRs/s and p50/p99 per batch. Target: >= 100,000 CDRs/s.
          cosmos  the core ingestion on CosmosAccountStore / CosmosUsageStore / CosmosQuarantineStore / CosmosRateDeckStore
                  against a local emulator (127.0.0.1 only; a fresh database, deleted at the end); batches of 1,000
                  and 5,000, spread and hot. No target: reported. Skipped when no endpoint is given.
          After each run: accepted + duplicates + quarantined = received (and exactly the counts planted by the
          generator: 0.3% unrated, 0.1% malformed, 0.2% repeated lines), a replay of batch 0 accepts 0, and every
          account's committed money equals an independent rating of its CDRs (ledger).

          --only LIST          parts to run, comma-separated: core,http,cosmos (default: all; cosmos only with an endpoint)
          --batch N            CDRs per batch for core and http (default 5000)
          --accounts N         accounts of the spread cases (default 1000)
          --hot N              accounts of the hot cases (default 10)
          --prefixes N         prefixes of the generated deck (default 2000; ~5% get two rows: a rate change this year)
          --session-ids PCT    percent of CDRs naming a session id credit control never saw (default 0): each one
                               costs a session-history look-up
          core:
          --seconds S          timed run per core case (default 5, max 60)
          --warmup S           warm-up per core case, on other accounts (default 2, max 30)
          --max-batches N      batches generated per account set, the bound of each core case (default 150)
          --in-flight LIST     batches ingested concurrently, comma-separated (default 1,2)
          --applied LIST       CDR ids already in each account document's applied set when a case starts, comma-separated
                               (default 1000 = AccountState.AppliedCdrCapacity: the steady state of an account that has
                               taken 1,000 CDRs; 0 = new accounts). http and cosmos use the first value.
          --split              time the stores and the decision (adds ~50 ns per store call) and print where a CDR's
                               time goes, plus single steps (rules, rating, parsing) on one thread
          http:
          --clients LIST       concurrent clients posting batches, comma-separated (default 4)
          --http-seconds S     timed run per client count (default 10, max 120)
          --http-warmup S      warm-up on other accounts (default 5, max 60)
          --http-batches N     batches generated per client count, the bound of each timed run (default 300)
          cosmos:
          --endpoint URL       emulator endpoint (default: $COSMOS_ENDPOINT), e.g. https://127.0.0.1:8081/
          --key KEY            account key (default: $COSMOS_KEY or the emulator's well-known key)
          --cosmos-batch LIST  CDRs per batch, comma-separated (default 1000,5000)
          --cosmos-batches N   batches per case (default 3)
          --cosmos-seconds S   per case: no new batch starts after this (default 90, max 600)

        """;

    private static readonly string[] ValueNames =
    [
        "only", "batch", "accounts", "hot", "prefixes", "session-ids", "seconds", "warmup", "max-batches", "in-flight", "applied", "clients", "http-seconds",
        "http-warmup", "http-batches", "endpoint", "key", "cosmos-batch", "cosmos-batches", "cosmos-seconds",
    ];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (CliArgs.ForScenario(args, Usage, ValueNames, ["split"]) is not { } cli)
        {
            return 0;
        }

        var capacity = AccountState.AppliedCdrCapacity;
        var settings = new IngestSettings(
            Batch: cli.Int("batch", 5000, 1, 100_000),
            Accounts: cli.Int("accounts", 1000, 1, 100_000),
            Hot: cli.Int("hot", 10, 1, 1000),
            Prefixes: cli.Int("prefixes", 2000, 100, 200_000),
            SessionShare: cli.Int("session-ids", 0, 0, 100) / 100.0,
            Seconds: cli.Seconds("seconds", 5, 0.5, 60),
            Warmup: cli.Seconds("warmup", 2, 0, 30),
            MaxBatches: cli.Int("max-batches", 150, 2, 2000),
            InFlight: cli.Ints("in-flight", "1,2", 1, 64),
            Applied: cli.Ints("applied", capacity.ToString(CultureInfo.InvariantCulture), 0, capacity),
            Split: cli.Flag("split"),
            Clients: cli.Ints("clients", "4", 1, 256),
            HttpSeconds: cli.Seconds("http-seconds", 10, 0.5, 120),
            HttpWarmup: cli.Seconds("http-warmup", 5, 0, 60),
            HttpBatches: cli.Int("http-batches", 300, 2, 5000),
            CosmosBatch: cli.Ints("cosmos-batch", "1000,5000", 1, 100_000),
            CosmosBatches: cli.Int("cosmos-batches", 3, 1, 1000),
            CosmosSeconds: cli.Seconds("cosmos-seconds", 90, 1, 600));
        var parts = (cli["only"] ?? "core,http,cosmos").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        if (parts.Count == 0 || parts.Any(p => p is not ("core" or "http" or "cosmos")))
        {
            throw new ArgumentException("--only takes core, http and cosmos, comma-separated");
        }

        var endpoint = CosmosEmulator.Endpoint(cli["endpoint"]);
        if (cli["only"] is not null && parts.Contains("cosmos") && endpoint is null)
        {
            throw new ArgumentException("cosmos needs an emulator endpoint: start one (infra/cosmos/start.sh) and pass --endpoint (or set COSMOS_ENDPOINT)");
        }

        var now = DateTimeOffset.UtcNow;
        var deck = IngestDeck.Create(settings.Prefixes, now);
        var run = new IngestSetup(settings, deck, deck.Parse(), now);
        Console.WriteLine($"ingest: {Machine.Describe()}");
        Console.WriteLine($"  deck '{IngestDeck.DeckId}': {deck.Rows:N0} rows, {deck.Prefixes:N0} prefixes, {run.Rated.Rows.Select(r => r.Destination).Distinct(StringComparer.Ordinal).Count():N0} destinations; "
            + $"accounts: spread {settings.Accounts:N0} (even pre-paid, odd post-paid), hot {settings.Hot}; CDRs with a session id: {settings.SessionShare:P0}");

        if (parts.Contains("core"))
        {
            await IngestCore.RunAsync(run, cancellationToken);
        }

        if (parts.Contains("http"))
        {
            await IngestHttp.RunAsync(run, cancellationToken);
        }

        if (parts.Contains("cosmos"))
        {
            if (endpoint is null)
            {
                Console.WriteLine("\ncosmos: skipped (no endpoint: start infra/cosmos/start.sh and pass --endpoint, or set COSMOS_ENDPOINT)");
            }
            else
            {
                await IngestCosmos.RunAsync(run, endpoint, cli["key"], cancellationToken);
            }
        }

        return 0;
    }
}

/// <summary>The options of the <c>ingest</c> scenario.</summary>
internal sealed record IngestSettings(
    int Batch, int Accounts, int Hot, int Prefixes, double SessionShare,
    double Seconds, double Warmup, int MaxBatches, int[] InFlight, int[] Applied, bool Split,
    int[] Clients, double HttpSeconds, double HttpWarmup, int HttpBatches,
    int[] CosmosBatch, int CosmosBatches, double CosmosSeconds);

/// <summary>What every part of one <c>ingest</c> run shares: the options, the generated deck (CSV and imported) and the run's clock reading.</summary>
internal sealed record IngestSetup(IngestSettings Settings, IngestDeck Deck, RateDeck Rated, DateTimeOffset Now);
