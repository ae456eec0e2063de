using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>Answers that must say what happened: the title of a 413, a JSON batch with a byte-order mark.</summary>
public sealed class ClarityHttpTests(SmallBodyHostFixture host) : IClassFixture<SmallBodyHostFixture>
{
    [Fact]
    public async Task A_body_past_the_request_limit_is_titled_as_too_large_not_as_a_bad_request()
    {
        var batch = new string(' ', SmallBodyHostFixture.MaxRequestBodyBytes + 1) + "[]";

        using var response = await host.Client.PostAsync("/api/cdrs", new StringContent(batch, Encoding.UTF8, "application/json"));

        var problem = await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("Request body too large", problem.GetProperty("title").GetString());
        Assert.Contains($"{SmallBodyHostFixture.MaxRequestBodyBytes} bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_json_body_counted_past_its_limit_as_it_arrives_is_titled_as_too_large()
    {
        var body = $$"""{"sessionId":"clarity-413","accountId":"smb","calledNumber":"+33612345678","pad":"{{new string('x', SmallBodyHostFixture.MaxJsonBodyBytes)}}"}""";
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/api/authorize") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        chunked.Headers.TransferEncodingChunked = true;

        using var response = await host.Client.SendAsync(chunked);

        var problem = await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("Request body too large", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_json_cdr_batch_starting_with_a_utf8_byte_order_mark_is_accepted_as_a_csv_one_is()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var json = $$"""[{"cdrId":"{{run}}-1","accountId":"smb","callingNumber":"+442071234567","calledNumber":"+33612345678","startTime":"2026-11-26T10:00:00Z","durationSeconds":60,"disposition":"ANSWERED"}]""";
        using var content = new ByteArrayContent([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(json)]);
        content.Headers.ContentType = new("application/json");

        using var response = await host.Client.PostAsync("/api/cdrs", content);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"answered {(int)response.StatusCode}: {text}");
        var result = JsonDocument.Parse(text).RootElement;
        Assert.Equal(1, result.GetProperty("received").GetInt32());
        Assert.Equal(1, result.GetProperty("accepted").GetInt32());
        Assert.Empty(result.GetProperty("quarantined").EnumerateArray());
    }

    internal static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}

/// <summary>A 503 names the store that failed, or says "a store" when the fault does not tell: never another store.</summary>
public sealed class StoreNamingHttpTests(DownDeckStoreHostFixture host) : IClassFixture<DownDeckStoreHostFixture>
{
    [Fact]
    public async Task A_rate_deck_store_fault_is_503_naming_the_rate_deck_store_not_the_account_store()
    {
        var detail = await ListDecksDetailAsync(named: true);

        Assert.StartsWith("the rate-deck store is unavailable: ", detail, StringComparison.Ordinal);
        Assert.Contains(DownDeckStore.Reason, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_fault_that_does_not_say_which_store_says_a_store()
    {
        var detail = await ListDecksDetailAsync(named: false);

        Assert.StartsWith("a store is unavailable: ", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_account_store_is_still_served_while_the_deck_store_is_down()
    {
        var balance = await host.Client.GetOkAsync("/api/accounts/smb/balance");

        Assert.Equal("smb", balance.GetProperty("accountId").GetString());
    }

    /// <summary>The detail of the 503 that listing the decks gets; asserts what every such answer has.</summary>
    private async Task<string> ListDecksDetailAsync(bool named)
    {
        host.Decks.Named = named;

        using var response = await host.Client.GetAsync("/api/ratedecks");

        var detail = (await ClarityHttpTests.ProblemAsync(response, HttpStatusCode.ServiceUnavailable)).GetProperty("detail").GetString()!;
        Assert.True(response.Headers.Contains("Retry-After"));
        Assert.DoesNotContain("account store", detail, StringComparison.Ordinal);
        return detail;
    }
}

/// <summary>The local host whose rate deck store cannot list its decks (writes and reads still work: the demo is seeded).</summary>
public sealed class DownDeckStoreHostFixture : LocalHostFixture
{
    public DownDeckStore Decks { get; } = new(new InMemoryRateDeckStore());

    protected override void Configure(WebApplicationBuilder builder) => builder.Services.AddSingleton<IRateDeckStore>(Decks);
}

public sealed class DownDeckStore(IRateDeckStore inner) : IRateDeckStore
{
    public const string Reason = "listing decks failed (switched off by the test)";

    /// <summary>Whether the fault names its store, as a store adapter's does; a deadline's cannot.</summary>
    public volatile bool Named;

    public Task PutAsync(RateDeck deck, CancellationToken cancellationToken) => inner.PutAsync(deck, cancellationToken);

    public Task<RateDeck?> GetAsync(string deckId, CancellationToken cancellationToken) => inner.GetAsync(deckId, cancellationToken);

    public Task<IReadOnlyList<RateDeckSummary>> ListAsync(CancellationToken cancellationToken) =>
        throw (Named ? new StoreUnavailableException(Reason) { Store = "rate-deck store" } : new StoreUnavailableException(Reason));
}
