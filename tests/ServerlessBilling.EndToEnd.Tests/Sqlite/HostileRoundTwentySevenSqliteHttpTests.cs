using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;

namespace ServerlessBilling.EndToEnd.Tests.Sqlite;

/// <summary>
/// Round twenty-seven of the hostile review, on the local host's durable default store (SQLite), across restarts.
/// </summary>
public sealed class HostileRoundTwentySevenSqliteHttpTests : IDisposable
{
    private readonly TempFolder _data = new();

    private Task<(WebApplication App, HttpClient Client)> StartAsync() => SqliteHost.StartAsync(_data.Path);

    private static Task StopAsync(WebApplication app, HttpClient client) => SqliteHost.StopAsync(app, client);

    public static TheoryData<string, string, string> OversizedNumbers => new()
    {
        // A CDR's calling number is at most 64 printable characters; the authorize took any length, and kept it in the
        // session's fingerprint in the account document (and its closed record): a switch could grow a document by a
        // megabyte a call, up to the 100 closed sessions kept, and past Cosmos DB's 2 MB item limit.
        { "callingNumber", "+44" + new string('7', 200_000), "+33612345678" },
        { "callingNumber", "+4420\u00007123", "+33612345678" },
        // A called number is rated trimmed, so white space around it padded the fingerprint the same way.
        { "calledNumber", "+442071234567", new string(' ', 200_000) + "+33612345678" },
    };

    /// <summary>
    /// An authorize whose calling or called number no CDR could carry is refused (400 naming the field) and opens nothing:
    /// before, it was granted and its numbers were stored whole in the account's document and the session's record.
    /// </summary>
    [Theory]
    [MemberData(nameof(OversizedNumbers))]
    public async Task An_authorize_with_a_number_no_cdr_could_carry_is_400_naming_it_and_opens_nothing_across_a_restart(string field, string calling, string called)
    {
        var (app, client) = await StartAsync();
        var account = $"numbers-{Guid.NewGuid():N}"[..20];
        await client.PutPrepaidAsync(account, 10m);
        var before = (await client.BalanceAsync(account)).GetRawText();

        using (var response = await client.PostAsJsonAsync("/api/authorize", new { sessionId = "padded-call", accountId = account, callingNumber = calling, calledNumber = called, requestedSeconds = 60 }))
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text[..Math.Min(text.Length, 300)]}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(field, JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(before, (await client.BalanceAsync(account)).GetRawText());
        await StopAsync(app, client);

        (app, client) = await StartAsync();
        Assert.Equal(before, (await client.BalanceAsync(account)).GetRawText());
        using (var terminate = await client.PostAsJsonAsync("/api/sessions/padded-call/terminate", new { requestNumber = 1, usedSeconds = 30 }))
        {
            Assert.Equal(HttpStatusCode.NotFound, terminate.StatusCode);
        }

        // The id is free for the call as a switch should send it.
        var grant = await client.PostJsonAsync("/api/authorize", new { sessionId = "padded-call", accountId = account, callingNumber = "+442071234567", calledNumber = "+33612345678", requestedSeconds = 60 });
        Assert.Equal("SUCCESS", grant.GetProperty("resultCode").GetString());
        await StopAsync(app, client);
    }

    public void Dispose() => _data.Dispose();
}
