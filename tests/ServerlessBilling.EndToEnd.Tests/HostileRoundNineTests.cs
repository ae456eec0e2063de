using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// Round nine of the hostile review: replays long after the fact (on a clock the test moves), and the money holes earlier
/// rounds left open. Each refused request moves no money and reserves nothing.
/// </summary>
public sealed class HostileRoundNineTests(FakeClockHostFixture host) : IClassFixture<FakeClockHostFixture>
{
    private const string CdrHeader = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\n";
    private const string FranceMobile = "+33612345678"; // demo deck: 0.24/min, connect fee 0.01, 30/6
    private HttpClient Client => host.Client;

    [Fact]
    public async Task An_authorize_replayed_after_its_session_lapsed_gets_its_first_answer_and_reserves_nothing()
    {
        var account = await NewAccountAsync("prepaid", 1m);
        var session = $"lapse-{Guid.NewGuid():N}";
        var authorize = new { sessionId = session, accountId = account, calledNumber = FranceMobile, requestedSeconds = 60 };
        var grant = await Client.PostOkAsync("/api/authorize", authorize);
        Assert.Equal("SUCCESS", grant.GetProperty("resultCode").GetString());
        Assert.Equal(0.25m, grant.GetProperty("reservedAmount").GetDecimal());

        // The switch never reports; the reservation lapses and is released, then the session leaves the document. A
        // repeat is the same request: the first answer, as the contract says, and no credit held for it again.
        await host.AdvanceAndSweepAsync(TimeSpan.FromHours(1));
        Assert.Equal((1m, 0m), await BalanceAndReservedAsync(account));
        Assert.Equal(grant.GetRawText(), (await Client.PostOkAsync("/api/authorize", authorize)).GetRawText());
        Assert.Equal((1m, 0m), await BalanceAndReservedAsync(account));

        await host.AdvanceAndSweepAsync(TimeSpan.FromDays(3));
        Assert.Equal(grant.GetRawText(), (await Client.PostOkAsync("/api/authorize", authorize)).GetRawText());
        Assert.Equal((1m, 0m), await BalanceAndReservedAsync(account));

        // Another call may have all the credit: nothing is held for the lapsed one any more.
        var other = await Client.PostOkAsync("/api/authorize", new { sessionId = $"after-{session}", accountId = account, calledNumber = FranceMobile, requestedSeconds = 600 });
        Assert.Equal(1m, other.GetProperty("reservedAmount").GetDecimal() + other.GetProperty("availableAfter").GetDecimal());
    }

    [Fact]
    public async Task An_authorize_replayed_while_its_session_holds_its_reservation_or_after_its_terminate_is_answered_as_before()
    {
        var account = await NewAccountAsync("prepaid", 10m);
        var session = $"held-{Guid.NewGuid():N}";
        var authorize = new { sessionId = session, accountId = account, calledNumber = FranceMobile, requestedSeconds = 60 };
        var first = (await Client.PostOkAsync("/api/authorize", authorize)).GetRawText();

        await host.AdvanceAndSweepAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(first, (await Client.PostOkAsync("/api/authorize", authorize)).GetRawText());
        await Client.PostOkAsync($"/api/sessions/{session}/terminate", new { requestNumber = 1, usedSeconds = 42 });
        await host.AdvanceAndSweepAsync(TimeSpan.FromDays(3));
        Assert.Equal(first, (await Client.PostOkAsync("/api/authorize", authorize)).GetRawText());
        Assert.Equal((10m - 0.178m, 0m), await BalanceAndReservedAsync(account));
    }

    [Fact]
    public async Task A_call_used_within_its_grant_is_charged_its_reservation_even_after_a_late_cdr_took_the_rest_of_the_balance()
    {
        var account = await NewAccountAsync("prepaid", 1m);
        var lapsed = $"overran-{Guid.NewGuid():N}";
        var start = host.Clock.GetUtcNow();
        await Client.PostOkAsync("/api/authorize", new { sessionId = lapsed, accountId = account, calledNumber = FranceMobile, requestedSeconds = 30 });
        await host.AdvanceAndSweepAsync(TimeSpan.FromHours(1)); // the switch never reported: the reservation lapsed

        var held = $"held-{Guid.NewGuid():N}";
        var grant = await Client.PostOkAsync("/api/authorize", new { sessionId = held, accountId = account, calledNumber = FranceMobile, requestedSeconds = 600 });
        var granted = grant.GetProperty("grantedSeconds").GetInt32();
        var reserved = grant.GetProperty("reservedAmount").GetDecimal();
        Assert.Equal((246, 0.994m), (granted, reserved));

        // The lapsed call's CDR: the switch carried it 246 s on a 30 s grant. A CDR is a fact, charged in full.
        var csv = CdrHeader + $"cdr-{lapsed},{account},,{FranceMobile},{start.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)},246,ANSWERED,{lapsed}\n";
        using (var cdr = await Client.PostAsync("/api/cdrs", new StringContent(csv, Encoding.UTF8, "text/csv")))
        {
            Assert.Equal(1, (await cdr.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        }

        Assert.Equal((0.006m, 0.994m), await BalanceAndReservedAsync(account));

        // The held call used exactly its grant: what was reserved for it is charged, not nothing.
        var end = await Client.PostOkAsync($"/api/sessions/{held}/terminate", new { requestNumber = 1, usedSeconds = granted });
        Assert.Equal((246, 0.994m, 0), (end.GetProperty("billedSeconds").GetInt32(), end.GetProperty("charge").GetDecimal(), end.GetProperty("overrunSeconds").GetInt32()));
        Assert.Equal((0.006m - 0.994m, 0m), await BalanceAndReservedAsync(account));
    }

    [Fact]
    public async Task A_rate_deck_that_reloads_slowly_holds_up_no_authorize_and_is_read_once_for_all_of_them()
    {
        // A deck of 200,000 rows takes seconds to read under load: every authorize on it waiting for the read (each
        // reading it again) ran past the store deadline, and switches got 503s each time the cached deck aged.
        using (var put = await Client.PutAsync("/api/ratedecks/r9-slow", new StringContent("prefix,destination,rate,min_seconds,increment_seconds\n33,France,0.0150,60,60\n", Encoding.UTF8, "text/csv")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var account = await NewAccountAsync("prepaid", 10m, "r9-slow");
        await Client.PostOkAsync("/api/authorize", new { sessionId = $"warm-{account}", accountId = account, calledNumber = FranceMobile, requestedSeconds = 60 });
        host.Decks.Hold();
        try
        {
            var readsBefore = host.Decks.Reads;
            host.Clock.Advance(TimeSpan.FromMinutes(5)); // far past the cached deck's lifetime
            var calls = Task.WhenAll(Enumerable.Range(0, 6).Select(i => Client.PostAsJsonAsync(
                "/api/authorize", new { sessionId = $"slow-{i}-{account}", accountId = account, calledNumber = FranceMobile, requestedSeconds = 60 })));
            Assert.True(await Task.WhenAny(calls, Task.Delay(TimeSpan.FromSeconds(20))) == calls, "the authorizes waited for the deck read");
            foreach (var response in await calls)
            {
                using (response)
                {
                    Assert.Equal("SUCCESS", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("resultCode").GetString());
                }
            }

            Assert.InRange(host.Decks.Reads - readsBefore, 0, 1);
        }
        finally
        {
            host.Decks.Open();
        }

        // Another process replaces the deck in the store: once the held deck ages again, the calls after the read get it.
        await host.Decks.PutAsync(RateDeckParser.Parse("r9-slow", "prefix,destination,rate,min_seconds,increment_seconds\n33,France,0.0300,60,60\n").Deck!, CancellationToken.None);
        host.Clock.Advance(TimeSpan.FromMinutes(5));
        var rate = 0m;
        for (var i = 0; i < 100 && rate != 0.03m; i++)
        {
            rate = (await Client.PostOkAsync("/api/authorize", new { sessionId = $"fresh-{i}-{account}", accountId = account, calledNumber = FranceMobile, requestedSeconds = 60 }))
                .GetProperty("ratePerMinute").GetDecimal();
            await Task.Delay(50);
        }

        Assert.Equal(0.03m, rate);
    }

    [Theory]
    [InlineData("from=2026-11-01")]
    [InlineData("from=2026-11-01T00:00:00")]
    [InlineData("to=12/01/2026")]
    [InlineData("from=2026-11-01T00:00:00Z&to=2026-12-01")]
    public async Task A_usage_query_time_without_an_offset_is_refused(string query)
    {
        var account = await NewAccountAsync("postpaid", 0m);

        await ExpectStatusAsync(HttpStatusCode.BadRequest, await Client.GetAsync($"/api/accounts/{account}/usage?{query}"), "offset");
        await Client.GetOkAsync($"/api/accounts/{account}/usage?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00%2B01:00");
    }

    [Fact]
    public async Task Late_cdrs_racing_the_invoice_run_are_each_billed_once_on_that_invoice_or_as_late_usage_on_the_next()
    {
        var accounts = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            accounts.Add(await NewAccountAsync("postpaid", 0m));
        }

        var period = host.Clock.GetUtcNow().AddMonths(-1);
        var label = period.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var start = new DateTimeOffset(period.Year, period.Month, 15, 10, 0, 0, TimeSpan.Zero).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        string Batch(string tag) => CdrHeader + string.Concat(accounts.Select(a => $"{tag}-{a},{a},,{FranceMobile},{start},42,ANSWERED,\n"));
        using (await Client.PostAsync("/api/cdrs", new StringContent(Batch("on-time"), Encoding.UTF8, "text/csv")))
        {
        }

        // The run closes last month while that month's late CDRs come in, one account after another.
        var late = Task.WhenAll(accounts.Select(a => Client.PostAsync("/api/cdrs", new StringContent(
            CdrHeader + $"late-{a},{a},,{FranceMobile},{start},42,ANSWERED,\n", Encoding.UTF8, "text/csv"))));
        var runs = Task.WhenAll(Client.PostAsJsonAsync("/api/invoices/run", new { period = label }), Client.PostAsJsonAsync("/api/invoices/run", new { period = label }));
        foreach (var response in (await late).Concat(await runs))
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        // Next month's invoice carries what came too late for last month's.
        host.Clock.Advance(TimeSpan.FromDays(32));
        await Client.PostOkAsync("/api/invoices/run", new { });
        foreach (var account in accounts)
        {
            var first = await Client.GetOkAsync($"/api/invoices/{account}.{label}");
            using var nextResponse = await Client.GetAsync($"/api/invoices/{account}.{host.Clock.GetUtcNow().AddMonths(-1).ToString("yyyy-MM", CultureInfo.InvariantCulture)}");
            Assert.True(nextResponse.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{account}: {nextResponse.StatusCode}");
            var next = nextResponse.IsSuccessStatusCode ? await nextResponse.Content.ReadFromJsonAsync<JsonElement>() : (JsonElement?)null;
            var lateCalls = next?.GetProperty("lateUsage").EnumerateArray().SelectMany(s => s.GetProperty("lines").EnumerateArray()).Sum(l => l.GetProperty("calls").GetInt32()) ?? 0;
            var calls = first.GetProperty("lines").EnumerateArray().Sum(l => l.GetProperty("calls").GetInt32()) + lateCalls;
            Assert.True(calls == 2, $"{account}: {first} {next}");
            Assert.Equal(2 * 0.178m, first.GetProperty("subtotal").GetDecimal() + (next?.GetProperty("subtotal").GetDecimal() ?? 0m), 2);
        }
    }

    private async Task<string> NewAccountAsync(string mode, decimal opening, string rateDeckId = "demo")
    {
        var account = $"r9-{Guid.NewGuid():N}"[..16];
        using var put = await Client.PutAsJsonAsync($"/api/accounts/{account}", new { name = "Round nine", mode, currency = "GBP", rateDeckId, initialBalance = opening });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return account;
    }

    private async Task<(decimal Balance, decimal Reserved)> BalanceAndReservedAsync(string account)
    {
        var balance = await Client.GetOkAsync($"/api/accounts/{account}/balance");
        return (balance.GetProperty("balance").GetDecimal(), balance.GetProperty("reserved").GetDecimal());
    }

    private static Task ExpectStatusAsync(HttpStatusCode expected, HttpResponseMessage response, string detailNames) =>
        response.ExpectProblemAsync(expected, detailNames);
}
