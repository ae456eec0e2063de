using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// A switch that sends a call under an account id that does not exist, then retries the same call id with the right
/// one: the first answer is ACCOUNT_NOT_FOUND and takes nothing, the retry is an ordinary call, charged once, by
/// session or by CDR, and never quarantined as another account's.
/// </summary>
public sealed class UnknownAccountHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string France = "+33612345678"; // 0.24 per minute, 0.01 to connect, 30/6 in the demo deck

    private HttpClient Client => host.Client;

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_call_id_first_sent_for_an_unknown_account_is_granted_charged_and_settled_for_the_right_one()
    {
        var account = NewId("acc");
        var nobody = NewId("nobody");
        await PutPrepaidAsync(account, 100m);
        var session = NewId("call");
        object Authorize(string who) => new { sessionId = session, accountId = who, calledNumber = France, requestedSeconds = 300 };

        var unknown = await PostAsync("/api/authorize", Authorize(nobody));
        Assert.Equal("ACCOUNT_NOT_FOUND", unknown.GetProperty("resultCode").GetString());
        Assert.Equal(0, unknown.GetProperty("grantedSeconds").GetInt32());

        var grant = await PostAsync("/api/authorize", Authorize(account));
        Assert.Equal("SUCCESS", grant.GetProperty("resultCode").GetString());
        Assert.Equal(300, grant.GetProperty("grantedSeconds").GetInt32());
        Assert.Equal(1.21m, grant.GetProperty("reservedAmount").GetDecimal());
        Assert.Equal(98.79m, grant.GetProperty("availableAfter").GetDecimal());
        Assert.Equal(grant.ToString(), (await PostAsync("/api/authorize", Authorize(account))).ToString());
        Assert.Equal(unknown.ToString(), (await PostAsync("/api/authorize", Authorize(nobody))).ToString());

        var end = await PostAsync($"/api/sessions/{session}/terminate", new { requestNumber = 1, usedSeconds = 42 });
        Assert.Equal(0.178m, end.GetProperty("charge").GetDecimal()); // 0.01 + 0.24 × 42/60
        Assert.Equal(99.822m, end.GetProperty("balance").GetDecimal());
        Assert.Equal(end.ToString(), (await PostAsync($"/api/sessions/{session}/terminate", new { requestNumber = 1, usedSeconds = 42 })).ToString());

        // Another call id refused for the unknown account, charged by its CDR alone.
        var cdrOnly = NewId("call");
        Assert.Equal("ACCOUNT_NOT_FOUND", (await PostAsync("/api/authorize", new { sessionId = cdrOnly, accountId = nobody, calledNumber = France })).GetProperty("resultCode").GetString());
        var cdrs = await PostCsvAsync($"""
            cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id
            {session}-cdr,{account},+442071234567,{France},2026-11-26T10:00:00Z,42,ANSWERED,{session}
            {cdrOnly}-cdr,{account},+442071234567,{France},2026-11-26T10:05:00Z,60,ANSWERED,{cdrOnly}
            """);
        Assert.Equal((2, 0), (cdrs.GetProperty("accepted").GetInt32(), cdrs.GetProperty("quarantinedCount").GetInt32()));
        Assert.Empty((await GetAsync($"/api/quarantine?accountId={account}")).GetProperty("items").EnumerateArray());

        var usage = (await GetAsync($"/api/accounts/{account}/usage")).GetProperty("items").EnumerateArray()
            .ToDictionary(u => u.GetProperty("sessionId").GetString()!, u => (u.GetProperty("settledBy").GetString(), u.GetProperty("charge").GetDecimal()));
        Assert.Equal(("session", 0.178m), usage[session]);
        Assert.Equal(("cdr", 0.25m), usage[cdrOnly]);

        var balance = await GetAsync($"/api/accounts/{account}/balance");
        Assert.Equal((99.572m, 0m, 0), (balance.GetProperty("balance").GetDecimal(), balance.GetProperty("reserved").GetDecimal(), balance.GetProperty("activeSessions").GetInt32()));
    }

    private async Task PutPrepaidAsync(string account, decimal opening)
    {
        using var response = await Client.PutAsJsonAsync($"/api/accounts/{account}", new
        {
            name = "Test", mode = "prepaid", currency = "GBP", initialBalance = opening, rateDeckId = "demo",
            billingDay = 1, timeZone = "Europe/London", tax = new { treatment = "standard", rate = 0.20 },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<JsonElement> PostCsvAsync(string csv)
    {
        using var response = await Client.PostAsync("/api/cdrs", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.True(response.IsSuccessStatusCode, $"/api/cdrs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<JsonElement> PostAsync(string path, object body) => Client.PostOkAsync(path, body);

    private Task<JsonElement> GetAsync(string path) => Client.GetOkAsync(path);
}
