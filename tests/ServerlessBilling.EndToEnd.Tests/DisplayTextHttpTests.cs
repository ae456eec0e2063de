using System.Net;
using System.Net.Http.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// A suspension's reason is the message of its ACCOUNT_SUSPENDED alert, and an account's name heads its invoices: a line
/// separator or a bidirectional control in either printed as a line break or reordered the text after it, as a control
/// character would have (which was refused). Each is a 400 naming the field and the character, and changes nothing.
/// </summary>
public sealed class DisplayTextHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private HttpClient Client => host.Client;

    [Theory]
    [InlineData("fraud\u2028Information: all clear", "U+2028")]
    [InlineData("fraud \u202Ekcehc", "U+202E")]
    [InlineData("fraud \u2067note", "U+2067")]
    public async Task A_suspension_reason_holding_a_separator_or_a_bidirectional_control_is_400_and_suspends_nothing(string reason, string named)
    {
        var accountId = $"dt-reason-{Guid.NewGuid():N}"[..24];
        using (var created = await Client.PutAsJsonAsync($"/api/accounts/{accountId}", new { name = "Reason Ltd", mode = "postpaid", currency = "GBP", rateDeckId = "demo", creditLimit = 100m }))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        using var response = await Client.PostAsJsonAsync($"/api/accounts/{accountId}/suspend", new { reason });
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        Assert.Contains("reason holds ", text, StringComparison.Ordinal);
        Assert.Contains(named, text, StringComparison.Ordinal);
        var balance = await Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/accounts/{accountId}/balance");
        Assert.Equal("active", balance.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_account_name_holding_a_paragraph_separator_is_400_and_creates_nothing()
    {
        var accountId = $"dt-name-{Guid.NewGuid():N}"[..24];
        using var response = await Client.PutAsJsonAsync($"/api/accounts/{accountId}", new { name = "Acme Ltd\u2029Fake Line", mode = "postpaid", currency = "GBP", rateDeckId = "demo", creditLimit = 100m });
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        Assert.Contains("name holds ", text, StringComparison.Ordinal);
        Assert.Contains("U+2029", text, StringComparison.Ordinal);
        using var read = await Client.GetAsync($"/api/accounts/{accountId}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }
}
