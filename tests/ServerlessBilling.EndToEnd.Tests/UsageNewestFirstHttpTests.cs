using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary><c>GET /api/accounts/{id}/usage?order=newest</c>: the latest calls first, paged as oldest first is.</summary>
public sealed class UsageNewestFirstHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";

    private HttpClient Client => host.Client;

    [Fact]
    public async Task Usage_newest_first_is_listed_page_by_page_losing_and_repeating_none_of_one_start_time()
    {
        // 12 calls, 7 of them starting at one second (the earliest): pages of 5 end among them.
        var (account, run) = await PostTwelveCallsAsync();

        var (listed, pages) = await ListAllAsync($"/api/accounts/{account}/usage?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&limit=5&order=newest");

        Assert.Equal(3, pages); // 5 + 5 + 2, and the last page says it is the last
        Assert.Equal(new[] { 11, 10, 9, 8, 7, 0, 1, 2, 3, 4, 5, 6 }.Select(i => $"{run}-{i:D2}"), listed);
        var latest = await Client.GetOkAsync($"/api/accounts/{account}/usage?order=newest&limit=1");
        Assert.Equal($"{run}-11", Assert.Single(latest.GetProperty("items").EnumerateArray().ToList()).GetProperty("cdrId").GetString());
        Assert.Equal(
            Enumerable.Range(0, 12).Select(i => $"{run}-{i:D2}"),
            (await ListAllAsync($"/api/accounts/{account}/usage?limit=5&order=oldest")).Listed); // oldest is the default, named
    }

    [Theory]
    [InlineData("oldest", "newest")]
    [InlineData("newest", "oldest")]
    [InlineData("", "newest")] // no order is oldest first
    public async Task A_continuation_of_one_order_is_400_in_the_other(string handedOutFor, string usedWith)
    {
        var (account, _) = await PostTwelveCallsAsync();
        var first = await Client.GetOkAsync($"/api/accounts/{account}/usage?limit=5{(handedOutFor.Length == 0 ? "" : "&order=" + handedOutFor)}");
        var continuation = Uri.EscapeDataString(first.GetProperty("continuation").GetString()!);

        await (await Client.GetAsync($"/api/accounts/{account}/usage?limit=5&order={usedWith}&continuation={continuation}"))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "continuation was handed out for order=");
    }

    [Theory]
    [InlineData("sideways")]
    [InlineData("Newest")]
    [InlineData("desc")]
    public async Task An_order_other_than_oldest_or_newest_is_400_naming_order(string order)
    {
        await (await Client.GetAsync($"/api/accounts/acme/usage?order={order}")).ExpectProblemAsync(HttpStatusCode.BadRequest, "order must be oldest");
    }

    [Fact]
    public async Task The_openapi_document_describes_the_order_of_the_usage_listing()
    {
        using var response = await Client.GetAsync("/openapi/v1.json");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var parameters = document.RootElement.GetProperty("paths").GetProperty("/api/accounts/{accountId}/usage").GetProperty("get").GetProperty("parameters");
        var order = Assert.Single(parameters.EnumerateArray(), p => p.GetProperty("name").GetString() == "order");
        Assert.Equal("query", order.GetProperty("in").GetString());
        Assert.Contains("newest", order.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    private async Task<(string Account, string Run)> PostTwelveCallsAsync()
    {
        var account = $"acc-{Guid.NewGuid():N}";
        using (var created = await Client.PutAsJsonAsync($"/api/accounts/{account}", new
        {
            name = "Test", mode = "postpaid", currency = "GBP", creditLimit = 5000, hardLimit = false, rateDeckId = "demo",
            billingDay = 1, timeZone = "Europe/London", tax = new { treatment = "standard", rate = 0.20 },
        }))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        var run = $"n-{Guid.NewGuid():N}";
        var lines = Enumerable.Range(0, 12).Select(i =>
            $"{run}-{i:D2},{account},+442071234567,+33612345678,2026-11-26T10:00:{(i < 7 ? 0 : i):D2}Z,60,ANSWERED,");
        using var posted = await Client.PostAsync("/api/cdrs", new StringContent(Header + "\n" + string.Join("\n", lines) + "\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(12, (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        return (account, run);
    }

    private async Task<(List<string> Listed, int Pages)> ListAllAsync(string firstPage)
    {
        var listed = new List<string>();
        var pages = 0;
        string? continuation = null;
        do
        {
            var page = await Client.GetOkAsync(firstPage + (continuation is null ? "" : "&continuation=" + Uri.EscapeDataString(continuation)));
            listed.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("cdrId").GetString()!));
            continuation = page.GetProperty("continuation").GetString();
            pages++;
        }
        while (continuation is not null && pages < 10);

        return (listed, pages);
    }
}
