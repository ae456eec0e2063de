using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Local.Hosting;
using ServerlessBilling.Testing;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>The switch's view of a frozen store: 503 with Retry-After within the deadline, never a grant.</summary>
public sealed class FrozenStoreHttpTests : IAsyncLifetime
{
    private readonly StallingAccountStore _store = new(new InMemoryAccountStore());
    private WebApplication? _app;
    private HttpClient _client = null!;
    private HttpClient _thawed = null!; // for the calls after the thaw (ThawedStoreClient)

    public async Task InitializeAsync()
    {
        _app = LocalHost.Build(
            ["--urls", "http://127.0.0.1:0", "--Store=memory", "--Logging:LogLevel:Default=Warning", "--CreditControl:StoreDeadline=00:00:00.300"],
            builder => builder.Services.AddSingleton<IAccountStore>(_store));
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = new HttpClient { BaseAddress = new Uri(address) };
        _thawed = ThawedStoreClient.For(_client);
    }

    public async Task DisposeAsync()
    {
        _store.Thaw();
        _client.Dispose();
        _thawed.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Authorize_against_a_frozen_store_is_503_with_retry_after_within_the_deadline()
    {
        var before = await BalanceAsync();
        _store.Freeze();
        var started = System.Diagnostics.Stopwatch.StartNew();

        using var response = await _client.PostAsJsonAsync("/api/authorize", new { sessionId = "frozen-1", accountId = "smb", calledNumber = "+33612345678" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"answered after {started.Elapsed}");
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        // Once the store is back, the frozen write may land late: it holds a reservation (released at expiry, or
        // used by the switch's retry), and no money has moved.
        _store.Thaw();
        await Task.Delay(200);
        Assert.Equal(before, await BalanceAsync());
        using var retry = await _thawed.PostAsJsonAsync("/api/authorize", new { sessionId = "frozen-1", accountId = "smb", calledNumber = "+33612345678" });
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
    }

    private async Task<decimal> BalanceAsync() =>
        (await _thawed.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/accounts/smb/balance")).GetProperty("balance").GetDecimal();
}
