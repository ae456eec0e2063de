using System.Net;
using System.Net.Http.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// Round twenty-five of the hostile review: a CDR whose id holds U+FFFD is quarantined as not UTF-8 (round twenty-two),
/// but the API still took such ids. An authorize opened session "call-\uFFFD-…", whose CDR was then quarantined for
/// good: a call whose terminate never came (the switch restarted) or met a 409 was never charged past its interims.
/// An account created under such an id had every CDR quarantined. Each is refused at the API, as its CDR would be.
/// </summary>
public sealed class HostileRoundTwentyFiveHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private HttpClient Client => host.Client;

    [Fact]
    public async Task An_authorize_whose_session_id_its_cdr_could_never_carry_is_400_and_opens_nothing()
    {
        var sessionId = $"call-\uFFFD-{Guid.NewGuid():N}";
        using var response = await Client.PostAsJsonAsync("/api/authorize", new
        {
            sessionId,
            accountId = "acme",
            callingNumber = "+442071234567",
            calledNumber = "+33612345678",
            requestedSeconds = 60,
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        Assert.Contains("not valid UTF-8", text, StringComparison.Ordinal);

        using var terminate = await Client.PostAsJsonAsync($"/api/sessions/{Uri.EscapeDataString(sessionId)}/terminate", new { requestNumber = 1, usedSeconds = 10 });
        Assert.Equal(HttpStatusCode.BadRequest, terminate.StatusCode);
    }

    [Fact]
    public async Task An_account_whose_id_its_cdrs_could_never_carry_is_400()
    {
        var accountId = $"acct-\uFFFD-{Guid.NewGuid():N}"[..24];
        using var response = await Client.PutAsJsonAsync($"/api/accounts/{Uri.EscapeDataString(accountId)}", new { name = "Replacement", mode = "postpaid", currency = "GBP", rateDeckId = "demo", creditLimit = 100m });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        Assert.Contains("not valid UTF-8", text, StringComparison.Ordinal);
    }
}
