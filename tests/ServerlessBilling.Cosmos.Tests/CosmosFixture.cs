using ServerlessBilling.Core.Accounts;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos.Tests;

/// <summary>
/// One database per test run on the Cosmos DB named by COSMOS_ENDPOINT (./test.sh starts the local emulator
/// and sets it). COSMOS_KEY defaults to the emulator's well-known key. Without COSMOS_ENDPOINT the tests are
/// skipped with a reason (see <see cref="CosmosTestFramework"/>) and the fixture connects to nothing.
/// </summary>
public sealed class CosmosFixture : IAsyncLifetime
{
    public const string EmulatorKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private CosmosClient? _client;
    private Database? _database;

    public CosmosOptions Options { get; } = new()
    {
        Endpoint = CosmosEnvironment.Endpoint,
        Key = Environment.GetEnvironmentVariable("COSMOS_KEY") is { Length: > 0 } key ? key : EmulatorKey,
        Database = $"billing-tests-{Guid.NewGuid():N}",
        AcceptLoopbackCertificate = true,
        CreateIfNotExists = true,
    };

    public Database Database => _database ?? throw new InvalidOperationException("the fixture is not initialized");

    public IAccountStore Accounts { get; private set; } = null!;

    public ISessionIndex Sessions { get; private set; } = null!;

    public IRateDeckStore Decks { get; private set; } = null!;

    public IUsageStore Usage { get; private set; } = null!;

    public ITopUpStore TopUps { get; private set; } = null!;

    public IQuarantineStore Quarantine { get; private set; } = null!;

    public IInvoiceStore Invoices { get; private set; } = null!;

    public IInvoiceCounterStore Counters { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (string.IsNullOrWhiteSpace(Options.Endpoint))
        {
            return; // every test of this assembly is then discovered as skipped (CosmosTestFramework)
        }

        _client = CosmosClientFactory.Create(Options);
        _database = await CosmosBootstrap.EnsureAsync(_client, Options, default);
        Accounts = new CosmosAccountStore(_database.GetContainer(Options.AccountsContainer));
        Sessions = new CosmosSessionIndex(_database.GetContainer(Options.SessionsContainer), TimeProvider.System, Options.SessionTimeToLiveSeconds);
        Decks = new CosmosRateDeckStore(_database.GetContainer(Options.RateDecksContainer));
        Usage = new CosmosUsageStore(_database.GetContainer(Options.UsageContainer));
        TopUps = new CosmosTopUpStore(_database.GetContainer(Options.TopUpsContainer));
        Quarantine = new CosmosQuarantineStore(_database.GetContainer(Options.QuarantineContainer));
        Invoices = new CosmosInvoiceStore(_database.GetContainer(Options.InvoicesContainer));
        Counters = new CosmosInvoiceCounterStore(_database.GetContainer(Options.CountersContainer));
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DeleteAsync();
        }

        _client?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class CosmosCollection : ICollectionFixture<CosmosFixture>
{
    public const string Name = "cosmos";
}
