using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// Round ten of the hostile review, on a host with keys: what a caller without the admin role can reach.
/// </summary>
public sealed class HostileRoundTenKeyedTests(KeyedHostFixture host) : IClassFixture<KeyedHostFixture>
{
    [Fact]
    public async Task Metrics_need_an_admin_key_on_a_host_with_keys_as_the_contract_says()
    {
        // docs/api.md: "no key needed except for /metrics"; operations.md: "when keys are configured, scrape it with an
        // admin key". The scrape tells traffic, answers and the money charged per currency: no anonymous caller or switch.
        using (var anonymous = await host.Client.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("billing_", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var unknown = await SendAsync("/metrics", "not-a-key-of-this-host-0000"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        }

        using (var asSwitch = await SendAsync("/metrics", KeyedHostFixture.SwitchKey))
        {
            Assert.Equal(HttpStatusCode.Forbidden, asSwitch.StatusCode);
            Assert.Equal("application/problem+json", asSwitch.Content.Headers.ContentType?.MediaType);
        }

        using (var asAdmin = await SendAsync("/metrics", KeyedHostFixture.AdminKey))
        {
            Assert.Equal(HttpStatusCode.OK, asAdmin.StatusCode);
            Assert.Contains("# TYPE", await asAdmin.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // What the contract leaves open stays open.
        foreach (var open in new[] { "/healthz", "/readyz", "/openapi/v1.json" })
        {
            using var response = await host.Client.GetAsync(open);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private Task<HttpResponseMessage> SendAsync(string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("x-functions-key", key);
        return host.Client.SendAsync(request);
    }
}

/// <summary>Round ten of the hostile review, on the keyless host: answers that differ from the documented ones.</summary>
public sealed class HostileRoundTenTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private HttpClient Client => host.Client;

    [Fact]
    public async Task A_post_paid_account_may_open_owing_as_the_contract_says_and_a_pre_paid_one_may_not()
    {
        // docs/api.md, PUT /api/accounts: "initialBalance: opening balance ... (pre-paid: not negative)". A post-paid
        // customer moved from another platform opens with what it owes; the amount bounds still hold.
        var owing = $"owing-{Guid.NewGuid():N}";
        var opened = await PutAsync(owing, "postpaid", -1250.5m);
        Assert.Equal(HttpStatusCode.OK, opened.Status);
        Assert.Equal(-1250.5m, opened.Body.GetProperty("balance").GetDecimal());
        Assert.Equal(-1250.5m, (await Client.GetOkAsync($"/api/accounts/{owing}/balance")).GetProperty("balance").GetDecimal());

        // The ledger still adds up from there: a call charged by its CDR comes off that balance.
        var cdr = $"cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition\nowe-{owing},{owing},+442071234567,+33612345678,{DateTimeOffset.UtcNow.AddMinutes(-5):yyyy-MM-ddTHH:mm:ssZ},42,ANSWERED\n";
        using (var ingest = await Client.PostAsync("/api/cdrs", new StringContent(cdr, System.Text.Encoding.UTF8, "text/csv")))
        {
            Assert.Equal(1, (await ingest.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        }

        Assert.Equal(-1250.5m - 0.178m, (await Client.GetOkAsync($"/api/accounts/{owing}/balance")).GetProperty("balance").GetDecimal());

        // Pre-paid: not negative. Post-paid: beyond the bounds of an amount, or with more than 4 decimals, still 400.
        var prepaid = $"owing-pre-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.BadRequest, (await PutAsync(prepaid, "prepaid", -1m)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PutAsync($"owing-big-{Guid.NewGuid():N}", "postpaid", -1_000_000_000.0001m)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PutAsync($"owing-fine-{Guid.NewGuid():N}", "postpaid", -0.00001m)).Status);
        using var missing = await Client.GetAsync($"/api/accounts/{prepaid}/balance");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PutAsync(string account, string mode, decimal initialBalance)
    {
        using var response = await Client.PutAsJsonAsync($"/api/accounts/{account}", new
        {
            name = "Owing", mode, currency = "GBP", rateDeckId = "demo", initialBalance,
        });
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
