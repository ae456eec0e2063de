using System.Net;
using System.Text;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// Round thirty-seven of the hostile review, over HTTP. JSON has one kind of number: a switch whose serializer writes
/// doubles sends <c>"usedSeconds": 42.0</c>, and a CDR batch already reads <c>42.0</c> and <c>4.2e1</c> as 42 seconds
/// (formats.md). Credit control refused them as "a value has the wrong type (numbers must be JSON numbers, …)", which is
/// false, so every interim and terminate of such a switch was 400 and its calls were charged by none of them.
/// </summary>
public sealed class HostileRoundThirtySevenHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private HttpClient Client => host.Client;

    [Fact]
    public async Task Whole_seconds_written_with_a_fraction_or_an_exponent_are_those_seconds_in_credit_control()
    {
        var accountId = $"r37-num-{Guid.NewGuid():N}"[..24];
        var sessionId = $"r37-num-call-{Guid.NewGuid():N}";
        await SendOkAsync(HttpMethod.Put, $"/api/accounts/{accountId}", """{"name":"Num Ltd","mode":"prepaid","currency":"GBP","rateDeckId":"demo","initialBalance":10}""");

        var granted = await SendOkAsync(HttpMethod.Post, "/api/authorize",
            $$"""{"sessionId":"{{sessionId}}","accountId":"{{accountId}}","calledNumber":"+33612345678","startTime":"2026-11-26T10:00:00Z","requestedSeconds":6e1}""");
        Assert.Equal(60, granted.GetProperty("grantedSeconds").GetInt32());

        var renewed = await SendOkAsync(HttpMethod.Post, $"/api/sessions/{sessionId}/interim", """{"requestNumber":1.0,"usedSeconds":30.0,"requestedSeconds":60.000}""");
        Assert.Equal(60, renewed.GetProperty("grantedSeconds").GetInt32());

        var terminated = await SendOkAsync(HttpMethod.Post, $"/api/sessions/{sessionId}/terminate", """{"requestNumber":2E0,"usedSeconds":120e-1}""");
        Assert.Equal(42, terminated.GetProperty("totalSeconds").GetInt32());
        Assert.Equal(0.178m, terminated.GetProperty("charge").GetDecimal());
    }

    [Theory]
    [InlineData("""{"requestNumber":1,"usedSeconds":42.5}""", "usedSeconds", "42.5 is not a whole number")]
    [InlineData("""{"requestNumber":1,"usedSeconds":2147483648}""", "usedSeconds", "2147483648 is more than")]
    [InlineData("""{"requestNumber":1.5,"usedSeconds":42}""", "requestNumber", "1.5 is not a whole number")]
    public async Task A_fraction_or_a_number_past_any_count_is_400_saying_so(string body, string field, string says)
    {
        using var response = await Client.PostAsync($"/api/sessions/r37-none-{Guid.NewGuid():N}/terminate", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
        Assert.Contains(field, detail, StringComparison.Ordinal);
        Assert.Contains(says, detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// A field given twice (in two casings, which the API reads alike) was refused naming the .NET type it was read into
    /// ("Duplicate property 'usedSeconds' encountered during deserialization of type 'ServerlessBilling.Api.Contracts.
    /// TerminateBody'"): said in the contract's words, as a CDR's is.
    /// </summary>
    [Theory]
    [InlineData("/api/sessions/r37-dup/terminate", """{"requestNumber":1,"usedSeconds":10,"UsedSeconds":500}""", "usedSeconds appears twice in the body")]
    [InlineData("/api/accounts/r37-dup/topups", """{"topupId":"t-1","amount":5,"Amount":500}""", "amount appears twice in the body")]
    public async Task A_field_given_twice_is_400_in_the_contracts_words(string path, string body, string says)
    {
        using var response = await Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
        Assert.Contains(says, detail, StringComparison.Ordinal);
        Assert.DoesNotContain("ServerlessBilling.", detail, StringComparison.Ordinal);
    }

    private async Task<JsonElement> SendOkAsync(HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
