using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ServerlessBilling.Local.Tests.Alerts;

/// <summary>
/// Round thirty-six, on the local host's alert webhook as the host wires it. Monitoring published each alert to the
/// webhook before storing it, waiting out the webhook's timeout and retries, and judged at most four accounts at a time:
/// with a webhook that does not answer (a receiver down behind a proxy, a firewall that drops), the first four runaway
/// accounts held monitoring for every other one. A fifth post-paid account at twelve times its limit went on being
/// authorized, unsuspended and unalerted, for as long as the others' alerts took to time out (about 5 s an alert an
/// attempt), where the documents promise that a slow sink delays the notices, never the suspension. The webhook is now
/// fed from a queue in the background: monitoring stores its alerts and suspends at once, whatever the webhook does.
/// </summary>
public sealed class HostileRoundThirtySixWebhookTests
{
    private const int Accounts = 6;

    [Fact]
    public async Task A_webhook_that_never_answers_holds_back_no_suspension_or_stored_alert()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0); // connections wait in the backlog: no answer ever
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var app = Hosting.LocalHost.Build(
        [
            "--urls=http://127.0.0.1:0", "--Store=memory", "--Local:SeedDemo=false",
            $"--Alerts:WebhookUrl=http://127.0.0.1:{port}/hook", "--Alerts:WebhookAttempts=1",
        ]);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        await Send(http, HttpMethod.Put, "/api/ratedecks/d", new StringContent(
            "prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to\n44,United Kingdom,0.01,0,60,60,,\n",
            Encoding.UTF8, "text/csv"));
        var cdrs = new StringBuilder("cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition\n");
        var start = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 1; i <= Accounts; i++)
        {
            await Send(http, HttpMethod.Put, $"/api/accounts/r{i}", JsonContent.Create(new
            {
                name = "Runaway", mode = "postpaid", currency = "GBP", creditLimit = 1, hardLimit = false, rateDeckId = "d",
                billingDay = 1, timeZone = "UTC", monitoring = new { thresholds = new[] { 0.5, 0.8, 1.0 }, suspendAt = 1.2 },
            }));
            cdrs.Append(System.Globalization.CultureInfo.InvariantCulture, $"c-{i},r{i},+441,+442071234567,{start},7200,ANSWERED\n");
        }

        await Send(http, HttpMethod.Post, "/api/cdrs", new StringContent(cdrs.ToString(), Encoding.UTF8, "text/csv"));

        var deadline = DateTime.UtcNow.AddSeconds(8);
        var late = Enumerable.Range(1, Accounts).Select(i => $"r{i}").ToList();
        while (late.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            var stillLate = new List<string>();
            foreach (var account in late)
            {
                using var balance = JsonDocument.Parse(await http.GetStringAsync($"/api/accounts/{account}/balance"));
                using var alerts = JsonDocument.Parse(await http.GetStringAsync($"/api/alerts?accountId={account}"));
                if (balance.RootElement.GetProperty("status").GetString() != "suspended" || alerts.RootElement.GetProperty("items").GetArrayLength() == 0)
                {
                    stillLate.Add(account);
                }
            }

            late = stillLate;
        }

        Assert.Empty(late);
    }

    private static async Task Send(HttpClient http, HttpMethod method, string path, HttpContent content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
