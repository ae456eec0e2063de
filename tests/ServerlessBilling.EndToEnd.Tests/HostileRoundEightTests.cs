using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// Round eight of the hostile review: ambiguous input that an earlier round let through with one of its readings
/// silently chosen (a field named twice, a top-up in a currency the account does not hold), and times that put money
/// out of reach of the invoice run (a call that starts decades from now). Each is refused or quarantined, and no
/// money moves.
/// </summary>
public sealed class HostileRoundEightTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string CdrHeader = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\n";
    private HttpClient Client => host.Client;

    [Fact]
    public async Task A_top_up_in_a_currency_other_than_the_accounts_is_refused_and_adds_nothing()
    {
        var account = await NewAccountAsync("prepaid", 10m);

        await ExpectStatusAsync(HttpStatusCode.Conflict, await Client.PostAsJsonAsync($"/api/accounts/{account}/topups", new { topupId = "t-eur", amount = 50, currency = "EUR" }), "EUR");
        Assert.Equal(10m, await BalanceAsync(account));
        await ExpectStatusAsync(HttpStatusCode.BadRequest, await Client.PostAsJsonAsync($"/api/accounts/{account}/topups", new { topupId = "t-bad", amount = 50, currency = "gbp" }), "currency");
        Assert.Equal(10m, await BalanceAsync(account));

        // Naming the account's own currency is fine; a replay of that top-up naming another currency is still refused.
        await Client.PostOkAsync($"/api/accounts/{account}/topups", new { topupId = "t-gbp", amount = 50, currency = "GBP" });
        Assert.Equal(60m, await BalanceAsync(account));
        await ExpectStatusAsync(HttpStatusCode.Conflict, await Client.PostAsJsonAsync($"/api/accounts/{account}/topups", new { topupId = "t-gbp", amount = 50, currency = "USD" }), "USD");
        await Client.PostOkAsync($"/api/accounts/{account}/topups", new { topupId = "t-gbp", amount = 50 });
        Assert.Equal(60m, await BalanceAsync(account));
    }

    [Theory]
    [InlineData("durationSeconds", "\"durationSeconds\":5")]
    [InlineData("cdrId", "\"cdrId\":\"other\"")]
    [InlineData("accountId", "\"accountId\":\"smb\"")]
    public async Task A_json_cdr_that_names_a_field_twice_is_quarantined_and_charges_nothing(string field, string second)
    {
        var account = await NewAccountAsync("postpaid", 0m);
        var start = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var json = $$"""[{"cdrId":"dk-{{field}}","accountId":"{{account}}","callingNumber":"","calledNumber":"+33612345678","startTime":"{{start}}","durationSeconds":342,"disposition":"ANSWERED",{{second}}}]""";
        var smbBefore = await BalanceAsync("smb");

        using var response = await Client.PostAsync("/api/cdrs", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var result = JsonDocument.Parse(text).RootElement;
        Assert.True(result.GetProperty("quarantinedCount").GetInt32() == 1, text);
        Assert.Contains(field, result.GetProperty("quarantined")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0m, await BalanceAsync(account));
        Assert.Equal(smbBefore, await BalanceAsync("smb"));
    }

    [Theory]
    [InlineData("duration_seconds")]
    [InlineData("account_id")]
    [InlineData("session_id")]
    public async Task A_csv_cdr_batch_whose_header_names_a_column_twice_is_refused(string column)
    {
        var account = await NewAccountAsync("postpaid", 0m);
        var start = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var csv = CdrHeader.TrimEnd('\n') + "," + column + "\n" + $"dc-1,{account},,+33612345678,{start},342,ANSWERED,,5\n";

        using var response = await Client.PostAsync("/api/cdrs", new StringContent(csv, Encoding.UTF8, "text/csv"));

        await ExpectStatusAsync(HttpStatusCode.BadRequest, response, column);
        Assert.Equal(0m, await BalanceAsync(account));
    }

    [Fact]
    public async Task A_rate_deck_whose_header_names_a_column_twice_is_refused()
    {
        using var response = await Client.PutAsync("/api/ratedecks/twice-rate", new StringContent(
            "prefix,destination,rate,min_seconds,increment_seconds,rate\n44,UK,0.01,0,1,9\n", Encoding.UTF8, "text/csv"));

        await ExpectStatusAsync(HttpStatusCode.BadRequest, response, "rate");
        using var missing = await Client.GetAsync("/api/ratedecks/twice-rate");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_cdr_that_starts_over_a_month_ahead_is_quarantined_so_no_charge_waits_decades_for_its_invoice()
    {
        var account = await NewAccountAsync("postpaid", 0m);
        var now = DateTimeOffset.UtcNow;
        string Line(string id, DateTimeOffset start) =>
            $"{id},{account},,+33612345678,{start.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)},60,ANSWERED,\n";

        using var response = await Client.PostAsync("/api/cdrs", new StringContent(
            CdrHeader + Line("far", new DateTimeOffset(2099, 6, 1, 0, 0, 0, TimeSpan.Zero)) + Line("months", now.AddDays(40)) + Line("skewed", now.AddDays(2)),
            Encoding.UTF8, "text/csv"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var result = JsonDocument.Parse(text).RootElement;
        Assert.True((result.GetProperty("accepted").GetInt32(), result.GetProperty("quarantinedCount").GetInt32()) == (1, 2), text);
        Assert.All(result.GetProperty("quarantined").EnumerateArray(), q => Assert.Contains("future", q.GetProperty("reason").GetString(), StringComparison.Ordinal));
        // Only the call within a billing period ahead (a switch's clock, a test's data) is charged: 0.25 for a minute of France Mobile.
        Assert.Equal(-0.25m, await BalanceAsync(account));
    }

    [Fact]
    public async Task An_authorize_that_starts_over_a_month_ahead_is_refused_and_reserves_nothing()
    {
        var account = await NewAccountAsync("prepaid", 10m);
        var far = DateTimeOffset.UtcNow.AddDays(40).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

        await ExpectStatusAsync(HttpStatusCode.BadRequest, await Client.PostAsJsonAsync("/api/authorize", new
        {
            sessionId = $"{account}-far", accountId = account, calledNumber = "+33612345678", startTime = far, requestedSeconds = 60,
        }), "startTime");
        var balance = await Client.GetOkAsync($"/api/accounts/{account}/balance");
        Assert.Equal((10m, 0m), (balance.GetProperty("balance").GetDecimal(), balance.GetProperty("reserved").GetDecimal()));

        // A switch whose clock runs a little ahead is still served.
        var skewed = DateTimeOffset.UtcNow.AddMinutes(5).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var granted = await Client.PostOkAsync("/api/authorize", new { sessionId = $"{account}-skewed", accountId = account, calledNumber = "+33612345678", startTime = skewed, requestedSeconds = 60 });
        Assert.Equal("SUCCESS", granted.GetProperty("resultCode").GetString());
    }

    [Theory]
    [InlineData("0", "CREDIT_LIMIT_REACHED")]
    [InlineData("0.1299", "CREDIT_LIMIT_REACHED")]
    [InlineData("0.13", "SUCCESS")]
    public async Task An_authorize_for_no_seconds_is_refused_when_the_credit_does_not_cover_the_first_billing_step(string opening, string expected)
    {
        // France Mobile's first step is its 30 s minimum and connect fee: 0.13. A switch that only reports use would
        // otherwise carry a call that pre-paid credit control may not charge (it never goes below zero), and the call's
        // CDR would then find it settled by the session: a free call.
        var account = await NewAccountAsync("prepaid", decimal.Parse(opening, CultureInfo.InvariantCulture));

        var answer = await Client.PostOkAsync("/api/authorize", new { sessionId = $"{account}-zero", accountId = account, calledNumber = "+33612345678", requestedSeconds = 0 });

        Assert.Equal(expected, answer.GetProperty("resultCode").GetString());
        Assert.Equal(expected != "SUCCESS", answer.GetProperty("finalUnit").GetBoolean());
        Assert.Equal(0, answer.GetProperty("grantedSeconds").GetInt32());
    }

    [Fact]
    public async Task An_authorize_for_no_seconds_on_a_hard_limited_account_past_its_limit_is_refused()
    {
        var account = $"r8h-{Guid.NewGuid():N}"[..16];
        using var put = await Client.PutAsJsonAsync($"/api/accounts/{account}", new { name = "Hard", mode = "postpaid", currency = "GBP", rateDeckId = "demo", creditLimit = 0.5m, hardLimit = true });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await Client.PostOkAsync("/api/authorize", new { sessionId = $"{account}-1", accountId = account, calledNumber = "+33612345678", requestedSeconds = 60 });
        await Client.PostOkAsync($"/api/sessions/{account}-1/terminate", new { requestNumber = 1, usedSeconds = 600 });

        var answer = await Client.PostOkAsync("/api/authorize", new { sessionId = $"{account}-2", accountId = account, calledNumber = "+33612345678", requestedSeconds = 0 });

        Assert.Equal(("CREDIT_LIMIT_REACHED", true), (answer.GetProperty("resultCode").GetString(), answer.GetProperty("finalUnit").GetBoolean()));
        Assert.Equal(0, (await Client.GetOkAsync($"/api/accounts/{account}/balance")).GetProperty("activeSessions").GetInt32());
    }

    [Fact]
    public async Task An_interim_for_no_seconds_when_the_credit_is_spent_says_the_limit_is_reached_and_the_grant_is_final()
    {
        var account = await NewAccountAsync("prepaid", 1.21m);
        var session = $"{account}-spent";
        await Client.PostOkAsync("/api/authorize", new { sessionId = session, accountId = account, calledNumber = "+33612345678", requestedSeconds = 300 });

        var answer = await Client.PostOkAsync($"/api/sessions/{session}/interim", new { requestNumber = 1, usedSeconds = 300, requestedSeconds = 0 });

        Assert.Equal(("CREDIT_LIMIT_REACHED", true, 0), (answer.GetProperty("resultCode").GetString(), answer.GetProperty("finalUnit").GetBoolean(), answer.GetProperty("grantedSeconds").GetInt32()));
        Assert.Equal(0m, await BalanceAsync(account));
    }

    [Fact]
    public async Task A_cdr_naming_another_accounts_session_is_quarantined_so_one_call_is_not_charged_to_two_accounts()
    {
        var owner = await NewAccountAsync("prepaid", 10m);
        var other = await NewAccountAsync("postpaid", 0m);
        var (settled, live) = ($"{owner}-settled", $"{owner}-live");
        await Client.PostOkAsync("/api/authorize", new { sessionId = settled, accountId = owner, calledNumber = "+33612345678", requestedSeconds = 60 });
        await Client.PostOkAsync($"/api/sessions/{settled}/terminate", new { requestNumber = 1, usedSeconds = 60 });
        await Client.PostOkAsync("/api/authorize", new { sessionId = live, accountId = owner, calledNumber = "+33612345678", requestedSeconds = 60 });
        var start = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        string Line(string id, string account, string session) => $"{id},{account},,+33612345678,{start},60,ANSWERED,{session}\n";
        var body = CdrHeader + Line($"{other}-a", other, settled) + Line($"{other}-b", other, live) + Line($"{other}-c", other, "never-claimed-" + other);

        using var response = await Client.PostAsync("/api/cdrs", new StringContent(body, Encoding.UTF8, "text/csv"));
        var text = await response.Content.ReadAsStringAsync();

        // The owner's terminate charged the settled call (0.25) and the live one holds its reservation; the other
        // account pays only for the call whose session nobody claimed.
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var result = JsonDocument.Parse(text).RootElement;
        Assert.True((result.GetProperty("accepted").GetInt32(), result.GetProperty("quarantinedCount").GetInt32()) == (1, 2), text);
        Assert.All(result.GetProperty("quarantined").EnumerateArray(), q => Assert.Contains("belongs to another account", q.GetProperty("reason").GetString(), StringComparison.Ordinal));
        Assert.Equal(-0.25m, await BalanceAsync(other));
        Assert.Equal(9.75m, await BalanceAsync(owner));

        // Sent again, the batch moves nothing: the applied CDR is a duplicate, the others are quarantined again.
        using var again = await Client.PostAsync("/api/cdrs", new StringContent(body, Encoding.UTF8, "text/csv"));
        var replay = JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((0, 1, 2), (replay.GetProperty("accepted").GetInt32(), replay.GetProperty("duplicates").GetInt32(), replay.GetProperty("quarantinedCount").GetInt32()));
        Assert.Equal(-0.25m, await BalanceAsync(other));

        // The owner's own CDR for the live session still settles it.
        using var own = await Client.PostAsync("/api/cdrs", new StringContent(CdrHeader + Line($"{owner}-live-cdr", owner, live), Encoding.UTF8, "text/csv"));
        Assert.Equal(1, JsonDocument.Parse(await own.Content.ReadAsStringAsync()).RootElement.GetProperty("accepted").GetInt32());
        Assert.Equal(9.5m, await BalanceAsync(owner));
    }

    private async Task<string> NewAccountAsync(string mode, decimal opening)
    {
        var account = $"r8-{Guid.NewGuid():N}"[..16];
        using var put = await Client.PutAsJsonAsync($"/api/accounts/{account}", new { name = "Round eight", mode, currency = "GBP", rateDeckId = "demo", initialBalance = opening });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return account;
    }

    private async Task<decimal> BalanceAsync(string account) =>
        (await Client.GetOkAsync($"/api/accounts/{account}/balance")).GetProperty("balance").GetDecimal();

    private static Task ExpectStatusAsync(HttpStatusCode expected, HttpResponseMessage response, string detailNames) =>
        response.ExpectProblemAsync(expected, detailNames);
}
