using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>Spend monitoring end to end on the local host: charges in, alerts out within a second, once.</summary>
public sealed class MonitoringHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private HttpClient Client => host.Client;

    [Fact]
    public async Task The_seed_case_over_http_raises_three_thresholds_and_a_velocity_alert_once()
    {
        var account = await PutPostpaidAsync(5000m, hardLimit: false, suspendAt: null);
        var csv = SeedWeek(account);

        var posted = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsync("/api/cdrs", new StringContent(csv, Encoding.UTF8, "text/csv"))).StatusCode);
        var alerts = await WaitForAlertsAsync(account, a => a.Count(x => x.Type == "THRESHOLD_REACHED") == 3 && a.Any(x => x.Type == "VELOCITY_ANOMALY"));
        var delay = RaisedAfter(alerts, posted);

        Assert.True(delay < TimeSpan.FromSeconds(5), $"alerts took {delay}");

        // Up to three velocity windows (1h, 24h, 7d) may stand; whether the hour's spend is over its share depends on the
        // clock, and each alert is stored on its own. So wait until the set is still, then check each alert is there once.
        alerts = await SettledAlertsAsync(account);
        Assert.Equal(["0.5", "0.8", "1"], alerts.Where(a => a.Type == "THRESHOLD_REACHED").Select(a => a.Threshold!.Value.ToString(CultureInfo.InvariantCulture)).Order());
        Assert.InRange(alerts.Count(a => a.Type == "VELOCITY_ANOMALY"), 1, 3);
        Assert.Equal(alerts.Count, alerts.Select(a => a.Id).Distinct().Count());

        // Page by page (one alert a page): the same alerts in the same order, and the last page says it is the last.
        var paged = new List<string>();
        string? continuation = null;
        do
        {
            var page = await Client.GetFromJsonAsync<JsonElement>($"/api/alerts?accountId={account}&limit=1" + (continuation is null ? "" : "&continuation=" + Uri.EscapeDataString(continuation)));
            paged.AddRange(page.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("alertId").GetString()!));
            continuation = page.GetProperty("continuation").GetString();
        }
        while (continuation is not null && paged.Count <= alerts.Count);
        Assert.Equal(alerts.Select(a => a.Id), paged);
        using var foreign = await Client.GetAsync($"/api/alerts?accountId={account}&continuation=cTE6MTIzOnEtMQ"); // a quarantine token ("q1:123:q-1")
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);

        // The same batch again (an at-least-once delivery): nothing more.
        var replay = await (await Client.PostAsync("/api/cdrs", new StringContent(csv, Encoding.UTF8, "text/csv"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, replay.GetProperty("accepted").GetInt32());
        await Task.Delay(500);
        Assert.Equal(alerts.Count, (await AlertsAsync(account)).Count);

        var balance = await Client.GetFromJsonAsync<JsonElement>($"/api/accounts/{account}/balance");
        var monitoring = balance.GetProperty("monitoring");
        Assert.Equal("over-limit", monitoring.GetProperty("status").GetString());
        Assert.True(monitoring.GetProperty("last7Days").GetDecimal() >= 11_000m);
    }

    [Fact]
    public async Task A_hard_limit_crossed_by_terminates_alone_is_alerted_within_a_second()
    {
        var account = await PutPostpaidAsync(10m, hardLimit: true, suspendAt: null);
        var ended = DateTimeOffset.UtcNow;
        for (var i = 0; i < 12; i++)
        {
            var session = $"{account}-call-{i}";
            using var grant = await Client.PostAsJsonAsync("/api/authorize", new { sessionId = session, accountId = account, calledNumber = "+447700900123", requestedSeconds = 120 });
            var answer = await grant.Content.ReadFromJsonAsync<JsonElement>();
            if (answer.GetProperty("resultCode").GetString() != "SUCCESS")
            {
                break;
            }

            using var end = await Client.PostAsJsonAsync($"/api/sessions/{session}/terminate", new { requestNumber = 1, usedSeconds = answer.GetProperty("grantedSeconds").GetInt32() });
            Assert.Equal(HttpStatusCode.OK, end.StatusCode);
            ended = DateTimeOffset.UtcNow;
        }

        var alerts = await WaitForAlertsAsync(account, a => a.Any(x => x.Type == "THRESHOLD_REACHED" && x.Threshold == 1.0m));
        var delay = RaisedAfter(alerts.Where(a => a.Threshold == 1.0m), ended);
        Assert.True(delay < TimeSpan.FromSeconds(1), $"the 1.0 alert was raised {delay} after the last terminate");
        Assert.Contains(alerts, a => a.Threshold == 0.5m);
    }

    [Fact]
    public async Task A_runaway_account_suspended_by_policy_cannot_start_a_call_until_resumed()
    {
        var account = await PutPostpaidAsync(5000m, hardLimit: false, suspendAt: 1.2m);
        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsync("/api/cdrs", new StringContent(SeedWeek(account), Encoding.UTF8, "text/csv"))).StatusCode);
        await WaitForAlertsAsync(account, a => a.Any(x => x.Type == "ACCOUNT_SUSPENDED"));

        using var denied = await Client.PostAsJsonAsync("/api/authorize", new { sessionId = $"{account}-late", accountId = account, calledNumber = "+447700900123" });
        Assert.Equal("ACCOUNT_SUSPENDED", (await denied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("resultCode").GetString());

        using var resumed = await Client.PostAsJsonAsync($"/api/accounts/{account}/resume", new { });
        Assert.Equal("active", (await resumed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        using var allowed = await Client.PostAsJsonAsync("/api/authorize", new { sessionId = $"{account}-after", accountId = account, calledNumber = "+447700900123" });
        Assert.Equal("SUCCESS", (await allowed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("resultCode").GetString());

        using var suspended = await Client.PostAsJsonAsync($"/api/accounts/{account}/suspend", new { reason = "fraud review" });
        Assert.Equal("suspended", (await suspended.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    /// <summary>12,000 GBP over the last 7 days: 1,200 calls of 10 minutes at 1.00/min.</summary>
    private static string SeedWeek(string account)
    {
        var now = DateTimeOffset.UtcNow;
        var csv = new StringBuilder("cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\n");
        for (var i = 0; i < 1200; i++)
        {
            var start = now.AddMinutes(-(7 * 24 * 60) + (i * 8.4) + 1);
            csv.Append(CultureInfo.InvariantCulture, $"{account}-{i},{account},+441234,+447700900123,{start:yyyy-MM-ddTHH:mm:ssZ},600,ANSWERED,\n");
        }

        return csv.ToString();
    }

    private async Task<string> PutPostpaidAsync(decimal limit, bool hardLimit, decimal? suspendAt)
    {
        var account = $"mon-{Guid.NewGuid():N}"[..20];
        using var deck = await Client.PutAsync("/api/ratedecks/monitoring", new StringContent(
            "prefix,destination,rate,connect_fee,min_seconds,increment_seconds\n44,United Kingdom,1.00,0,60,60\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, deck.StatusCode);
        using var response = await Client.PutAsJsonAsync($"/api/accounts/{account}", new
        {
            name = "Monitored", mode = "postpaid", currency = "GBP", creditLimit = limit, hardLimit, rateDeckId = "monitoring",
            timeZone = "Europe/London", monitoring = new { thresholds = new[] { 0.5m, 0.8m, 1.0m }, suspendAt },
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return account;
    }

    private async Task<IReadOnlyList<AlertItem>> WaitForAlertsAsync(string account, Func<IReadOnlyList<AlertItem>, bool> done)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var alerts = await AlertsAsync(account);
            if (done(alerts))
            {
                return alerts;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "alerts did not arrive: " + string.Join(", ", alerts.Select(a => a.Type)));
            await Task.Delay(20);
        }
    }

    /// <summary>The account's alerts once the list has not changed for a second.</summary>
    private async Task<IReadOnlyList<AlertItem>> SettledAlertsAsync(string account)
    {
        var deadline = Stopwatch.StartNew();
        var last = await AlertsAsync(account);
        var still = Stopwatch.StartNew();
        while (still.Elapsed < TimeSpan.FromSeconds(1))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "alerts kept changing: " + string.Join(", ", last.Select(a => a.Type)));
            await Task.Delay(50);
            var now = await AlertsAsync(account);
            if (now.Count != last.Count)
            {
                (last, still) = (now, Stopwatch.StartNew());
            }
        }

        return last;
    }

    /// <summary>
    /// How long after <paramref name="since"/> the last of <paramref name="alerts"/> was raised, by the host's own clock
    /// (the one the host runs on here). Measured by the test's polling instead, a loaded machine added the poll's
    /// sleep and HTTP round trip to the monitoring's delay (a 1 s bound failed once at 1.05 s).
    /// </summary>
    private static TimeSpan RaisedAfter(IEnumerable<AlertItem> alerts, DateTimeOffset since) => alerts.Max(a => a.RaisedAt) - since;

    private async Task<IReadOnlyList<AlertItem>> AlertsAsync(string account)
    {
        var list = await Client.GetFromJsonAsync<JsonElement>($"/api/alerts?accountId={account}");
        return list.GetProperty("items").EnumerateArray()
            .Select(a => new AlertItem(
                a.GetProperty("alertId").GetString()!, a.GetProperty("type").GetString()!,
                a.GetProperty("threshold").ValueKind == JsonValueKind.Number ? a.GetProperty("threshold").GetDecimal() : null, a.GetProperty("raisedAt").GetDateTimeOffset()))
            .ToList();
    }

    private sealed record AlertItem(string Id, string Type, decimal? Threshold, DateTimeOffset RaisedAt);
}
