using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>What a newcomer finds: the home page, health, the OpenAPI document and its reference page.</summary>
public sealed class DiscoveryHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    /// <summary>
    /// Every route of the HTTP API (method and path as the contract writes them). Grow this list with the API:
    /// alerts, suspend/resume and invoices join it when their endpoints are mapped.
    /// </summary>
    public static readonly TheoryData<string, string> ContractRoutes = new()
    {
        { "POST", "/api/authorize" },
        { "POST", "/api/sessions/{sessionId}/interim" },
        { "POST", "/api/sessions/{sessionId}/terminate" },
        { "GET", "/api/accounts/{accountId}/balance" },
        { "PUT", "/api/accounts/{accountId}" },
        { "POST", "/api/accounts/{accountId}/topups" },
        { "PUT", "/api/ratedecks/{deckId}" },
        { "POST", "/api/cdrs" },
        { "GET", "/api/accounts/{accountId}/usage" },
        { "GET", "/api/quarantine" },
        { "GET", "/api/alerts" },
        { "POST", "/api/accounts/{accountId}/suspend" },
        { "POST", "/api/accounts/{accountId}/resume" },
        { "POST", "/api/invoices/run" },
        { "GET", "/api/accounts/{accountId}/invoices" },
        { "GET", "/api/invoices/{invoiceId}" },
        { "GET", "/api/accounts" },
        { "GET", "/api/accounts/{accountId}" },
        { "GET", "/api/ratedecks" },
    };

    /// <summary>Routes whose answer is a document (HTML, PDF), not JSON.</summary>
    public static readonly TheoryData<string, string> DocumentRoutes = new()
    {
        { "GET", "/api/invoices/{invoiceId}/document" },
        { "GET", "/api/ratedecks/{deckId}" },
    };

    private HttpClient Client => host.Client;

    [Theory]
    [MemberData(nameof(ContractRoutes))]
    public async Task Every_route_is_in_the_openapi_document_with_an_answer_schema_and_example(string method, string path)
    {
        using var document = await GetDocumentAsync();

        Assert.True(document.RootElement.GetProperty("paths").TryGetProperty(path, out var item), $"{path} is not in the document");
        Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out var operation), $"{method} {path} is not in the document");
        Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
        var ok = operation.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json");
        Assert.Equal(JsonValueKind.Object, ok.GetProperty("schema").ValueKind);
        Assert.Equal(JsonValueKind.Object, ok.GetProperty("example").ValueKind);
        if (path != "/api/ratedecks") // takes no input, so there is nothing to refuse
        {
            Assert.True(operation.GetProperty("responses").TryGetProperty("400", out _), $"{method} {path} documents no 400");
        }
        if (method is "POST" or "PUT" && !path.EndsWith("/resume", StringComparison.Ordinal)) // resume takes no body
        {
            var body = operation.GetProperty("requestBody").GetProperty("content");
            Assert.All(body.EnumerateObject(), media =>
            {
                Assert.True(media.Value.TryGetProperty("schema", out _));
                Assert.True(media.Value.TryGetProperty("example", out _), $"{media.Name} of {method} {path} has no example");
            });
        }
    }

    [Fact]
    public async Task The_document_has_no_route_the_contract_list_lacks()
    {
        using var document = await GetDocumentAsync();
        var expected = ContractRoutes.Concat(DocumentRoutes).Select(r => $"{r[0]} {r[1]}").ToHashSet();

        var documented = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => $"{o.Name.ToUpperInvariant()} {p.Name}"));

        Assert.All(documented, route => Assert.Contains(route, expected));
    }

    [Fact]
    public async Task Authorize_example_requests_validate_against_the_required_fields()
    {
        using var document = await GetDocumentAsync();
        var body = document.RootElement.GetProperty("paths").GetProperty("/api/authorize").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json");

        var required = body.GetProperty("schema").GetProperty("required").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["sessionId", "accountId", "calledNumber"], required);
        Assert.All(required, field => Assert.True(body.GetProperty("example").TryGetProperty(field!, out _)));
    }

    [Fact]
    public async Task The_example_authorize_is_answered_as_its_documented_answer()
    {
        using var document = await GetDocumentAsync();
        var operation = document.RootElement.GetProperty("paths").GetProperty("/api/authorize").GetProperty("post");
        var example = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        var documented = operation.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("example");
        var request = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(example.GetRawText())!;
        request["sessionId"] = JsonSerializer.SerializeToElement($"doc-{Guid.NewGuid():N}");

        using var response = await Client.PostAsync("/api/authorize", JsonContent(request));
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var field in new[] { "resultCode", "grantedSeconds", "validitySeconds", "finalUnit", "reservedAmount", "ratePerMinute", "currency" })
        {
            Assert.Equal(documented.GetProperty(field).GetRawText(), answer.GetProperty(field).GetRawText());
        }
    }

    [Fact]
    public async Task The_reference_page_is_served()
    {
        using var response = await Client.GetAsync("/scalar/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("openapi/v1.json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Home_page_links_the_reference_the_document_and_health()
    {
        var html = await Client.GetStringAsync("/");

        foreach (var link in new[] { "/scalar", "/openapi/v1.json", "/healthz", "/readyz" })
        {
            Assert.Contains($"href=\"{link}\"", html, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_answers_healthy(string path)
    {
        using var response = await Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readiness_fails_while_the_store_faults_and_liveness_does_not()
    {
        var store = new SwitchableAccountStore();
        await using var app = LocalHost.Build(
            ["--urls", "http://127.0.0.1:0", "--Local:SeedDemo=false", "--Logging:LogLevel:Default=None"],
            builder => builder.Services.AddSingleton<IAccountStore>(store));
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };

        store.Down = true;
        using var ready = await client.GetAsync("/readyz");
        using var live = await client.GetAsync("/healthz");
        store.Down = false;
        using var readyAgain = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readyAgain.StatusCode);
        await app.StopAsync();
    }

    private static StringContent JsonContent(object value) =>
        new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");

    private async Task<JsonDocument> GetDocumentAsync()
    {
        using var response = await Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The embedded account store, made to fault on demand.</summary>
    private sealed class SwitchableAccountStore : IAccountStore
    {
        private readonly InMemoryAccountStore _inner = new();

        public volatile bool Down;

        public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) =>
            Down ? throw new StoreUnavailableException("switched off by the test") : _inner.GetAsync(accountId, cancellationToken);

        public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken) => _inner.TryCreateAsync(account, cancellationToken);

        public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken) => _inner.TryReplaceAsync(account, ifMatch, cancellationToken);

        public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) => _inner.FindExpiringAsync(instant, cancellationToken);
    }
}
