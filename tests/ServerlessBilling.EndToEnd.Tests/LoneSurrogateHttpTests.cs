using System.Net;
using System.Text;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// JSON can escape a UTF-16 surrogate without its other half ("\ud800"): that is not text, and a UTF-8 store keeps it as
/// U+FFFD, so "call-\ud800" and "call-\udc00" were one row of the SQLite file but two keys of the in-memory claims. Such
/// an id is refused as U+FFFD is: 400 naming the field (it was "a value has the wrong type (numbers must be JSON
/// numbers, …)"), and a CDR holding one is quarantined saying why (Core: LoneSurrogateIdentifierTests).
/// </summary>
public sealed class LoneSurrogateHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string NotText = " is not valid Unicode text: it holds an unpaired surrogate";

    private HttpClient Client => host.Client;

    [Theory]
    [InlineData("""{"sessionId":"call-\ud800-SUFFIX","accountId":"smb","calledNumber":"+33612345678","requestedSeconds":60}""", "sessionId")]
    [InlineData("""{"sessionId":"call-\udfff-SUFFIX","accountId":"smb","calledNumber":"+33612345678","requestedSeconds":60}""", "sessionId")]
    [InlineData("""{"sessionId":"call-SUFFIX","accountId":"smb-\udfff","calledNumber":"+33612345678","requestedSeconds":60}""", "accountId")]
    public async Task An_authorize_escaping_a_lone_surrogate_in_an_id_is_400_naming_the_field_and_opens_nothing(string body, string field)
    {
        var before = await ActiveSessionsAsync("smb");

        var (status, detail) = await PostAsync("/api/authorize", body.Replace("SUFFIX", Guid.NewGuid().ToString("N"), StringComparison.Ordinal));

        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status} {detail}");
        Assert.StartsWith(field + NotText, detail, StringComparison.Ordinal);
        Assert.Equal(before, await ActiveSessionsAsync("smb"));
    }

    [Fact]
    public async Task A_top_up_escaping_a_lone_surrogate_in_its_id_is_400_naming_it()
    {
        var (status, detail) = await PostAsync("/api/accounts/smb/topups", """{"topupId":"t-\ud800","amount":5}""");

        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status} {detail}");
        Assert.StartsWith("topupId" + NotText, detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"cdrId":"c-\ud800-SUFFIX","accountId":"acme","calledNumber":"+33612345678","startTime":"2026-11-26T10:00:00Z","durationSeconds":60,"disposition":"ANSWERED"}""", "cdrId")]
    [InlineData("""{"cdrId":"c-SUFFIX","accountId":"acme","calledNumber":"+33612345678","startTime":"2026-11-26T10:00:00Z","durationSeconds":60,"disposition":"ANSWERED","sessionId":"\udc00"}""", "sessionId")]
    public async Task A_cdr_escaping_a_lone_surrogate_in_an_id_is_quarantined_saying_so(string cdr, string field)
    {
        using var response = await Client.PostAsync("/api/cdrs", new StringContent($"[{cdr.Replace("SUFFIX", Guid.NewGuid().ToString("N"), StringComparison.Ordinal)}]", Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");

        using var json = JsonDocument.Parse(text);
        Assert.Equal(0, json.RootElement.GetProperty("accepted").GetInt32());
        var quarantined = Assert.Single(json.RootElement.GetProperty("quarantined").EnumerateArray());
        Assert.StartsWith(field + NotText, quarantined.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    private async Task<(HttpStatusCode Status, string? Detail)> PostAsync(string path, string json)
    {
        using var response = await Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        using var problem = JsonDocument.Parse(text);
        return (response.StatusCode, problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : text);
    }

    private async Task<int> ActiveSessionsAsync(string account)
    {
        using var json = JsonDocument.Parse(await Client.GetStringAsync($"/api/accounts/{account}/balance"));
        return json.RootElement.GetProperty("activeSessions").GetInt32();
    }
}
