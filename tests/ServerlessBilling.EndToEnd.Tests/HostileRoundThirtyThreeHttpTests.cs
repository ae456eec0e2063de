using System.Net;
using System.Text;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// Round thirty-three of the hostile review, over HTTP: one call, one spelling. The credit-control routes read their JSON
/// bodies as the API's JSON settings do, field names without regard to case, so a switch that writes <c>sessionID</c> (the
/// Go spelling of an acronym) or <c>SessionId</c> (a .NET serializer's default) is authorized and terminated as any other.
/// The CDR batch read the same field names exactly: its <c>sessionID</c> was an unknown field, ignored, and the CDR was
/// charged as a call of its own after its session had charged it: every call charged twice.
/// </summary>
public sealed class HostileRoundThirtyThreeHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private HttpClient Client => host.Client;

    [Theory]
    [InlineData("sessionID")]
    [InlineData("SessionId")]
    public async Task A_cdr_naming_its_session_in_the_casing_its_authorize_used_is_settled_by_that_session_not_charged_again(string field)
    {
        var accountId = $"r33-case-{Guid.NewGuid():N}"[..24];
        var sessionId = $"r33-call-{Guid.NewGuid():N}";
        await SendJsonOkAsync(HttpMethod.Put, $"/api/accounts/{accountId}", """{"name":"Case Ltd","mode":"prepaid","currency":"GBP","rateDeckId":"demo","initialBalance":10}""");

        var granted = await SendJsonOkAsync(HttpMethod.Post, "/api/authorize",
            $$"""{"{{field}}":"{{sessionId}}","accountId":"{{accountId}}","calledNumber":"+33612345678","startTime":"2026-11-26T10:00:00Z","requestedSeconds":60}""");
        Assert.Equal("SUCCESS", granted.GetProperty("resultCode").GetString());
        var terminated = await Client.PostOkAsync($"/api/sessions/{sessionId}/terminate", new { requestNumber = 1, usedSeconds = 42 });
        Assert.Equal(0.178m, terminated.GetProperty("charge").GetDecimal());

        var batch = await SendJsonOkAsync(HttpMethod.Post, "/api/cdrs",
            $$"""[{"cdrId":"{{sessionId}}-cdr","accountId":"{{accountId}}","callingNumber":"+442071234567","calledNumber":"+33612345678","startTime":"2026-11-26T10:00:00Z","durationSeconds":42,"disposition":"ANSWERED","{{field}}":"{{sessionId}}"}]""");
        Assert.Equal(1, batch.GetProperty("accepted").GetInt32());

        var balance = await Client.GetOkAsync($"/api/accounts/{accountId}/balance");
        Assert.Equal(10m - 0.178m, balance.GetProperty("balance").GetDecimal());
        var usage = Assert.Single((await Client.GetOkAsync($"/api/accounts/{accountId}/usage")).GetProperty("items").EnumerateArray());
        Assert.Equal(sessionId, usage.GetProperty("sessionId").GetString());
        Assert.Equal("session", usage.GetProperty("settledBy").GetString());
    }

    /// <summary>The same in a CDR file: its header's <c>sessionId</c>, the field's name everywhere else in the API, was an unknown column.</summary>
    [Fact]
    public async Task A_cdr_file_naming_the_session_column_as_the_api_names_the_field_is_settled_by_the_session_not_charged_again()
    {
        var accountId = $"r33-csv-{Guid.NewGuid():N}"[..24];
        var sessionId = $"r33-csv-call-{Guid.NewGuid():N}";
        await SendJsonOkAsync(HttpMethod.Put, $"/api/accounts/{accountId}", """{"name":"Csv Ltd","mode":"prepaid","currency":"GBP","rateDeckId":"demo","initialBalance":10}""");
        await SendJsonOkAsync(HttpMethod.Post, "/api/authorize",
            $$"""{"sessionId":"{{sessionId}}","accountId":"{{accountId}}","calledNumber":"+33612345678","startTime":"2026-11-26T10:00:00Z","requestedSeconds":60}""");
        await Client.PostOkAsync($"/api/sessions/{sessionId}/terminate", new { requestNumber = 1, usedSeconds = 42 });

        using var posted = await Client.PostAsync("/api/cdrs", new StringContent(
            "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,sessionId\n"
            + $"{sessionId}-cdr,{accountId},+442071234567,+33612345678,2026-11-26T10:00:00Z,42,ANSWERED,{sessionId}\n",
            Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);

        Assert.Equal(10m - 0.178m, (await Client.GetOkAsync($"/api/accounts/{accountId}/balance")).GetProperty("balance").GetDecimal());
        var usage = Assert.Single((await Client.GetOkAsync($"/api/accounts/{accountId}/usage")).GetProperty("items").EnumerateArray());
        Assert.Equal("session", usage.GetProperty("settledBy").GetString());
    }

    [Fact]
    public async Task A_cdr_naming_its_session_twice_in_two_casings_is_quarantined_and_charges_nothing()
    {
        var accountId = $"r33-twice-{Guid.NewGuid():N}"[..24];
        await SendJsonOkAsync(HttpMethod.Put, $"/api/accounts/{accountId}", """{"name":"Twice Ltd","mode":"prepaid","currency":"GBP","rateDeckId":"demo","initialBalance":10}""");

        var batch = await SendJsonOkAsync(HttpMethod.Post, "/api/cdrs",
            $$"""[{"cdrId":"r33-twice","accountId":"{{accountId}}","callingNumber":"","calledNumber":"+33612345678","startTime":"2026-11-26T10:00:00Z","durationSeconds":42,"disposition":"ANSWERED","sessionId":"a","SessionID":"b"}]""");

        Assert.Equal(0, batch.GetProperty("accepted").GetInt32());
        var quarantined = Assert.Single(batch.GetProperty("quarantined").EnumerateArray());
        Assert.Contains("sessionId appears twice", quarantined.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(10m, (await Client.GetOkAsync($"/api/accounts/{accountId}/balance")).GetProperty("balance").GetDecimal());
    }

    /// <summary>
    /// "." and ".." are RFC 3261 Call-IDs, but as a path segment they are dot segments, which the host removes before
    /// routing even when percent-encoded (%2E%2E): such a call was authorized, its credit reserved, and its interim and
    /// terminate answered an empty 404 (the route they reach is another), so its switch could neither extend nor end it.
    /// </summary>
    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public async Task A_session_id_that_is_a_dot_segment_is_400_at_authorize_and_reserves_nothing(string sessionId)
    {
        var accountId = $"r33-dot-{Guid.NewGuid():N}"[..24];
        await SendJsonOkAsync(HttpMethod.Put, $"/api/accounts/{accountId}", """{"name":"Dot Ltd","mode":"prepaid","currency":"GBP","rateDeckId":"demo","initialBalance":10}""");

        using var response = await Client.PostAsync("/api/authorize", new StringContent(
            $$"""{"sessionId":"{{sessionId}}","accountId":"{{accountId}}","calledNumber":"+33612345678","requestedSeconds":60}""", Encoding.UTF8, "application/json"));

        await response.ExpectProblemAsync(HttpStatusCode.BadRequest, "sessionId");
        Assert.Equal(0m, (await Client.GetOkAsync($"/api/accounts/{accountId}/balance")).GetProperty("reserved").GetDecimal());
    }

    [Fact]
    public async Task A_session_id_of_dots_that_is_no_dot_segment_is_authorized_and_terminated()
    {
        var accountId = $"r33-dots-{Guid.NewGuid():N}"[..24];
        await SendJsonOkAsync(HttpMethod.Put, $"/api/accounts/{accountId}", """{"name":"Dots Ltd","mode":"prepaid","currency":"GBP","rateDeckId":"demo","initialBalance":10}""");
        await SendJsonOkAsync(HttpMethod.Post, "/api/authorize", $$"""{"sessionId":"...","accountId":"{{accountId}}","calledNumber":"+33612345678","requestedSeconds":60}""");

        var terminated = await Client.PostOkAsync("/api/sessions/%2E%2E%2E/terminate", new { requestNumber = 1, usedSeconds = 42 });

        Assert.Equal("...", terminated.GetProperty("sessionId").GetString());
        Assert.Equal(10m - 0.178m, (await Client.GetOkAsync($"/api/accounts/{accountId}/balance")).GetProperty("balance").GetDecimal());
    }

    private async Task<JsonElement> SendJsonOkAsync(HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
