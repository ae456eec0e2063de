using ServerlessBilling.LoadBench.Scenarios;

// Load benchmarks of credit control and CDR ingestion. Not run in CI. Every loop is bounded in count and in time; all traffic
// goes to 127.0.0.1 (the in-process host, or a local Cosmos emulator; other endpoints are refused).
const string Usage = """
    Usage: dotnet run -c Release --project bench/ServerlessBilling.LoadBench -- <scenario> [options]

    Scenarios:
      core     authorize+terminate pairs through CreditControlService on the embedded InMemory store
               (1 and 2 threads; 1,000 accounts vs one hot account). Targets: >= 200,000 pairs/s, p99 < 50 us.
      http     the local host in process on http://127.0.0.1:0, N concurrent HttpClient loops doing authorize
               then terminate across many pre-paid accounts. Targets: >= 10,000 requests/s, p99 < 5 ms.
      cosmos   on the local Cosmos emulator (infra/cosmos/start.sh): (a) pairs through CreditControlService with
               CosmosAccountStore, one hot account vs 100 spread accounts, counting 412 retries; (b) the raw write
               primitive on one document: ETag-conditional replace vs conditional patch.
      ingest   CDR ingestion (IngestionService.IngestAsync), batches of 5,000 CDRs over 1,000 pre-/post-paid accounts
               and over 10 hot accounts: (1) core on the InMemory stores, pre-parsed and CSV text, target >= 200,000
               CDRs/s; (2) http, POST /api/cdrs text/csv on the local host in process, target >= 100,000 CDRs/s,
               p50/p99 per batch; (3) cosmos, on the Cosmos stores against the local emulator (--endpoint), reported.
               Checks counts (accepted + duplicates + quarantined = received), replay (0 accepted) and the ledger.
      stores   the local host on SQLite against memory in one run: HTTP pairs/s and p99, CDRs/s over HTTP, and the
               start-up time and file size of a SQLite file with 100,000 accounts and 1,000,000 usage records.
      invoice  the invoice run over 100,000 post-paid accounts on the embedded store (target < 30 s), or --cosmos.
      monitoring  delay from a charge (CDR batch, terminate) to its alert stored, p50/p99 (target < 1 s), and monitoring's
               lag behind full-speed ingestion, on the local host in process.

      all      every target with its baseline in one run, then one table of figure, baseline, ratio, target and verdict:
               in-process pairs and ingestion, HTTP ingestion on SQLite and memory vs read-and-discard, HTTP pairs'
               server CPU vs echo, rate vs read-and-split, RSS after 1M CDRs and over a steady run (--quick, --minutes N).

    <scenario> --help shows that scenario's options.

    """;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    return args switch
    {
        ["core", .. var rest] => await CoreScenario.RunAsync(rest, cancel.Token),
        ["http", .. var rest] => await HttpScenario.RunAsync(rest, cancel.Token),
        ["cosmos", .. var rest] => await CosmosScenario.RunAsync(rest, cancel.Token),
        ["ingest", .. var rest] => await IngestScenario.RunAsync(rest, cancel.Token),
        ["stores", .. var rest] => await StoreScenario.RunAsync(rest, cancel.Token),
        ["invoice", .. var rest] => await InvoiceScenario.RunAsync(rest, cancel.Token),
        ["monitoring", .. var rest] => await MonitoringScenario.RunAsync(rest, cancel.Token),
        ["all", .. var rest] => await AllScenario.RunAsync(rest, cancel.Token),
        [ServerlessBilling.LoadBench.All.ServeChild.Scenario, .. var rest] => await ServerlessBilling.LoadBench.All.ServeChild.RunAsync(rest, cancel.Token),
        [] or ["--help" or "-h" or "help"] => Help(0),
        _ => Help(2),
    };
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine("loadbench: " + ex.Message);
    return 2;
}

static int Help(int code)
{
    (code == 0 ? Console.Out : Console.Error).Write(Usage);
    return code;
}
