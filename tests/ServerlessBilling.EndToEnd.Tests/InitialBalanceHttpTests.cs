using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// The answer to a pre-paid account opened owing, pinned: the rule moved from the endpoint into the account service (its
/// one place), and the API still says what it said.
/// </summary>
public sealed class InitialBalanceHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task A_pre_paid_account_opened_owing_is_400_initial_balance_must_not_be_negative()
    {
        var account = $"owes-{Guid.NewGuid():N}";
        using var response = await host.Client.PutAsJsonAsync($"/api/accounts/{account}", new
        {
            name = "Owing", mode = "prepaid", currency = "GBP", rateDeckId = "demo", initialBalance = -1m,
        });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("initialBalance must not be negative", body.GetProperty("detail").GetString());
        using var missing = await host.Client.GetAsync($"/api/accounts/{account}/balance");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
