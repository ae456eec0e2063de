using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

public sealed class CreditControlHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private HttpClient Client => host.Client;

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_prepaid_call_is_authorized_reported_and_charged_as_its_cdr_would_be()
    {
        var account = NewId("acc");
        await PutAccountAsync(account, "prepaid", initialBalance: 100m);
        var session = NewId("call");

        var grant = await PostAsync("/api/authorize", new
        {
            sessionId = session, accountId = account, callingNumber = "+442071234567",
            calledNumber = "+33612345678", startTime = "2026-11-26T10:00:00Z", requestedSeconds = 300,
        });
        Assert.Equal("SUCCESS", grant.GetProperty("resultCode").GetString());
        Assert.Equal(300, grant.GetProperty("grantedSeconds").GetInt32());
        Assert.Equal(300, grant.GetProperty("validitySeconds").GetInt32());
        Assert.False(grant.GetProperty("finalUnit").GetBoolean());
        Assert.Equal(0.24m, grant.GetProperty("ratePerMinute").GetDecimal());
        Assert.Equal(1.21m, grant.GetProperty("reservedAmount").GetDecimal()); // 0.01 connect + 0.24 × 300/60
        Assert.Equal("GBP", grant.GetProperty("currency").GetString());
        Assert.Equal(98.79m, grant.GetProperty("availableAfter").GetDecimal());

        var interim = await PostAsync($"/api/sessions/{session}/interim", new { requestNumber = 1, usedSeconds = 300, requestedSeconds = 300 });
        Assert.Equal("SUCCESS", interim.GetProperty("resultCode").GetString());
        Assert.Equal(interim.ToString(), (await PostAsync($"/api/sessions/{session}/interim", new { requestNumber = 1, usedSeconds = 300, requestedSeconds = 300 })).ToString());

        var end = await PostAsync($"/api/sessions/{session}/terminate", new { requestNumber = 2, usedSeconds = 42 });
        Assert.Equal(342, end.GetProperty("totalSeconds").GetInt32());
        Assert.Equal(342, end.GetProperty("billedSeconds").GetInt32()); // 30/6: 30 + 52 × 6
        Assert.Equal(1.378m, end.GetProperty("charge").GetDecimal()); // 0.01 + 0.24 × 342/60
        Assert.Equal(98.622m, end.GetProperty("balance").GetDecimal());

        var balance = await GetAsync($"/api/accounts/{account}/balance");
        Assert.Equal(98.622m, balance.GetProperty("balance").GetDecimal());
        Assert.Equal(0m, balance.GetProperty("reserved").GetDecimal());
        Assert.Equal(98.622m, balance.GetProperty("available").GetDecimal());
        Assert.Equal("prepaid", balance.GetProperty("mode").GetString());
        Assert.Equal("active", balance.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, balance.GetProperty("creditLimit").ValueKind);
        Assert.Equal(1.378m, balance.GetProperty("periodSpend").GetDecimal());
        Assert.Equal(0, balance.GetProperty("activeSessions").GetInt32());
        Assert.True(balance.TryGetProperty("periodStart", out _));
    }

    [Fact]
    public async Task Business_denials_are_200_with_a_result_code()
    {
        var account = NewId("acc");
        await PutAccountAsync(account, "prepaid", initialBalance: 0m);
        var denied = await PostAsync("/api/authorize", new { sessionId = NewId("s"), accountId = account, calledNumber = "+33612345678" });
        Assert.Equal("CREDIT_LIMIT_REACHED", denied.GetProperty("resultCode").GetString());
        Assert.Equal(0, denied.GetProperty("grantedSeconds").GetInt32());

        var unknown = await PostAsync("/api/authorize", new { sessionId = NewId("s"), accountId = NewId("nobody"), calledNumber = "+33612345678" });
        Assert.Equal("ACCOUNT_NOT_FOUND", unknown.GetProperty("resultCode").GetString());

        await PostAsync($"/api/accounts/{account}/topups", new { topupId = "t-1", amount = 5 });
        var unrated = await PostAsync("/api/authorize", new { sessionId = NewId("s"), accountId = account, calledNumber = "+999123" });
        Assert.Equal("DESTINATION_NOT_RATED", unrated.GetProperty("resultCode").GetString());
    }

    [Fact]
    public async Task Top_ups_are_idempotent_on_their_id()
    {
        var account = NewId("acc");
        await PutAccountAsync(account, "prepaid", initialBalance: 10m);
        await PostAsync($"/api/accounts/{account}/topups", new { topupId = "t-1", amount = 50 });
        var again = await PostAsync($"/api/accounts/{account}/topups", new { topupId = "t-1", amount = 50 });
        Assert.Equal(60m, again.GetProperty("balance").GetDecimal());
    }

    [Fact]
    public async Task A_session_id_reused_with_other_parameters_is_409()
    {
        var account = NewId("acc");
        await PutAccountAsync(account, "prepaid", initialBalance: 10m);
        var session = NewId("s");
        await PostAsync("/api/authorize", new { sessionId = session, accountId = account, calledNumber = "+33612345678" });
        using var response = await Client.PostAsJsonAsync("/api/authorize", new { sessionId = session, accountId = account, calledNumber = "+4420712345" });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Post_paid_hard_limit_accounts_are_refused_past_their_limit()
    {
        var account = NewId("acc");
        await PutAccountAsync(account, "postpaid", initialBalance: 0m, creditLimit: 1m, hardLimit: true);
        var first = await PostAsync("/api/authorize", new { sessionId = NewId("s"), accountId = account, calledNumber = "+33612345678", requestedSeconds = 600 });
        Assert.Equal("SUCCESS", first.GetProperty("resultCode").GetString());
        Assert.True(first.GetProperty("finalUnit").GetBoolean());
        Assert.True(first.GetProperty("reservedAmount").GetDecimal() <= 1m);
    }

    [Fact]
    public async Task A_rate_deck_is_uploaded_and_bad_lines_are_listed_by_number()
    {
        var good = "prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to\n44,UK,0.01,0,60,60,,\n4420,London,0.008,0,30,6,2026-01-01,\n";
        using var ok = await Client.PutAsync($"/api/ratedecks/{NewId("deck")}", new StringContent(good, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(2, (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows").GetInt32());

        var bad = "prefix,destination,rate,min_seconds,increment_seconds\n44,UK,abc,60,60\n45,DK,0.01,60,0\n46,SE,0.01,60,60\n";
        using var refused = await Client.PutAsync($"/api/ratedecks/{NewId("deck")}", new StringContent(bad, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var lines = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()).ToArray();
        Assert.Equal([2, 3], lines);
    }

    [Theory]
    [InlineData("/api/authorize", "{not json")]
    [InlineData("/api/authorize", "[]")]
    [InlineData("/api/authorize", "")]
    [InlineData("/api/authorize", "{\"accountId\":\"smb\",\"calledNumber\":\"+331\"}")]
    [InlineData("/api/authorize", "{\"sessionId\":\"s-1\",\"calledNumber\":\"+331\"}")]
    [InlineData("/api/authorize", "{\"sessionId\":\"s-1\",\"accountId\":\"smb\"}")]
    [InlineData("/api/authorize", "{\"sessionId\":\"s-1\",\"accountId\":\"smb\",\"calledNumber\":\"+331\",\"requestedSeconds\":-5}")]
    [InlineData("/api/authorize", "{\"sessionId\":\"s-1\",\"accountId\":\"smb\",\"calledNumber\":\"+331\",\"requestedSeconds\":\"lots\"}")]
    [InlineData("/api/authorize", "{\"sessionId\":\"s-1\",\"accountId\":\"smb\",\"calledNumber\":\"+331\",\"startTime\":\"yesterday\"}")]
    [InlineData("/api/authorize", "{\"sessionId\":\"a b\",\"accountId\":\"smb\",\"calledNumber\":\"+331\"}")]
    [InlineData("/api/sessions/s-1/interim", "{\"requestNumber\":\"one\",\"usedSeconds\":10}")]
    [InlineData("/api/sessions/s-1/interim", "{\"requestNumber\":1}")]
    [InlineData("/api/sessions/s-1/interim", "{\"requestNumber\":1,\"usedSeconds\":-1}")]
    [InlineData("/api/sessions/s-1/interim", "{\"requestNumber\":1.5,\"usedSeconds\":1}")]
    [InlineData("/api/sessions/s-1/terminate", "{\"usedSeconds\":10}")]
    [InlineData("/api/sessions/s-1/terminate", "{\"requestNumber\":2,\"usedSeconds\":99999999999}")]
    [InlineData("/api/accounts/smb/topups", "{\"topupId\":\"t\",\"amount\":-1}")]
    [InlineData("/api/accounts/smb/topups", "{\"amount\":1}")]
    [InlineData("/api/accounts/smb/topups", "{\"topupId\":\"t\",\"amount\":\"1\"}")]
    public async Task Bad_requests_are_400_problems_that_say_what_is_wrong(string path, string body)
    {
        using var response = await Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("{\"name\":\"X\",\"mode\":\"weekly\",\"currency\":\"GBP\",\"rateDeckId\":\"demo\"}", "mode")]
    [InlineData("{\"name\":\"X\",\"mode\":\"prepaid\",\"currency\":\"pounds\",\"rateDeckId\":\"demo\"}", "currency")]
    [InlineData("{\"name\":\"X\",\"mode\":\"prepaid\",\"currency\":\"GBP\"}", "rateDeckId")]
    [InlineData("{\"name\":\"X\",\"mode\":\"prepaid\",\"currency\":\"GBP\",\"rateDeckId\":\"demo\",\"billingDay\":32}", "billingDay")]
    [InlineData("{\"name\":\"X\",\"mode\":\"prepaid\",\"currency\":\"GBP\",\"rateDeckId\":\"demo\",\"timeZone\":\"Mars/Olympus\"}", "timeZone")]
    [InlineData("{\"name\":\"X\",\"mode\":\"prepaid\",\"currency\":\"GBP\",\"rateDeckId\":\"demo\",\"tax\":{\"treatment\":\"sometimes\"}}", "tax.treatment")]
    [InlineData("{\"name\":\"X\",\"mode\":\"postpaid\",\"currency\":\"GBP\",\"rateDeckId\":\"demo\",\"hardLimit\":true}", "creditLimit")]
    public async Task Bad_account_settings_are_400_naming_the_field(string body, string field)
    {
        using var response = await Client.PutAsync($"/api/accounts/{NewId("acc")}", new StringContent(body, Encoding.UTF8, "application/json"));
        var detail = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(field, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_sessions_and_accounts_are_404_problems()
    {
        using var interim = await Client.PostAsJsonAsync($"/api/sessions/{NewId("none")}/interim", new { requestNumber = 1, usedSeconds = 1 });
        await AssertProblemAsync(interim, HttpStatusCode.NotFound);
        using var balance = await Client.GetAsync($"/api/accounts/{NewId("none")}/balance");
        await AssertProblemAsync(balance, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Random_garbage_never_gets_a_500()
    {
        var random = new Random(2026);
        string[] paths = ["/api/authorize", "/api/sessions/x/interim", "/api/sessions/x/terminate", "/api/accounts/x/topups"];
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            if (i % 2 == 0)
            {
                bytes[0] = (byte)'{';
            }

            using var response = await Client.PostAsync(paths[i % paths.Length], new ByteArrayContent(bytes));
            Assert.True((int)response.StatusCode < 500, $"{paths[i % paths.Length]} answered {(int)response.StatusCode}");
        }
    }

    private async Task PutAccountAsync(string account, string mode, decimal initialBalance, decimal? creditLimit = null, bool hardLimit = false)
    {
        using var response = await Client.PutAsJsonAsync($"/api/accounts/{account}", new
        {
            name = "Test", mode, currency = "GBP", creditLimit, hardLimit, initialBalance, rateDeckId = "demo",
            billingDay = 1, timeZone = "Europe/London", tax = new { treatment = "standard", rate = 0.20 },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<JsonElement> PostAsync(string path, object body) => Client.PostOkAsync(path, body);

    private Task<JsonElement> GetAsync(string path) => Client.GetOkAsync(path);

    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(detail));
        return detail!;
    }
}
