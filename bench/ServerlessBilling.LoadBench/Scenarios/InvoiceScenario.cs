using System.Diagnostics;
using System.Globalization;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Cosmos;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// The invoice run over many post-paid accounts whose October totals are in their documents: one run for
/// "2026-10", timed, then checked (one invoice per account, numbers 1..N without a gap, every invoice equal to
/// the one its totals give, a second run issues nothing). Embedded store by default; --cosmos for the emulator.
/// </summary>
internal static class InvoiceScenario
{
    private const string Help = """
        invoice: the invoice run (InvoiceRunService.RunAsync("2026-10")) over N post-paid accounts, each with October
        usage on 6 destinations in its document. Target on the embedded store: 100,000 accounts in < 30 s.
          --accounts N      accounts (default 100000; at most 1,000,000; with --cosmos default 1000, at most 20,000)
          --documents D     none | html | pdf | all: renderings filed per invoice (to a sink that counts bytes); default none
          --parallelism P   accounts worked on at once (default 8)
          --cosmos          on the local Cosmos emulator (--endpoint, default $COSMOS_ENDPOINT; 127.0.0.1 only)
          --endpoint URL
        """;

    // The emulator's published well-known key (not a secret).
    private const string EmulatorKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private static readonly string[] Destinations = ["France", "Germany", "Spain", "United Kingdom", "United Kingdom Mobile", "United States"];
    private static readonly DateTimeOffset RunAt = new(2026, 11, 29, 3, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = Parse(args);
        if (options is null)
        {
            Console.Write(Help);
            return args.Contains("--help") ? 0 : 2;
        }

        var (count, documents, parallelism, endpoint) = options.Value;
        var clock = new FixedClock(RunAt);
        Database? database = null;
        CosmosClient? client = null;
        IAccountStore accounts;
        IAccountDirectory directory;
        IInvoiceStore invoices;
        IInvoiceCounterStore counters;
        if (endpoint is null)
        {
            var store = new InMemoryAccountStore();
            (accounts, directory, invoices, counters) = (store, store, new InMemoryInvoiceStore(), new InMemoryInvoiceCounterStore());
        }
        else
        {
            var cosmos = new CosmosOptions
            {
                Endpoint = endpoint, Key = Environment.GetEnvironmentVariable("COSMOS_KEY") is { Length: > 0 } key ? key : EmulatorKey, Database = $"invoicebench-{Guid.NewGuid():N}", AcceptLoopbackCertificate = true, CreateIfNotExists = true,
            };
            client = CosmosClientFactory.Create(cosmos);
            database = await CosmosBootstrap.EnsureAsync(client, cosmos, cancellationToken);
            var store = new CosmosAccountStore(database.GetContainer(cosmos.AccountsContainer));
            (accounts, directory) = (store, store);
            invoices = new CosmosInvoiceStore(database.GetContainer(cosmos.InvoicesContainer));
            counters = new CosmosInvoiceCounterStore(database.GetContainer(cosmos.CountersContainer));
        }

        try
        {
            Console.WriteLine($"invoice run: {count:N0} post-paid accounts on {(endpoint is null ? "the embedded store" : "the Cosmos emulator " + endpoint)}, documents {documents}, parallelism {parallelism}, {Environment.ProcessorCount} cores");
            var setup = Stopwatch.StartNew();
            var expected = new Dictionary<string, AccountState>(count, StringComparer.Ordinal);
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = endpoint is null ? 2 : 16, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                var account = Account(i);
                if (await accounts.TryCreateAsync(account, ct) is null)
                {
                    throw new InvalidOperationException($"could not create {account.AccountId}");
                }

                lock (expected)
                {
                    expected[account.AccountId] = account;
                }
            });
            Console.WriteLine($"  setup: {setup.Elapsed.TotalSeconds:F1} s");

            var sink = new CountingSink();
            var service = new InvoiceRunService(accounts, new AccountUpdater(accounts, new AccountWriteOptions()), directory, invoices, counters, sink, clock,
                new InvoiceRunOptions { Documents = documents, Parallelism = parallelism });
            GC.Collect();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var timer = Stopwatch.StartNew();
            var summary = (await service.RunAsync("2026-10", cancellationToken)).Answer!;
            var elapsed = timer.Elapsed;
            var perAccount = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)count;
            Console.WriteLine($"  run:    {elapsed.TotalSeconds:F2} s, {count / elapsed.TotalSeconds:N0} accounts/s, {elapsed.TotalMilliseconds * 1000 / count:F1} us/account, {perAccount / 1024:F1} KB allocated/account; "
                + $"{summary.Invoices:N0} invoices, {summary.Failed} failed, documents {sink.Count:N0} ({sink.Bytes / 1024.0 / 1024.0:F1} MB)");

            timer.Restart();
            var again = (await service.RunAsync("2026-10", cancellationToken)).Answer!;
            Console.WriteLine($"  again:  {timer.Elapsed.TotalSeconds:F2} s, {again.Invoices} invoices issued (expected 0)");

            var problems = await CheckAsync(expected, invoices, counters, summary, again, cancellationToken);
            Console.WriteLine(problems.Count == 0
                ? $"  checks: OK (one invoice per account, numbers 1..{count:N0} without a gap, each equal to its totals' invoice, second run idle)"
                : "  checks: FAILED\n    " + string.Join("\n    ", problems.Take(10)));
            return problems.Count == 0 ? 0 : 1;
        }
        finally
        {
            if (database is not null)
            {
                await database.DeleteAsync(cancellationToken: CancellationToken.None);
            }

            client?.Dispose();
        }
    }

    private static AccountState Account(int i)
    {
        var settings = new AccountSettings(
            $"Customer {i}", AccountMode.Postpaid, new Currency("GBP"), 10_000m, false, "deck", 1 + (i % 28), "Europe/London",
            new TaxSettings(i % 10 == 0 ? TaxTreatment.ReverseCharge : TaxTreatment.Standard, 0.20m));
        var account = AccountState.Open($"acct-{i:000000}", settings, 0m, new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero));
        var zone = BillingPeriod.FindTimeZone(settings.TimeZone);
        var october = BillingPeriod.ForMonth(2026, 10, settings.BillingDay, zone);
        var random = new Random(i);
        for (var call = 0; call < 12; call++)
        {
            var start = october.Start.AddMinutes(random.Next(0, 28 * 24 * 60));
            var billed = 60 + random.Next(0, 600);
            var amount = decimal.Round(billed * 0.0123m / 60m, 4, MidpointRounding.AwayFromZero);
            account = account.Commit(new ChargeLine(amount, billed, 1, Destinations[random.Next(Destinations.Length)], start), start.AddMinutes(10));
        }

        return account;
    }

    private static async Task<List<string>> CheckAsync(
        Dictionary<string, AccountState> expected, IInvoiceStore invoices, IInvoiceCounterStore counters, InvoiceRunSummary first, InvoiceRunSummary again, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        if (first.Invoices != expected.Count || first.Failed != 0 || again.Invoices != 0)
        {
            problems.Add($"the first run issued {first.Invoices} ({first.Failed} failed), the second {again.Invoices}; expected {expected.Count} then 0");
        }

        var numbers = new HashSet<long>();
        foreach (var (id, account) in expected)
        {
            var invoice = await invoices.GetAsync(id, InvoiceIds.For(id, "2026-10"), cancellationToken);
            if (invoice is null)
            {
                problems.Add($"{id}: no invoice");
                continue;
            }

            var rebuilt = InvoiceBuilder.Build(account.CloseThrough("2026-10"), account.Totals["2026-10"], new NumberReservation(invoice.InvoiceId, invoice.InvoiceNumber, 0, invoice.IssuedAt));
            if (rebuilt.Total != invoice.Total || !rebuilt.Lines.SequenceEqual(invoice.Lines) || rebuilt.Subtotal != account.Totals["2026-10"].ByDestination.Values.Sum(d => decimal.Round(d.Amount, 2, MidpointRounding.AwayFromZero)))
            {
                problems.Add($"{id}: the invoice differs from its totals");
            }

            numbers.Add(long.Parse(invoice.InvoiceNumber[9..], CultureInfo.InvariantCulture));
        }

        var counter = (await counters.GetAsync(InvoiceCounter.IdFor(InvoiceIds.InvoiceSeries, 2026), cancellationToken))?.Value;
        if (numbers.Count != expected.Count || numbers.Min() != 1 || numbers.Max() != expected.Count || counter is null || counter.Next != expected.Count + 1 || counter.Pending.Count != 0)
        {
            problems.Add($"numbers: {numbers.Count} distinct from {numbers.DefaultIfEmpty().Min()} to {numbers.DefaultIfEmpty().Max()}; counter next {counter?.Next}, pending {counter?.Pending.Count}");
        }

        return problems;
    }

    private static (int Count, DocumentFormats Documents, int Parallelism, string? Endpoint)? Parse(string[] args)
    {
        int? count = null;
        var documents = DocumentFormats.None;
        var parallelism = 8;
        string? endpoint = null;
        var cosmos = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--accounts": count = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--documents": documents = Enum.Parse<DocumentFormats>(Next(), ignoreCase: true); break;
                case "--parallelism": parallelism = Math.Clamp(int.Parse(Next(), CultureInfo.InvariantCulture), 1, 64); break;
                case "--cosmos": cosmos = true; break;
                case "--endpoint": endpoint = Next(); break;
                default: return null;
            }
        }

        if (cosmos)
        {
            endpoint ??= Environment.GetEnvironmentVariable("COSMOS_ENDPOINT");
            if (endpoint is null || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Host != "127.0.0.1")
            {
                throw new ArgumentException("--cosmos needs a 127.0.0.1 --endpoint (or COSMOS_ENDPOINT): start infra/cosmos/start.sh");
            }
        }
        else
        {
            endpoint = null;
        }

        var max = cosmos ? 20_000 : 1_000_000;
        return (Math.Clamp(count ?? (cosmos ? 1000 : 100_000), 1, max), documents, parallelism, endpoint);
    }

    /// <summary>The run happens at one instant: 29 November, when the October periods of billing days 1 to 28 have all closed.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Counts what the run files, and keeps nothing.</summary>
    private sealed class CountingSink : IDocumentSink
    {
        private long _count;
        private long _bytes;

        public long Count => Interlocked.Read(ref _count);

        public long Bytes => Interlocked.Read(ref _bytes);

        public Task PutAsync(string name, string contentType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _bytes, content.Length);
            return Task.CompletedTask;
        }
    }
}
