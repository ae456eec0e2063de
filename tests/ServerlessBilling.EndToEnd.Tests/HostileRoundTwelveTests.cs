using System.Net;
using System.Net.Http.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>Round twelve of the hostile review, on the keyless host: query strings that a listing misread.</summary>
public sealed class HostileRoundTwelveTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private HttpClient Client => host.Client;

    [Theory]
    [InlineData("/api/alerts?accountId={0}&accountId=other")]
    [InlineData("/api/alerts?accountId={0}&accountId=")]
    [InlineData("/api/quarantine?accountId={0}&accountId=other")]
    [InlineData("/api/quarantine?accountId={0}&accountId=")]
    public async Task A_repeated_account_filter_is_refused_rather_than_read_as_one_id_joined_by_a_comma(string template)
    {
        // A repeated limit was 400, but a repeated accountId was joined into one id ("acme,other", "acme,"), which is a
        // valid id of no account: the listing answered 200 with no items, as if the account had no alerts or quarantined
        // CDRs. docs/api.md: "A malformed request is always 400".
        var account = $"twice-{Guid.NewGuid():N}";
        await Client.PutAsJsonAsync($"/api/accounts/{account}", new { name = "Twice", mode = "postpaid", currency = "GBP", rateDeckId = "demo" });
        await Client.PostOkAsync("/api/accounts/" + account + "/suspend", new { reason = "check" });
        await Client.PostAsJsonAsync("/api/cdrs", new[]
        {
            new { cdrId = $"q-{Guid.NewGuid():N}", accountId = account, callingNumber = "", calledNumber = "+999123", startTime = DateTimeOffset.UtcNow.AddMinutes(-5), durationSeconds = 60, disposition = "ANSWERED" },
        });

        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, account);
        await (await Client.GetAsync(path)).ExpectProblemAsync(HttpStatusCode.BadRequest, "accountId");

        // Given once, the filter still lists the account's items (the suspension alert is raised by monitoring, soon after).
        var once = path[..path.IndexOf('&', StringComparison.Ordinal)];
        var items = 0;
        for (var attempt = 0; attempt < 100 && items == 0; attempt++)
        {
            items = (await Client.GetOkAsync(once)).GetProperty("items").GetArrayLength();
            if (items == 0)
            {
                await Task.Delay(100);
            }
        }

        Assert.NotEqual(0, items);
    }
}
