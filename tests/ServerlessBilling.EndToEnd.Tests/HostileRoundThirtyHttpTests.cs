using System.Net;
using System.Net.Http.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// Round thirty of the hostile review, over HTTP: text an operator writes that the platform prints elsewhere. An account's
/// name heads each of its invoices and statements; a suspension's reason is the message of its ACCOUNT_SUSPENDED alert,
/// logged and posted to the webhook. Both took any character: a NUL, an escape sequence or a line break went raw into the
/// invoice's HTML (where a NUL is not even allowed) and PDF, and into the log line of the alert, where a line break starts
/// what reads as another entry. A deck's destination names were already refused for this. Each is a 400 naming the field.
/// </summary>
public sealed class HostileRoundThirtyHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private HttpClient Client => host.Client;

    [Theory]
    [InlineData("Acme\u0000Ltd")]
    [InlineData("Acme\u001b[31mLtd")]
    [InlineData("Acme Ltd\nFake Line")]
    public async Task An_account_name_holding_a_control_character_is_400_and_creates_nothing(string name)
    {
        var accountId = $"r30-name-{Guid.NewGuid():N}"[..24];
        using var response = await Client.PutAsJsonAsync($"/api/accounts/{accountId}", new { name, mode = "postpaid", currency = "GBP", rateDeckId = "demo", creditLimit = 100m });
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        Assert.Contains("name holds a control character", text, StringComparison.Ordinal);
        using var read = await Client.GetAsync($"/api/accounts/{accountId}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Theory]
    [InlineData("fraud\nInformation: all clear")]
    [InlineData("fraud\u0000")]
    [InlineData("fraud\u001b[2J")]
    public async Task A_suspension_reason_holding_a_control_character_is_400_and_suspends_nothing(string reason)
    {
        var accountId = $"r30-reason-{Guid.NewGuid():N}"[..24];
        using (var created = await Client.PutAsJsonAsync($"/api/accounts/{accountId}", new { name = "Reason Ltd", mode = "postpaid", currency = "GBP", rateDeckId = "demo", creditLimit = 100m }))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        using var response = await Client.PostAsJsonAsync($"/api/accounts/{accountId}/suspend", new { reason });
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        Assert.Contains("reason holds a control character", text, StringComparison.Ordinal);
        var balance = await Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/accounts/{accountId}/balance");
        Assert.Equal("active", balance.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_name_and_a_reason_in_any_script_are_taken()
    {
        var accountId = $"r30-script-{Guid.NewGuid():N}"[..24];
        using (var created = await Client.PutAsJsonAsync($"/api/accounts/{accountId}", new { name = "Société Générale – 株式会社 🚀", mode = "postpaid", currency = "EUR", rateDeckId = "demo", creditLimit = 100m }))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        using var response = await Client.PostAsJsonAsync($"/api/accounts/{accountId}/suspend", new { reason = "fraude suspectée – 詐欺" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
