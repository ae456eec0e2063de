using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Core;

namespace ServerlessBilling.Testing;

/// <summary>The credit-control services wired over a given store, with a fake clock.</summary>
public sealed class CreditControlHarness
{
    public CreditControlHarness(
        IAccountStore accounts,
        ISessionIndex sessions,
        IRateDeckStore decks,
        CreditControlOptions? options = null,
        IUsageStore? usage = null,
        IQuarantineStore? quarantine = null,
        ITopUpStore? topUps = null,
        DateTimeOffset? now = null,
        AccountWriteOptions? writes = null,
        FakeTimeProvider? clock = null,
        ILogger<CreditControlService>? logger = null)
    {
        Clock = clock ?? new FakeTimeProvider(now ?? Fixtures.Now);
        Accounts = accounts;
        Options = options ?? new CreditControlOptions();
        var deckCache = new RateDeckCache(decks, Clock);
        Updater = new AccountUpdater(accounts, writes ?? new AccountWriteOptions());
        CreditControl = new CreditControlService(accounts, Updater, sessions, deckCache, Clock, Options, logger);
        TopUps = topUps ?? new InMemoryTopUpStore();
        Admin = new AccountService(accounts, Updater, TopUps, deckCache, Options, Clock);
        Usage = usage ?? new InMemoryUsageStore();
        Quarantine = quarantine ?? new InMemoryQuarantineStore();
        Ingestion = new IngestionService(accounts, Updater, sessions, Usage, Quarantine, deckCache, Clock, Options);
    }

    /// <summary>The one conditional writer of account documents that every service here shares.</summary>
    public AccountUpdater Updater { get; }

    public ITopUpStore TopUps { get; }

    public IUsageStore Usage { get; }

    public IQuarantineStore Quarantine { get; }

    public IngestionService Ingestion { get; }

    public Task<IngestResult> IngestCsvAsync(string csv) => Ingestion.IngestAsync(CdrCsvReader.Read(csv).ToList(), "test", default);

    public FakeTimeProvider Clock { get; }

    public CreditControlOptions Options { get; }

    public IAccountStore Accounts { get; }

    /// <summary>A harness over fresh in-memory stores.</summary>
    public static CreditControlHarness InMemory() => new(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());

    public CreditControlService CreditControl { get; }

    public AccountService Admin { get; }

    public async Task<string> OpenAsync(string accountId, AccountSettings settings, decimal opening)
    {
        var import = await Admin.ImportDeckAsync(settings.RateDeckId, new StringReader(Fixtures.DeckCsv), default);
        Assert.True(import.Succeeded);
        var outcome = await Admin.UpsertAsync(accountId, settings, opening, default);
        Assert.Null(outcome.Error);
        return accountId;
    }

    public async Task<AccountState> StateAsync(string accountId) => (await Accounts.GetAsync(accountId, default))!.Value;

    public Task<Outcome<GrantAnswer>> AuthorizeAsync(string accountId, string sessionId, string called = "+442071234567", int? seconds = 60) =>
        CreditControl.AuthorizeAsync(new AuthorizeRequest(sessionId, accountId, "+441234", called, null, seconds), default);

    public Task<Outcome<GrantAnswer>> InterimAsync(string sessionId, int number, int used, int? seconds = 60) =>
        CreditControl.InterimAsync(new InterimRequest(sessionId, number, used, seconds), default);

    public Task<Outcome<TerminateAnswer>> TerminateAsync(string sessionId, int number, int used) =>
        CreditControl.TerminateAsync(new TerminateRequest(sessionId, number, used), default);
}
