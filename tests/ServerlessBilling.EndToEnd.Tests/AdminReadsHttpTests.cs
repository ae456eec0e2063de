using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>What an operator reads back: accounts in pages, an account's settings, the decks and a deck as CSV.</summary>
public sealed class AdminReadsHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private HttpClient Client => host.Client;

    [Fact]
    public async Task Pages_of_accounts_list_every_account_once_by_id_and_the_last_page_says_so()
    {
        var prefix = $"list-{Guid.NewGuid():N}";
        var ours = Enumerable.Range(0, 5).Select(i => $"{prefix}-{i}").ToList();
        foreach (var id in ours)
        {
            await PutAccountAsync(id, """{"name":"Listed","mode":"prepaid","currency":"GBP","rateDeckId":"demo","initialBalance":7.5}""");
        }

        var listed = new List<JsonElement>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var page = await Client.GetFromJsonAsync<JsonElement>($"/api/accounts?limit=2{(continuation is null ? "" : "&continuation=" + Uri.EscapeDataString(continuation))}");
            var accounts = page.GetProperty("accounts").EnumerateArray().ToList();
            Assert.InRange(accounts.Count, 1, 2);
            listed.AddRange(accounts);
            continuation = page.GetProperty("continuation").GetString();
            Assert.True(++pages < 1000, "the pages do not end");
        }
        while (continuation is not null);

        var ids = listed.Select(a => a.GetProperty("accountId").GetString()!).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ours, ids.Where(id => id.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.Contains("smb", ids);

        var listedSmb = listed.Single(a => a.GetProperty("accountId").GetString() == "smb");
        var balance = await Client.GetFromJsonAsync<JsonElement>("/api/accounts/smb/balance");
        Assert.Equal("SMB Telecom", listedSmb.GetProperty("name").GetString());
        foreach (var field in new[] { "mode", "status", "currency", "balance", "reserved", "available", "creditLimit", "periodSpend", "activeSessions" })
        {
            Assert.Equal(balance.GetProperty(field).GetRawText(), listedSmb.GetProperty(field).GetRawText());
        }
    }

    [Fact]
    public async Task The_default_page_is_fifty_accounts_and_a_full_last_page_still_ends_the_list()
    {
        var all = await Client.GetFromJsonAsync<JsonElement>("/api/accounts?limit=1000");
        var count = all.GetProperty("accounts").GetArrayLength();
        Assert.Equal(JsonValueKind.Null, all.GetProperty("continuation").ValueKind);

        var exact = await Client.GetFromJsonAsync<JsonElement>($"/api/accounts?limit={count}");
        var unlimited = await Client.GetFromJsonAsync<JsonElement>("/api/accounts");

        Assert.Equal(JsonValueKind.Null, exact.GetProperty("continuation").ValueKind);
        Assert.Equal(Math.Min(count, 50), unlimited.GetProperty("accounts").GetArrayLength());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=10000", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("continuation=garbage", "continuation")]
    [InlineData("continuation=", "continuation")]
    [InlineData("continuation=c21i", "continuation")] // base64url of "smb": an id, but not a token of this API
    [InlineData("continuation=%21%21%21", "continuation")]
    public async Task Bad_paging_input_is_400_naming_the_parameter(string query, string named)
    {
        using var response = await Client.GetAsync($"/api/accounts?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.StartsWith(named, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_read_back_in_the_shape_put_takes_and_sent_back_change_nothing()
    {
        var id = $"settings-{Guid.NewGuid():N}";
        await PutAccountAsync(id, """
            {"name":"Acme, \"North\"","mode":"postpaid","currency":"EUR","creditLimit":250.50,"hardLimit":true,"rateDeckId":"demo",
             "billingDay":15,"timeZone":"Europe/Paris","tax":{"treatment":"reverse-charge"},"paymentTermsDays":14,
             "monitoring":{"thresholds":[0.25,0.75],"suspendAt":1.5},"initialBalance":0}
            """);

        var settings = await Client.GetFromJsonAsync<JsonElement>($"/api/accounts/{id}");
        Assert.Equal(id, settings.GetProperty("accountId").GetString());
        Assert.Equal("Acme, \"North\"", settings.GetProperty("name").GetString());
        Assert.Equal("postpaid", settings.GetProperty("mode").GetString());
        Assert.Equal("EUR", settings.GetProperty("currency").GetString());
        Assert.Equal(250.50m, settings.GetProperty("creditLimit").GetDecimal());
        Assert.True(settings.GetProperty("hardLimit").GetBoolean());
        Assert.Equal(15, settings.GetProperty("billingDay").GetInt32());
        Assert.Equal("Europe/Paris", settings.GetProperty("timeZone").GetString());
        Assert.Equal("reverse-charge", settings.GetProperty("tax").GetProperty("treatment").GetString());
        Assert.Equal(14, settings.GetProperty("paymentTermsDays").GetInt32());
        Assert.Equal("[0.25,0.75]", settings.GetProperty("monitoring").GetProperty("thresholds").GetRawText());
        Assert.Equal(1.5m, settings.GetProperty("monitoring").GetProperty("suspendAt").GetDecimal());
        Assert.Equal("active", settings.GetProperty("status").GetString());

        // Sent back as it came, it is a valid PUT that changes nothing.
        using var again = await Client.PutAsync($"/api/accounts/{id}", new StringContent(settings.GetRawText(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(settings.GetRawText(), (await Client.GetFromJsonAsync<JsonElement>($"/api/accounts/{id}")).GetRawText());

        using var suspended = await Client.PostAsync($"/api/accounts/{id}/suspend", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal("suspended", (await Client.GetFromJsonAsync<JsonElement>($"/api/accounts/{id}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Default_settings_read_back_with_no_monitoring_policy_and_exempt_tax()
    {
        var id = $"plain-{Guid.NewGuid():N}";
        await PutAccountAsync(id, """{"name":"Plain","mode":"prepaid","currency":"GBP","rateDeckId":"demo"}""");

        var settings = await Client.GetFromJsonAsync<JsonElement>($"/api/accounts/{id}");

        Assert.Equal(JsonValueKind.Null, settings.GetProperty("monitoring").ValueKind);
        Assert.Equal(JsonValueKind.Null, settings.GetProperty("creditLimit").ValueKind);
        Assert.Equal("""{"treatment":"exempt","rate":0}""", settings.GetProperty("tax").GetRawText());
        Assert.Equal("Etc/UTC", settings.GetProperty("timeZone").GetString());
        Assert.Equal(1, settings.GetProperty("billingDay").GetInt32());
    }

    [Theory]
    [InlineData("/api/accounts/nobody-here")]
    [InlineData("/api/ratedecks/no-such-deck")]
    public async Task Unknown_account_or_deck_is_404(string path)
    {
        using var response = await Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_deck_exports_as_csv_that_imports_as_the_same_deck()
    {
        var id = $"export-{Guid.NewGuid():N}";
        const string imported = """
            destination,prefix,increment_seconds,min_seconds,rate,extra
            "Bonaire, Sint Eustatius and Saba",599,60,60,0.2500,x
            United Kingdom,44,6,30,0.0100,y

            """;
        Assert.Equal(HttpStatusCode.OK, (await Client.PutAsync($"/api/ratedecks/{id}", new StringContent(imported, Encoding.UTF8, "text/csv"))).StatusCode);

        using var exported = await Client.GetAsync($"/api/ratedecks/{id}");
        var csv = await exported.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, exported.StatusCode);
        Assert.Equal("text/csv", exported.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            """
            prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to
            599,"Bonaire, Sint Eustatius and Saba",0.2500,0,60,60,,
            44,United Kingdom,0.0100,0,30,6,,

            """.ReplaceLineEndings("\n"),
            csv);

        var copy = $"{id}-copy";
        var put = await Client.PutAsync($"/api/ratedecks/{copy}", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(2, (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows").GetInt32());
        Assert.Equal(csv, await Client.GetStringAsync($"/api/ratedecks/{copy}"));
    }

    [Fact]
    public async Task Decks_are_listed_by_id_with_their_row_counts()
    {
        var id = $"listed-{Guid.NewGuid():N}";
        await Client.PutAsync($"/api/ratedecks/{id}", new StringContent(DemoSeeder.DeckCsv, Encoding.UTF8, "text/csv"));

        var decks = (await Client.GetFromJsonAsync<JsonElement>("/api/ratedecks")).GetProperty("decks").EnumerateArray()
            .Select(d => (Id: d.GetProperty("deckId").GetString()!, Rows: d.GetProperty("rows").GetInt32())).ToList();

        Assert.Equal(decks.Select(d => d.Id).Order(StringComparer.Ordinal), decks.Select(d => d.Id));
        var demoRows = decks.Single(d => d.Id == DemoSeeder.DeckId).Rows;
        Assert.True(demoRows > 0);
        Assert.Contains((id, demoRows), decks);
    }

    private async Task PutAccountAsync(string id, string json)
    {
        using var response = await Client.PutAsync($"/api/accounts/{id}", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }
}
