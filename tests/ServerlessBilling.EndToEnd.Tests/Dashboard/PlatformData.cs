using System.Globalization;
using System.Net.Http.Json;
using System.Text;

namespace ServerlessBilling.EndToEnd.Tests.Dashboard;

/// <summary>Accounts and CDRs put in over the public API, as an operator and a switch would, for the browser tests to watch.</summary>
public sealed class PlatformData(HttpClient client)
{
    public const string DeckId = "dashboard";

    /// <summary>Round rates, so that spend is easy to reason about: 1.00 a minute to the UK, 0.50 to France, per minute.</summary>
    private const string Deck = """
        prefix,destination,rate,connect_fee,min_seconds,increment_seconds
        44,United Kingdom,1.00,0,60,60
        447,United Kingdom Mobile,1.00,0,60,60
        33,France,0.50,0,60,60
        """;

    private const string CdrHeader = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\n";

    private int _cdrs;

    public async Task PutDeckAsync()
    {
        using var response = await client.PutAsync($"/api/ratedecks/{DeckId}", new StringContent(Deck, Encoding.UTF8, "text/csv"));
        await EnsureAsync(response);
    }

    /// <summary>A post-paid account on the deck above; <paramref name="suspendAt"/> null alerts only.</summary>
    public async Task<string> PutPostpaidAsync(string prefix, string name, decimal creditLimit, decimal? suspendAt = null)
    {
        var account = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        using var response = await client.PutAsJsonAsync($"/api/accounts/{account}", new
        {
            name, mode = "postpaid", currency = "GBP", creditLimit, hardLimit = false, rateDeckId = DeckId, timeZone = "Etc/UTC",
            tax = new { treatment = "standard", rate = 0.20m },
            monitoring = new { thresholds = new[] { 0.5m, 0.8m, 1.0m }, suspendAt },
        });
        await EnsureAsync(response);
        return account;
    }

    /// <summary>Answered calls of whole minutes started a few minutes ago (<see cref="RecentStart"/>), 20 s apart.</summary>
    public Task PostRecentCallsAsync(string account, string calledNumber, params int[] minutes) => PostCallsAsync(account, calledNumber, RecentStart(), minutes);

    public Task PostCallsAsync(string account, string calledNumber, DateTimeOffset start, params int[] minutes) =>
        PostAsync(account, calledNumber, minutes.Select((length, i) => (start.AddSeconds(20 * i), length)).ToList());

    /// <summary><paramref name="count"/> answered one-minute calls, all started at <paramref name="start"/>, in one batch.</summary>
    public Task PostCallsAtAsync(string account, string calledNumber, DateTimeOffset start, int count) =>
        PostAsync(account, calledNumber, Enumerable.Repeat((start, 1), count).ToList());

    /// <summary>
    /// The start of a run of calls a few minutes ago, in this billing period (periods start at midnight UTC on the 1st for
    /// these accounts, so the start never reaches back before that).
    /// </summary>
    public static DateTimeOffset RecentStart()
    {
        var now = DateTimeOffset.UtcNow;
        var periodStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return now.AddMinutes(-10) < periodStart ? periodStart : now.AddMinutes(-10);
    }

    private async Task PostAsync(string account, string calledNumber, IReadOnlyList<(DateTimeOffset Start, int Minutes)> calls)
    {
        var csv = new StringBuilder(CdrHeader);
        foreach (var (start, length) in calls)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{account}-cdr-{Interlocked.Increment(ref _cdrs)},{account},+442071234567,{calledNumber},{start:yyyy-MM-ddTHH:mm:ssZ},{length * 60},ANSWERED,\n");
        }

        using var response = await client.PostAsync("/api/cdrs", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        await EnsureAsync(response);
        var answer = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(calls.Count, answer.GetProperty("accepted").GetInt32());
    }

    public async Task RunInvoicesAsync(string period)
    {
        using var response = await client.PostAsJsonAsync("/api/invoices/run", new { period });
        await EnsureAsync(response);
    }

    private static async Task EnsureAsync(HttpResponseMessage response) =>
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
}
