using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;

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

    [Fact]
    public async Task An_operator_suspension_lifted_before_monitoring_saw_it_is_alerted_once_all_the_same()
    {
        // docs/api.md: ACCOUNT_SUSPENDED is raised when "the account was suspended, by an operator or by policy", once.
        // Monitoring follows the latest version of each account; a suspension resumed before it looked went unalerted.
        var account = $"blink-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(account, "prepaid", 10m)).Status);
        await Client.PostOkAsync($"/api/accounts/{account}/suspend", new { reason = "fraud suspected on the trunk" });
        await Client.PostOkAsync($"/api/accounts/{account}/resume", new { });

        var suspended = await AlertsUntilAsync(account, items => items.Count > 0);
        var alert = Assert.Single(suspended);
        Assert.Equal("ACCOUNT_SUSPENDED", alert.GetProperty("type").GetString());
        Assert.Contains("fraud suspected on the trunk", alert.GetProperty("message").GetString(), StringComparison.Ordinal);

        // Seen again (another change of the account), it is not raised a second time; a new suspension is a new alert.
        await Client.PostOkAsync($"/api/accounts/{account}/topups", new { topupId = $"t-{account}", amount = 1 });
        await Client.PostOkAsync($"/api/accounts/{account}/suspend", new { reason = "second look" });
        var both = await AlertsUntilAsync(account, items => items.Count > 1);
        await Task.Delay(500);
        Assert.Equal(2, (await AlertsAsync(account)).Count);
        Assert.Equal(["ACCOUNT_SUSPENDED", "ACCOUNT_SUSPENDED"], both.Select(a => a.GetProperty("type").GetString()));
    }

    private async Task<List<JsonElement>> AlertsAsync(string account) =>
        [.. (await Client.GetOkAsync($"/api/alerts?accountId={account}")).GetProperty("items").EnumerateArray()];

    /// <summary>Monitoring runs behind the writes: the account's alerts once <paramref name="done"/> holds, or after 10 s.</summary>
    private async Task<List<JsonElement>> AlertsUntilAsync(string account, Func<List<JsonElement>, bool> done)
    {
        var items = await AlertsAsync(account);
        for (var i = 0; i < 100 && !done(items); i++)
        {
            await Task.Delay(100);
            items = await AlertsAsync(account);
        }

        return items;
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

/// <summary>
/// Round ten of the hostile review: two uploads of one deck at once (an operator's retry racing the first try). The
/// deck that prices calls must be the deck the store holds, which an export shows.
/// </summary>
public sealed class HostileRoundTenDeckTests(SlowDeckPutHostFixture host) : IClassFixture<SlowDeckPutHostFixture>
{
    private const string Header = "prefix,destination,rate,min_seconds,increment_seconds\n";

    [Fact]
    public async Task Two_uploads_of_one_deck_at_once_leave_calls_priced_by_the_deck_the_store_holds()
    {
        var deck = $"race-{Guid.NewGuid():N}";
        var account = $"race-{Guid.NewGuid():N}";
        await PutDeckAsync(deck, Header + "33,France,0.5,60,60\n");
        using (var created = await host.Client.PutAsJsonAsync($"/api/accounts/{account}", new { name = "Race", mode = "postpaid", currency = "GBP", rateDeckId = deck }))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        // The first upload's write lands first but its call returns late (a slow store); the second lands after it.
        var first = PutDeckAsync(deck, Header + "33,Slow,1,60,60\n");
        await Task.Delay(150);
        await PutDeckAsync(deck, Header + "33,France,2,60,60\n");
        await first;

        using var export = await host.Client.GetAsync($"/api/ratedecks/{deck}");
        var stored = await export.Content.ReadAsStringAsync();
        var grant = await host.Client.PostOkAsync("/api/authorize", new { sessionId = $"race-{Guid.NewGuid():N}", accountId = account, calledNumber = "+33612345678", requestedSeconds = 60 });
        var rate = grant.GetProperty("ratePerMinute").GetDecimal();
        Assert.True(stored.Contains($",{rate},", StringComparison.Ordinal), $"calls are priced at {rate} a minute, but the stored deck is:\n{stored}");
    }

    private async Task PutDeckAsync(string deck, string csv)
    {
        using var response = await host.Client.PutAsync($"/api/ratedecks/{deck}", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

/// <summary>The keyless host over a deck store whose writes of a deck named "Slow" return late (after the write).</summary>
public sealed class SlowDeckPutHostFixture : LocalHostFixture
{
    protected override void Configure(WebApplicationBuilder builder) =>
        builder.Services.AddSingleton<IRateDeckStore>(new SlowPutDeckStore(new InMemoryRateDeckStore()));

    private sealed class SlowPutDeckStore(IRateDeckStore inner) : IRateDeckStore
    {
        public async Task PutAsync(RateDeck deck, CancellationToken cancellationToken)
        {
            await inner.PutAsync(deck, cancellationToken);
            if (deck.Rows.Any(r => r.Destination == "Slow"))
            {
                await Task.Delay(600, cancellationToken);
            }
        }

        public Task<RateDeck?> GetAsync(string deckId, CancellationToken cancellationToken) => inner.GetAsync(deckId, cancellationToken);

        public Task<IReadOnlyList<RateDeckSummary>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);
    }
}

/// <summary>
/// Round ten of the hostile review, on a clock the test moves: a call's CDR a day or days after its session lapsed (held;
/// pinned so that it stays so).
/// </summary>
public sealed class HostileRoundTenLateTests(FakeClockHostFixture host) : IClassFixture<FakeClockHostFixture>
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_cdr_after_its_session_lapsed_charges_the_call_once_counting_what_its_interims_charged(int daysLater)
    {
        // France Mobile on the demo deck: 0.24 a minute, connect fee 0.01, 30/6. 300 s cost 1.21; 400 s are billed 402 s: 1.618.
        var account = $"late-{Guid.NewGuid():N}"[..20];
        using (var put = await host.Client.PutAsJsonAsync($"/api/accounts/{account}", new { name = "Late", mode = "prepaid", currency = "GBP", rateDeckId = "demo", initialBalance = 100 }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var session = $"late-{Guid.NewGuid():N}";
        var start = host.Clock.GetUtcNow().AddSeconds(-1);
        var startText = start.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        await host.Client.PostOkAsync("/api/authorize", new { sessionId = session, accountId = account, calledNumber = "+33612345678", startTime = startText, requestedSeconds = 300 });
        await host.Client.PostOkAsync($"/api/sessions/{session}/interim", new { requestNumber = 1, usedSeconds = 300, requestedSeconds = 300 });
        Assert.Equal(100m - 1.21m, (await host.Client.GetOkAsync($"/api/accounts/{account}/balance")).GetProperty("balance").GetDecimal());

        // The switch dies; the reservation lapses (and, after the retention, the session leaves the document).
        await host.AdvanceAndSweepAsync(TimeSpan.FromDays(daysLater));
        await host.AdvanceAndSweepAsync(TimeSpan.FromMinutes(1));

        var cdr = $"cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\nlate-{session},{account},+442071234567,+33612345678,{startText},400,ANSWERED,{session}\n";
        using (var ingest = await host.Client.PostAsync("/api/cdrs", new StringContent(cdr, Encoding.UTF8, "text/csv")))
        {
            var answer = await ingest.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(answer.GetProperty("accepted").GetInt32() == 1, answer.ToString());
        }

        // The call costs what a 400 s call costs, once: the interim's 1.21 counts towards it.
        Assert.Equal(100m - 1.618m, (await host.Client.GetOkAsync($"/api/accounts/{account}/balance")).GetProperty("balance").GetDecimal());
    }
}
