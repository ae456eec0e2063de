using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// A write the store refuses for good (Cosmos DB's 413: a document over 2 MB) is answered 507 naming the store and why,
/// not a 500 that says nothing, and not a 503 that asks for a retry that would be refused again. Never a grant.
/// </summary>
public sealed class RefusedWriteHttpTests : IAsyncLifetime
{
    private readonly RefusingAccountStore _store = new(new InMemoryAccountStore());
    private WebApplication? _app;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = LocalHost.Build(
            ["--urls", "http://127.0.0.1:0", "--Store=memory", "--Logging:LogLevel:Default=Critical"],
            builder => builder.Services.AddSingleton<IAccountStore>(_store));
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_write_the_store_refuses_is_507_naming_the_store_and_grants_nothing()
    {
        _store.Refusing = true;

        using var topUp = await _client.PostAsJsonAsync("/api/accounts/smb/topups", new { topupId = "t-refused", amount = 5m });
        using var authorize = await _client.PostAsJsonAsync("/api/authorize", new { sessionId = "refused-1", accountId = "smb", calledNumber = "+33612345678" });

        foreach (var response in new[] { topUp, authorize })
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.InsufficientStorage, $"{(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(
                "the account store refused the write: replace account: the document is larger than Cosmos DB holds (2 MB) (413 RequestEntityTooLarge); the same request will be refused again",
                body.GetProperty("detail").GetString());
        }
    }

    /// <summary>Writes fail as the Cosmos adapter fails a document over 2 MB, while <see cref="Refusing"/>.</summary>
    private sealed class RefusingAccountStore(IAccountStore inner) : IAccountStore
    {
        public volatile bool Refusing;

        public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) => inner.GetAsync(accountId, cancellationToken);

        public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken) =>
            Refusing ? throw Refused() : inner.TryCreateAsync(account, cancellationToken);

        public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken) =>
            Refusing ? throw Refused() : inner.TryReplaceAsync(account, ifMatch, cancellationToken);

        public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) => inner.FindExpiringAsync(instant, cancellationToken);

        private static StoreRefusedException Refused() =>
            new("replace account: the document is larger than Cosmos DB holds (2 MB) (413 RequestEntityTooLarge)") { Store = "account store" };
    }
}
