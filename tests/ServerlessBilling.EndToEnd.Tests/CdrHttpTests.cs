using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

public sealed class CdrHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";

    private HttpClient Client => host.Client;

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    [Fact]
    public async Task Csv_cdrs_are_rated_counted_and_listed_as_usage()
    {
        var account = await NewPostpaidAsync();
        var run = NewId("c");
        var csv = $"""
            {Header}
            {run}-1,{account},+442071234567,+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,
            {run}-2,{account},+442071234567,+33612345678,2026-11-26T10:05:00Z,0,NO_ANSWER,
            {run}-1,{account},+442071234567,+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,
            {run}-4,{account},+442071234567,+999,2026-11-26T10:00:00Z,60,ANSWERED,
            {run}-5,{account},+442071234567,+33612345678,2026-11-26T10:00:00Z,abc,ANSWERED,

            """;
        var result = await PostCdrsAsync(new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(5, result.GetProperty("received").GetInt32());
        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        Assert.Equal(1, result.GetProperty("duplicates").GetInt32());
        var quarantined = result.GetProperty("quarantined").EnumerateArray().ToList();
        Assert.Equal([5, 6], quarantined.Select(q => q.GetProperty("line").GetInt32()));
        Assert.Equal($"{run}-4", quarantined[0].GetProperty("cdrId").GetString());
        Assert.All(quarantined, q => Assert.False(string.IsNullOrWhiteSpace(q.GetProperty("reason").GetString())));

        var usage = await GetAsync($"/api/accounts/{account}/usage?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z");
        var items = usage.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal(1.378m, items[0].GetProperty("charge").GetDecimal()); // 336: 0.01 + 0.24 × 342/60
        Assert.Equal("336", items[0].GetProperty("prefix").GetString());
        Assert.Equal("cdr", items[0].GetProperty("settledBy").GetString());
        Assert.Equal(0m, items[1].GetProperty("charge").GetDecimal());

        var balance = await GetAsync($"/api/accounts/{account}/balance");
        Assert.Equal(1.378m, balance.GetProperty("periodSpend").GetDecimal());

        var listed = await GetAsync($"/api/quarantine?accountId={account}");
        var entries = listed.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count); // both refused lines name the account, so both are filed under it
        Assert.Contains(entries, e => e.GetProperty("raw").GetString() == $"{run}-4,{account},+442071234567,+999,2026-11-26T10:00:00Z,60,ANSWERED,");
    }

    [Fact]
    public async Task Json_cdrs_are_accepted_and_a_replay_is_all_duplicates()
    {
        var account = await NewPostpaidAsync();
        var run = NewId("j");
        var body = JsonSerializer.Serialize(Enumerable.Range(1, 3).Select(i => new
        {
            cdrId = $"{run}-{i}", accountId = account, callingNumber = "+441", calledNumber = "+447700900123",
            startTime = "2026-11-26T10:00:00Z", durationSeconds = 60 * i, disposition = "ANSWERED",
        }));
        var first = await PostCdrsAsync(new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(3, first.GetProperty("accepted").GetInt32());
        var again = await PostCdrsAsync(new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal((0, 3), (again.GetProperty("accepted").GetInt32(), again.GetProperty("duplicates").GetInt32()));
    }

    [Fact]
    public async Task Usage_is_listed_page_by_page_with_its_continuation_until_it_is_null()
    {
        // 12 calls, 7 of them starting at one second: pages of 5 end among them and lose or repeat none.
        var account = await NewPostpaidAsync();
        var run = NewId("p");
        var lines = Enumerable.Range(0, 12).Select(i =>
            $"{run}-{i:D2},{account},+442071234567,+33612345678,2026-11-26T10:00:{(i < 7 ? 0 : i):D2}Z,60,ANSWERED,");
        var posted = await PostCdrsAsync(new StringContent(Header + "\n" + string.Join("\n", lines) + "\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(12, posted.GetProperty("accepted").GetInt32());

        var listed = new List<string>();
        var pages = 0;
        string? continuation = null;
        do
        {
            var query = $"/api/accounts/{account}/usage?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&limit=5"
                + (continuation is null ? "" : "&continuation=" + Uri.EscapeDataString(continuation));
            var page = await GetAsync(query);
            listed.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("cdrId").GetString()!));
            continuation = page.GetProperty("continuation").GetString();
            pages++;
        }
        while (continuation is not null && pages < 10);

        Assert.Equal(3, pages); // 5 + 5 + 2, and the last page says it is the last
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"{run}-{i:D2}"), listed);

        var whole = await GetAsync($"/api/accounts/{account}/usage?limit=12");
        Assert.Equal(JsonValueKind.Null, whole.GetProperty("continuation").ValueKind);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("cDE6YWNtZQ")] // an account listing's continuation ("p1:acme")
    [InlineData("dTE6MTIzOg")] // "u1:123:" (no CDR id)
    [InlineData("dTE6LTE6Yy0x")] // "u1:-1:c-1"
    [InlineData("dTE6OTk5OTk5OTk5OTk5OTk5OTk5OTk6Yy0x")] // "u1:99999999999999999999:c-1"
    [InlineData("")]
    public async Task A_usage_continuation_this_api_did_not_hand_out_is_400(string continuation)
    {
        using var response = await Client.GetAsync($"/api/accounts/acme/usage?continuation={continuation}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("continuation", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_quarantine_is_listed_page_by_page_with_its_continuation_until_it_is_null()
    {
        var account = await NewPostpaidAsync();
        var run = NewId("q");
        var lines = Enumerable.Range(0, 7).Select(i => $"{run}-{i},{account},+442071234567,+999,2026-11-26T10:00:00Z,60,ANSWERED,");
        var posted = await PostCdrsAsync(new StringContent(Header + "\n" + string.Join("\n", lines) + "\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(7, posted.GetProperty("quarantinedCount").GetInt32());

        var listed = new List<string>();
        var pages = 0;
        string? continuation = null;
        do
        {
            var page = await GetAsync($"/api/quarantine?accountId={account}&limit=3" + (continuation is null ? "" : "&continuation=" + Uri.EscapeDataString(continuation)));
            listed.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("cdrId").GetString()!));
            continuation = page.GetProperty("continuation").GetString();
            pages++;
        }
        while (continuation is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"{run}-{i}").Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));

        // A usage token is not a quarantine token.
        using var mixed = await Client.GetAsync("/api/quarantine?continuation=dTE6MTIzOmMtMQ"); // "u1:123:c-1"
        Assert.Equal(HttpStatusCode.BadRequest, mixed.StatusCode);
    }

    [Theory]
    [InlineData("", "text/csv")]
    [InlineData("cdr_id,account_id\nx,y\n", "text/csv")]
    [InlineData("[{\"cdrId\": ", "application/json")]
    [InlineData("\"just a string\"", "application/json")]
    public async Task A_body_that_is_not_a_cdr_batch_is_a_400_problem(string body, string contentType)
    {
        using var response = await Client.PostAsync("/api/cdrs", new StringContent(body, Encoding.UTF8, contentType));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/api/accounts/acme/usage?from=yesterday")]
    [InlineData("/api/accounts/acme/usage?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z")]
    [InlineData("/api/accounts/acme/usage?limit=0")]
    [InlineData("/api/quarantine?limit=lots")]
    public async Task Bad_listing_queries_are_400(string path)
    {
        using var response = await Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private async Task<string> NewPostpaidAsync()
    {
        var account = NewId("acc");
        using var response = await Client.PutAsJsonAsync($"/api/accounts/{account}", new
        {
            name = "Test", mode = "postpaid", currency = "GBP", creditLimit = 5000, hardLimit = false, rateDeckId = "demo",
            billingDay = 1, timeZone = "Europe/London", tax = new { treatment = "standard", rate = 0.20 },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return account;
    }

    private async Task<JsonElement> PostCdrsAsync(HttpContent content)
    {
        using var response = await Client.PostAsync("/api/cdrs", content);
        Assert.True(response.IsSuccessStatusCode, $"/api/cdrs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<JsonElement> GetAsync(string path) => Client.GetOkAsync(path);
}
