using System.Runtime.CompilerServices;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;

namespace ServerlessBilling.Testing;

/// <summary>
/// Accounts, ingestion and invoice runs over given stores, with a fake clock. The runs visit only the accounts
/// this harness opened, so that suites sharing one database (Cosmos) see only their own invoices and numbers.
/// </summary>
public sealed class InvoicingHarness
{
    public const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";

    private readonly List<string> _accounts = [];

    /// <summary>A harness on the in-memory stores, its clock at <paramref name="now"/>.</summary>
    public static InvoicingHarness InMemory(DateTimeOffset now) => new(InvoicingStores.InMemory(), now);

    public InvoicingHarness(InvoicingStores stores, DateTimeOffset now)
    {
        Stores = stores;
        Core = new CreditControlHarness(stores.Accounts, stores.Sessions, stores.Decks, usage: stores.Usage, quarantine: stores.Quarantine, now: now);
        Documents = new InMemoryDocumentSink();
    }

    public InvoicingStores Stores { get; }

    public CreditControlHarness Core { get; }

    public InMemoryDocumentSink Documents { get; }

    public IAccountDirectory Directory => new Listed(_accounts, Stores.Accounts);

    /// <summary>A new run service each time: separate services share nothing in process, as separate hosts would.</summary>
    public InvoiceRunService NewRunService(IDocumentSink? sink = null) =>
        new(Stores.Accounts, new AccountUpdater(Stores.Accounts, new AccountWriteOptions()), Directory, Stores.Invoices, Stores.Counters, sink ?? Documents, Core.Clock);

    public async Task<InvoiceRunSummary> RunAsync(string? period)
    {
        var outcome = await NewRunService().RunAsync(period, default);
        Assert.Null(outcome.Error);
        Assert.Equal(0, outcome.Answer!.Failed);
        return outcome.Answer;
    }

    public async Task<string> OpenAsync(string prefix, AccountSettings settings, decimal opening = 0m)
    {
        var id = $"{prefix}-{Guid.NewGuid():N}";
        await Core.OpenAsync(id, settings, opening);
        _accounts.Add(id);
        return id;
    }

    public async Task IngestAsync(string account, params (string Called, string Start, int Seconds)[] calls)
    {
        var csv = new System.Text.StringBuilder(Header).Append('\n');
        foreach (var (called, start, seconds) in calls)
        {
            csv.Append($"c-{Guid.NewGuid():N},{account},+441234567,{called},{start},{seconds},ANSWERED,\n");
        }

        var result = await Core.IngestCsvAsync(csv.ToString());
        Assert.Equal(calls.Length, result.Accepted);
    }

    public async Task<Invoice> InvoiceAsync(string account, string period) =>
        await Stores.Invoices.GetAsync(account, InvoiceIds.For(account, period), default)
            ?? throw new Xunit.Sdk.XunitException($"no invoice for {account} {period}");

    /// <summary>Only this harness's accounts: the stores may be shared with other tests.</summary>
    private sealed class Listed(IReadOnlyList<string> ids, IAccountStore accounts) : IAccountDirectory
    {
        public async Task<IReadOnlyList<AccountState>> ListPageAsync(string? after, int limit, CancellationToken cancellationToken)
        {
            var page = new List<AccountState>();
            foreach (var id in ids.ToList().Where(id => string.CompareOrdinal(id, after ?? "") > 0).Order(StringComparer.Ordinal).Take(limit))
            {
                page.Add((await accounts.GetAsync(id, cancellationToken))!.Value);
            }

            return page;
        }

        public async IAsyncEnumerable<string> ListAccountIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            foreach (var id in ids.ToList())
            {
                yield return id;
            }
        }
    }
}

/// <summary>The stores an invoice run touches.</summary>
public sealed record InvoicingStores(
    IAccountStore Accounts,
    ISessionIndex Sessions,
    IRateDeckStore Decks,
    Core.Storage.IUsageStore Usage,
    Core.Storage.IQuarantineStore Quarantine,
    IInvoiceStore Invoices,
    IInvoiceCounterStore Counters)
{
    /// <summary>Every store in memory, empty.</summary>
    public static InvoicingStores InMemory() => new(
        new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), new InMemoryUsageStore(), new InMemoryQuarantineStore(),
        new InMemoryInvoiceStore(), new InMemoryInvoiceCounterStore());
}
