using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace ServerlessBilling.EndToEnd.Tests.Sqlite;

/// <summary>
/// Round twenty-four of the hostile review: the local host on SQLite killed (SIGKILL) in the middle of an invoice run,
/// then started again on the same file. The run after the restart finishes what the killed one left: one invoice per
/// account, numbers without gap or repeat, each invoice the account's usage records to the penny.
/// </summary>
public sealed class HostileRoundTwentyFourSqliteInvoiceCrashTests(ITestOutputHelper output) : IDisposable
{
    private const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";
    private const int Accounts = 120;
    private const string Period = "2026-11";

    private static readonly string[] Called = ["+447700900123", "+442071234567", "+33612345678", "+12125551234"];

    private readonly TempFolder _data = new();

    private static string AccountId(int i) => $"inv-crash-{i:000}";

    [Theory]
    [InlineData(150)]
    [InlineData(600)]
    public async Task Killed_in_the_middle_of_an_invoice_run_the_next_run_issues_each_invoice_once_with_gap_free_numbers(int killAfterMs)
    {
        // The run at start is off, so that the test chooses when the run begins; November has ended (the host runs on the real clock).
        Assert.True(DateTimeOffset.UtcNow >= new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero), "the machine's clock must be past November 2026");
        string[] noTimer = ["--Local:InvoiceRunInterval=00:00:00"];
        await using (var host = await LocalProcess.StartAsync(_data.Path, noTimer))
        {
            var csv = new StringBuilder(Header).Append('\n');
            for (var a = 0; a < Accounts; a++)
            {
                await PutPostpaidAsync(host.Client, AccountId(a));
                for (var c = 0; c < 3 + (a % 4); c++)
                {
                    var start = new DateTimeOffset(2026, 11, 3 + c, 9, a % 60, 0, TimeSpan.Zero).ToString("O", CultureInfo.InvariantCulture);
                    csv.Append(CultureInfo.InvariantCulture, $"k-{a}-{c},{AccountId(a)},+441234567890,{Called[(a + c) % Called.Length]},{start},{17 + (a * 31 % 400) + c},ANSWERED,\n");
                }
            }

            var ingested = await host.Client.PostCsvAsync(csv.ToString());
            Assert.Equal(0, ingested.GetProperty("quarantined").GetArrayLength());

            // The run, killed part-way through (its answer never comes).
            var run = host.Client.PostAsJsonAsync("/api/invoices/run", new { period = Period });
            await Task.Delay(killAfterMs);
            await host.KillAsync();
            await Task.WhenAny(run);
        }

        await using (var host = await LocalProcess.StartAsync(_data.Path, noTimer))
        {
            var before = 0;
            for (var a = 0; a < Accounts; a++)
            {
                before += (await host.Client.GetJsonAsync($"/api/accounts/{AccountId(a)}/invoices")).GetProperty("items").GetArrayLength();
            }

            var summary = await host.Client.PostJsonAsync("/api/invoices/run", new { period = Period });
            output.WriteLine($"killed after {killAfterMs} ms: {before} of {Accounts} invoices issued; the next run: {summary}");
            Assert.Equal(0, summary.GetProperty("failed").GetInt32());
            Assert.Equal(0, (await host.Client.PostJsonAsync("/api/invoices/run", new { period = Period })).GetProperty("invoices").GetInt32());

            var numbers = new List<string>();
            for (var a = 0; a < Accounts; a++)
            {
                var invoices = (await host.Client.GetJsonAsync($"/api/accounts/{AccountId(a)}/invoices")).GetProperty("items").EnumerateArray().ToList();
                var invoice = Assert.Single(invoices);
                Assert.Equal(Period, invoice.GetProperty("period").GetString());
                numbers.Add(invoice.GetProperty("invoiceNumber").GetString()!);

                // The invoice is the usage records to the penny: each line is its destination's charges, rounded once.
                var usage = (await host.Client.GetJsonAsync($"/api/accounts/{AccountId(a)}/usage?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&limit=1000"))
                    .GetProperty("items").EnumerateArray().ToList();
                var expected = usage
                    .GroupBy(u => u.GetProperty("destination").GetString()!)
                    .ToDictionary(g => g.Key, g => (g.Count(), Math.Round(g.Sum(u => u.GetProperty("charge").GetDecimal()), 2, MidpointRounding.AwayFromZero)));
                var lines = invoice.GetProperty("lines").EnumerateArray()
                    .ToDictionary(l => l.GetProperty("destination").GetString()!, l => (l.GetProperty("calls").GetInt32(), l.GetProperty("amount").GetDecimal()));
                Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), lines.OrderBy(e => e.Key, StringComparer.Ordinal));
                Assert.Equal(lines.Values.Sum(l => l.Item2), invoice.GetProperty("subtotal").GetDecimal());
            }

            // One series, one year: the numbers are 1..N, each once.
            var year = DateTimeOffset.UtcNow.Year.ToString(CultureInfo.InvariantCulture);
            var sequences = numbers.Select(n =>
            {
                Assert.StartsWith($"INV-{year}-", n, StringComparison.Ordinal);
                return long.Parse(n[(n.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture);
            }).Order().ToList();
            Assert.Equal(Enumerable.Range(1, Accounts).Select(i => (long)i), sequences);
        }
    }

    private static async Task PutPostpaidAsync(HttpClient client, string account)
    {
        using var response = await client.PutAsJsonAsync($"/api/accounts/{account}", new
        {
            name = "Invoice Crash Test", mode = "postpaid", currency = "GBP", creditLimit = 100_000m, rateDeckId = "demo",
            billingDay = 1, timeZone = "Europe/London", tax = new { treatment = "standard", rate = 0.20 },
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public void Dispose() => _data.Dispose();
}
