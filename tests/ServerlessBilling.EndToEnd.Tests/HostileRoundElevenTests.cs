using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessBilling.Api.Access;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>Round eleven of the hostile review, on the host's start-up: what a keyless host agrees to listen on.</summary>
public sealed class HostileRoundElevenStartupTests
{
    public static TheoryData<string> NotLoopback => new()
    {
        // Kestrel reads text after the last colon that is not a port as part of the host name, and binds a name on every
        // interface: "http://127.0.0.1:abc" listens on [::]:80.
        "http://127.0.0.1:abc",
        "http://127.0.0.1:7071x",
        "http://localhost:port",
        "http://[::1]:abc",
    };

    [Theory]
    [MemberData(nameof(NotLoopback))]
    public void Without_keys_an_address_whose_port_is_not_a_number_is_refused_because_kestrel_would_listen_everywhere(string url)
    {
        // docs/api.md: with no keys configured the local host "refuses to start on a non-loopback address (exit code 3)".
        Assert.False(Loopback.IsLoopbackUrl(url));

        using var app = LocalHost.Build(["--urls", url, "--Store=memory", "--Local:SeedDemo=false"]);
        var refused = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains($"'{url}' is not a loopback address", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://[::1]")]
    [InlineData("http://[::1]:7071/")]
    [InlineData("http://localhost")]
    [InlineData("http://127.0.0.1:7071/")]
    public void Loopback_addresses_with_or_without_a_port_stay_loopback(string url) => Assert.True(Loopback.IsLoopbackUrl(url));
}

/// <summary>Round eleven of the hostile review, on the keyless host: answers that differ from the documented ones.</summary>
public sealed class HostileRoundElevenTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private HttpClient Client => host.Client;

    [Fact]
    public async Task A_denied_authorize_on_a_pre_paid_account_tells_its_available_credit_whatever_the_reason()
    {
        // docs/api.md: availableAfter is "available credit after this reservation (null for a post-paid account with no
        // limit)". A denial reserves nothing, so it is the credit available now: CREDIT_LIMIT_REACHED said so, an unrated
        // destination and a suspended account said null, as if the pre-paid account had no limit.
        var account = $"avail-{Guid.NewGuid():N}";
        await Client.PutAsJsonAsync($"/api/accounts/{account}", new { name = "Avail", mode = "prepaid", currency = "GBP", rateDeckId = "demo", initialBalance = 12.5m });

        var unrated = await AuthorizeAsync(account, "+999123");
        Assert.Equal(("DESTINATION_NOT_RATED", 12.5m), (unrated.GetProperty("resultCode").GetString(), unrated.GetProperty("availableAfter").GetDecimal()));

        await Client.PostOkAsync($"/api/accounts/{account}/suspend", new { reason = "check" });
        var suspended = await AuthorizeAsync(account, "+33612345678");
        Assert.Equal(("ACCOUNT_SUSPENDED", 12.5m), (suspended.GetProperty("resultCode").GetString(), suspended.GetProperty("availableAfter").GetDecimal()));

        // A post-paid account with no limit still says null; an unknown account has no credit to tell.
        var open = $"avail-post-{Guid.NewGuid():N}";
        await Client.PutAsJsonAsync($"/api/accounts/{open}", new { name = "Open", mode = "postpaid", currency = "GBP", rateDeckId = "demo" });
        Assert.Equal(JsonValueKind.Null, (await AuthorizeAsync(open, "+999123")).GetProperty("availableAfter").ValueKind);
        Assert.Equal(JsonValueKind.Null, (await AuthorizeAsync($"nobody-{Guid.NewGuid():N}", "+33612345678")).GetProperty("availableAfter").ValueKind);
    }

    private Task<JsonElement> AuthorizeAsync(string account, string called) =>
        Client.PostOkAsync("/api/authorize", new { sessionId = $"s-{Guid.NewGuid():N}", accountId = account, calledNumber = called, requestedSeconds = 60 });
}
