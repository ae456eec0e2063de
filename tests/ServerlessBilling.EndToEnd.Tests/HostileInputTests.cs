using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// What a buggy switch or an attacker sends: extreme numbers and dates, ambiguous JSON, bodies past the limits,
/// replays with other content. Every request gets a clear 4xx problem, never a 5xx, and no account moves.
/// </summary>
public sealed class HostileInputTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string Account = "hostile";
    private const string Session = "hostile-call";
    private HttpClient Client => host.Client;

    public static TheoryData<string, string, string, int> Corpus => new()
    {
        // Times: an offset is required, and they lie in 2000-2099.
        { "POST", "/api/authorize", """{"sessionId":"h-1","accountId":"hostile","calledNumber":"+441612345678","startTime":"9999-12-31T00:00:00Z"}""", 400 },
        { "POST", "/api/authorize", """{"sessionId":"h-1","accountId":"hostile","calledNumber":"+441612345678","startTime":"1999-12-31T23:59:59Z"}""", 400 },
        { "POST", "/api/authorize", """{"sessionId":"h-1","accountId":"hostile","calledNumber":"+441612345678","startTime":"2026-11-26T10:00:00"}""", 400 },
        // Duplicate keys are ambiguous.
        { "POST", "/api/authorize", """{"sessionId":"h-1","accountId":"hostile","accountId":"smb","calledNumber":"+441612345678"}""", 400 },
        { "POST", "/api/accounts/hostile/topups", """{"topupId":"h-t","amount":1,"amount":1000}""", 400 },
        // Reports beyond 24 hours, and numbers past int.
        { "POST", $"/api/sessions/{Session}/terminate", """{"requestNumber":2,"usedSeconds":2000000000}""", 400 },
        { "POST", $"/api/sessions/{Session}/terminate", """{"requestNumber":2,"usedSeconds":2147483647}""", 400 },
        { "POST", $"/api/sessions/{Session}/terminate", """{"requestNumber":2,"usedSeconds":86401}""", 400 },
        { "POST", $"/api/sessions/{Session}/interim", """{"requestNumber":2,"usedSeconds":86401}""", 400 },
        // Interim request numbers rise by one (the last was 1).
        { "POST", $"/api/sessions/{Session}/interim", """{"requestNumber":5,"usedSeconds":10}""", 409 },
        { "POST", $"/api/sessions/{Session}/interim", """{"requestNumber":0,"usedSeconds":10}""", 400 },
        // A terminate may no longer charge a session that was never authorized.
        { "POST", "/api/sessions/never-authorized/terminate", """{"requestNumber":1,"usedSeconds":60,"accountId":"hostile","calledNumber":"+441612345678","startTime":"2026-11-26T10:00:00Z"}""", 404 },
        // Amounts: positive, at most 4 decimals, at most 1,000,000,000, within a decimal.
        { "POST", "/api/accounts/hostile/topups", """{"topupId":"h-t1","amount":79228162514264337593543950335}""", 400 },
        { "POST", "/api/accounts/hostile/topups", """{"topupId":"h-t2","amount":1e40}""", 400 },
        { "POST", "/api/accounts/hostile/topups", """{"topupId":"h-t3","amount":1000000000.0001}""", 400 },
        { "POST", "/api/accounts/hostile/topups", """{"topupId":"h-t4","amount":0.00001}""", 400 },
        { "POST", "/api/accounts/hostile/topups", """{"topupId":"h-t5","amount":0}""", 400 },
        // Amounts a decimal would round (more than 28 digits after the point): never taken as a nearby amount.
        { "POST", "/api/accounts/hostile/topups", """{"topupId":"h-t6","amount":1.00000000000000000000000000001}""", 400 },
        { "POST", "/api/accounts/hostile/topups", """{"topupId":"hostile-first","amount":5.00000000000000000000000000001}""", 400 },
        { "PUT", "/api/accounts/hostile-new", """{"name":"X","mode":"postpaid","currency":"GBP","rateDeckId":"demo","creditLimit":1e-30,"hardLimit":true}""", 400 },
        // A top-up id replayed with another amount.
        { "POST", "/api/accounts/hostile/topups", """{"topupId":"hostile-first","amount":99}""", 409 },
        // Account settings that name what does not exist, or amounts out of range.
        { "PUT", "/api/accounts/hostile-new", """{"name":"X","mode":"prepaid","currency":"GBP","rateDeckId":"no-such-deck"}""", 400 },
        { "PUT", "/api/accounts/hostile-new", """{"name":"X","mode":"postpaid","currency":"GBP","rateDeckId":"demo","creditLimit":1e20}""", 400 },
        { "PUT", "/api/accounts/hostile-new", """{"name":"X","mode":"prepaid","currency":"GBP","rateDeckId":"demo","initialBalance":79228162514264337593543950335}""", 400 },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Hostile_requests_get_a_clear_4xx_and_move_no_money(string method, string path, string body, int expected)
    {
        await EnsureAccountAsync();
        var before = await SnapshotAsync();

        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await Client.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == (int)response.StatusCode, $"{method} {path} {body}: expected {expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrWhiteSpace(JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_chunked_body_past_the_limit_is_refused_without_reading_it_all()
    {
        await EnsureAccountAsync();
        var before = await SnapshotAsync();
        var padding = new string(' ', 5 << 20);
        var body = $$"""{"sessionId":"h-chunked","accountId":"hostile","calledNumber":"+441612345678"{{padding}}}""";
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/authorize") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await Client.SendAsync(request);

        Assert.True((int)response.StatusCode is 400 or 413, $"got {(int)response.StatusCode}");
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_huge_batch_of_bad_cdrs_gets_a_bounded_answer_with_a_count()
    {
        var csv = new StringBuilder("cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\n");
        const int Lines = 20_000;
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < Lines; i++)
        {
            csv.Append(CultureFree($"{run}-{i},nobody-{run},+441234,+441612345678,2026-11-26T10:00:00Z,60,ANSWERED,\n"));
        }

        using var response = await Client.PostAsync("/api/cdrs", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = JsonDocument.Parse(text).RootElement;
        Assert.Equal(Lines, result.GetProperty("received").GetInt32());
        Assert.Equal(Lines, result.GetProperty("quarantinedCount").GetInt32());
        Assert.Equal(100, result.GetProperty("quarantined").GetArrayLength());
        Assert.True(text.Length < 32_000, $"the answer is {text.Length} characters");
    }

    [Fact]
    public async Task A_cdr_id_repeated_with_other_content_is_quarantined_as_a_conflict_in_a_batch_and_later()
    {
        await EnsureAccountAsync();
        var id = $"conflict-{Guid.NewGuid():N}";
        var header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\n";
        var first = $"{id},{Account},+441234,+441612345678,2026-11-26T10:00:00Z,60,ANSWERED,\n";
        var other = $"{id},{Account},+441234,+441612345678,2026-11-26T10:00:00Z,3600,ANSWERED,\n";

        var inBatch = await PostCdrsAsync(header + first + first + other);
        Assert.Equal((1, 1, 1), (inBatch.GetProperty("accepted").GetInt32(), inBatch.GetProperty("duplicates").GetInt32(), inBatch.GetProperty("quarantinedCount").GetInt32()));
        Assert.Contains("conflict", inBatch.GetProperty("quarantined")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);

        var before = await SnapshotAsync();
        var later = await PostCdrsAsync(header + other);
        Assert.Equal((0, 0, 1), (later.GetProperty("accepted").GetInt32(), later.GetProperty("duplicates").GetInt32(), later.GetProperty("quarantinedCount").GetInt32()));
        Assert.Contains("applied before", later.GetProperty("quarantined")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        var replay = await PostCdrsAsync(header + first);
        Assert.Equal((0, 1, 0), (replay.GetProperty("accepted").GetInt32(), replay.GetProperty("duplicates").GetInt32(), replay.GetProperty("quarantinedCount").GetInt32()));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task The_dearest_tariff_a_deck_may_hold_rates_the_longest_calls_without_overflow()
    {
        const string DeckHeader = "prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to\n";
        var deck = $"dear-{Guid.NewGuid():N}"[..13];
        using var tooDear = await Client.PutAsync($"/api/ratedecks/{deck}", new StringContent(DeckHeader + "33,France,79228162514264337593543950335,0,1,1,,\n", Encoding.UTF8, "text/csv"));
        var refusal = await tooDear.Content.ReadAsStringAsync();
        Assert.True(tooDear.StatusCode == HttpStatusCode.BadRequest, refusal);
        Assert.Contains("line 2: rate", refusal, StringComparison.Ordinal);

        using var dearest = await Client.PutAsync($"/api/ratedecks/{deck}", new StringContent(DeckHeader + "33,France,1000000000,1000000000,86400,86400,,\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, dearest.StatusCode);
        // A day's minimum at this tariff is 1.44 × 10^12: beyond the largest pre-paid balance, unlimited post-paid.
        foreach (var (account, mode, opening, granted) in new[] { ($"{deck}-post", "postpaid", 0m, "SUCCESS"), ($"{deck}-pre", "prepaid", 1_000_000_000m, "CREDIT_LIMIT_REACHED") })
        {
            using var put = await Client.PutAsJsonAsync($"/api/accounts/{account}", new { name = "Dear", mode, currency = "GBP", initialBalance = opening, rateDeckId = deck });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var session = $"{account}-call";
            using var authorize = await Client.PostAsJsonAsync("/api/authorize", new { sessionId = session, accountId = account, calledNumber = "+33612345678", requestedSeconds = 86400 });
            Assert.Equal(HttpStatusCode.OK, authorize.StatusCode);
            Assert.Equal(granted, (await authorize.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("resultCode").GetString());
            if (granted == "SUCCESS")
            {
                await ExpectOkAsync(await Client.PostAsJsonAsync($"/api/sessions/{session}/interim", new { requestNumber = 1, usedSeconds = 86400, requestedSeconds = 86400 }));
                await ExpectOkAsync(await Client.PostAsJsonAsync($"/api/sessions/{session}/terminate", new { requestNumber = 2, usedSeconds = 86400 }));
            }

            var start = DateTimeOffset.UtcNow.AddDays(-1);
            var week = CultureFree($"{account}-w1,{account},+441234,+33612345678,{start:yyyy-MM-ddTHH:mm:ssZ},604800,ANSWERED,\n{account}-w2,{account},+441234,+33612345678,{start:yyyy-MM-ddTHH:mm:ssZ},604800,ANSWERED,\n");
            var ingested = await PostCdrsAsync("cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\n" + week);
            Assert.Equal(2, ingested.GetProperty("accepted").GetInt32() + ingested.GetProperty("quarantinedCount").GetInt32());
            await ExpectOkAsync(await Client.GetAsync($"/api/accounts/{account}/balance"));
            await ExpectOkAsync(await Client.GetAsync($"/api/accounts/{account}/usage"));
        }

        await ExpectOkAsync(await Client.PostAsync("/api/invoices/run", new StringContent("", Encoding.UTF8, "application/json")));
    }

    [Fact]
    public async Task Suspend_takes_no_body_as_no_reason()
    {
        var account = $"quiet-{Guid.NewGuid():N}"[..14];
        using var put = await Client.PutAsJsonAsync($"/api/accounts/{account}", new { name = "Quiet", mode = "postpaid", currency = "GBP", rateDeckId = "demo" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        using var suspended = await Client.PostAsync($"/api/accounts/{account}/suspend", null);
        var text = await suspended.Content.ReadAsStringAsync();
        Assert.True(suspended.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("suspended", JsonDocument.Parse(text).RootElement.GetProperty("status").GetString());
        using var resumed = await Client.PostAsync($"/api/accounts/{account}/resume", new StringContent("", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        using var malformed = await Client.PostAsync($"/api/accounts/{account}/suspend", new StringContent("{", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    private static async Task ExpectOkAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        }
    }

    private async Task<JsonElement> PostCdrsAsync(string csv)
    {
        using var response = await Client.PostAsync("/api/cdrs", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The account the corpus attacks: pre-paid, with a top-up and a session at request 1.</summary>
    private async Task EnsureAccountAsync()
    {
        using var put = await Client.PutAsJsonAsync($"/api/accounts/{Account}", new { name = "Hostile", mode = "prepaid", currency = "GBP", initialBalance = 10, rateDeckId = "demo" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var topUp = await Client.PostAsJsonAsync($"/api/accounts/{Account}/topups", new { topupId = "hostile-first", amount = 5 });
        Assert.Equal(HttpStatusCode.OK, topUp.StatusCode);
        using var authorize = await Client.PostAsJsonAsync("/api/authorize", new { sessionId = Session, accountId = Account, calledNumber = "+441612345678", requestedSeconds = 600 });
        Assert.Equal(HttpStatusCode.OK, authorize.StatusCode);
        using var interim = await Client.PostAsJsonAsync($"/api/sessions/{Session}/interim", new { requestNumber = 1, usedSeconds = 60, requestedSeconds = 600 });
        Assert.Equal(HttpStatusCode.OK, interim.StatusCode);
    }

    /// <summary>Every demo account's money, as the balance endpoint shows it.</summary>
    private async Task<string> SnapshotAsync()
    {
        var parts = new List<string>();
        foreach (var account in new[] { Account, "smb", "acme", "wholesale" })
        {
            parts.Add(await Client.GetStringAsync($"/api/accounts/{account}/balance"));
        }

        return string.Join('\n', parts);
    }

    private static string CultureFree(FormattableString text) => FormattableString.Invariant(text);
}
