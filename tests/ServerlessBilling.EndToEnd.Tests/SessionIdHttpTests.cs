using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServerlessBilling.Testing;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// A SIP switch uses the Call-ID as the session id: any RFC 3261 Call-ID works over HTTP, percent-encoded in the
/// path of interim and terminate.
/// </summary>
public sealed class SessionIdHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private HttpClient Client => host.Client;

    /// <param name="prefix">The Call-ID before a unique tail; empty: a 256-character one with every RFC 3261 character.</param>
    [Theory]
    [InlineData("")]
    [InlineData("a84b4c76e66710/pc33.atlanta.com@")]
    [InlineData("what?#fragment")]
    [InlineData("back\\slash\"quote\"%41")]
    [InlineData("%2Fencoded-looking")]
    [InlineData("%252F%25")]
    public async Task A_call_id_percent_encoded_in_the_path_is_the_session_of_interim_and_terminate(string prefix)
    {
        var unique = Guid.NewGuid().ToString("N");
        var callId = prefix.Length == 0 ? Fixtures.CallId(unique) : prefix + unique;
        var account = await OpenAsync();
        var grant = await PostAsync("/api/authorize", new { sessionId = callId, accountId = account, calledNumber = "+33612345678", requestedSeconds = 300 });
        Assert.Equal(callId, grant.GetProperty("sessionId").GetString());
        Assert.Equal("SUCCESS", grant.GetProperty("resultCode").GetString());

        var path = $"/api/sessions/{Uri.EscapeDataString(callId)}";
        var interim = await PostAsync($"{path}/interim", new { requestNumber = 1, usedSeconds = 300, requestedSeconds = 300 });
        Assert.Equal(callId, interim.GetProperty("sessionId").GetString());
        var end = await PostAsync($"{path}/terminate", new { requestNumber = 2, usedSeconds = 42 });
        Assert.Equal(callId, end.GetProperty("sessionId").GetString());
        Assert.Equal(1.378m, end.GetProperty("charge").GetDecimal()); // 342 s of the demo deck's 0.24/min 30/6 with 0.01 connect
        Assert.Equal(end.ToString(), (await PostAsync($"{path}/terminate", new { requestNumber = 2, usedSeconds = 42 })).ToString());

        var balance = await GetAsync($"/api/accounts/{account}/balance");
        Assert.Equal((98.622m, 0m, 0), (balance.GetProperty("balance").GetDecimal(), balance.GetProperty("reserved").GetDecimal(), balance.GetProperty("activeSessions").GetInt32()));
    }

    [Fact]
    public async Task A_slash_and_its_escape_written_out_are_two_sessions()
    {
        var account = await OpenAsync();
        var unique = Guid.NewGuid().ToString("N");
        var slash = $"{unique}/x";
        var spelled = $"{unique}%2Fx";
        await PostAsync("/api/authorize", new { sessionId = slash, accountId = account, calledNumber = "+33612345678", requestedSeconds = 60 });

        using var unknown = await Client.PostAsJsonAsync($"/api/sessions/{Uri.EscapeDataString(spelled)}/terminate", new { requestNumber = 1, usedSeconds = 10 });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var end = await PostAsync($"/api/sessions/{Uri.EscapeDataString(slash)}/terminate", new { requestNumber = 1, usedSeconds = 10 });
        Assert.Equal(slash, end.GetProperty("sessionId").GetString());
    }

    [Fact]
    public async Task A_session_id_longer_than_256_characters_or_with_white_space_is_a_400()
    {
        var account = await OpenAsync();
        using var tooLong = await Client.PostAsJsonAsync("/api/authorize", new { sessionId = Fixtures.CallId("x", 257), accountId = account, calledNumber = "+33612345678" });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("longer than 256", await tooLong.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var spaced = await Client.PostAsJsonAsync($"/api/sessions/{Uri.EscapeDataString("a b")}/terminate", new { requestNumber = 1, usedSeconds = 10 });
        Assert.Equal(HttpStatusCode.BadRequest, spaced.StatusCode);
    }

    private async Task<string> OpenAsync()
    {
        var account = $"callid-{Guid.NewGuid():N}";
        using var response = await Client.PutAsJsonAsync($"/api/accounts/{account}", new
        {
            name = "Call-ID test", mode = "prepaid", currency = "GBP", initialBalance = 100m, rateDeckId = "demo",
            billingDay = 1, timeZone = "Europe/London", tax = new { treatment = "standard", rate = 0.20 },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return account;
    }

    private Task<JsonElement> PostAsync(string path, object body) => Client.PostOkAsync(path, body);

    private Task<JsonElement> GetAsync(string path) => Client.GetOkAsync(path);
}
