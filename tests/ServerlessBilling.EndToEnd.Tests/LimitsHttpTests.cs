using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>The per-key rate limit, when configured: 429 problem+json with Retry-After, per key, open routes exempt.</summary>
public sealed class RateLimitHttpTests(RateLimitedHostFixture host) : IClassFixture<RateLimitedHostFixture>
{
    [Fact]
    public async Task Past_its_rate_a_key_gets_429_with_retry_after_while_other_keys_and_open_routes_pass()
    {
        // A burst, sent at once so that it lands within one replenishment period however slow the machine.
        var burst = await Task.WhenAll(Enumerable.Range(0, 8 * RateLimitedHostFixture.PerSecond).Select(_ =>
            host.Client.SendAsync(AccessHttpTests.Request(HttpMethod.Get, "/api/accounts/smb/balance", KeyedHostFixture.SwitchKey, KeyForm.FunctionsKeyHeader))));
        var statuses = burst.Select(r => r.StatusCode).ToList();
        var rejected = burst.FirstOrDefault(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        foreach (var response in burst.Where(r => r != rejected))
        {
            response.Dispose();
        }

        using var admin = await host.Client.SendAsync(AccessHttpTests.Request(HttpMethod.Get, "/api/accounts/smb/balance", KeyedHostFixture.AdminKey, KeyForm.Bearer));
        var open = new List<HttpStatusCode>();
        for (var i = 0; i < 4 * RateLimitedHostFixture.PerSecond; i++)
        {
            using var root = await host.Client.GetAsync("/");
            open.Add(root.StatusCode);
        }

        Assert.NotNull(rejected);
        using (rejected)
        {
            Assert.Contains(HttpStatusCode.OK, statuses);
            Assert.Equal("application/problem+json", rejected.Content.Headers.ContentType?.MediaType);
            var retryAfter = int.Parse(Assert.Single(rejected.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(retryAfter, 1, 2);
            var problem = await rejected.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(429, problem.GetProperty("status").GetInt32());
            Assert.Contains($"{RateLimitedHostFixture.PerSecond} requests per second", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
            Assert.All(open, s => Assert.Equal(HttpStatusCode.OK, s));

            // After the wait it asked for, the key is served again.
            await Task.Delay(TimeSpan.FromSeconds(retryAfter));
            using var again = await host.Client.SendAsync(AccessHttpTests.Request(HttpMethod.Get, "/api/accounts/smb/balance", KeyedHostFixture.SwitchKey, KeyForm.Bearer));
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
    }
}

/// <summary>Unless configured there is no rate limit: a switch at well past its design load (500 calls/s) is never throttled.</summary>
public sealed class NoRateLimitHttpTests(KeyedHostFixture host) : IClassFixture<KeyedHostFixture>
{
    [Fact]
    public void Unless_configured_no_limiter_is_installed()
    {
        Assert.Null(host.Services.GetRequiredService<IOptions<RateLimiterOptions>>().Value.GlobalLimiter);
    }

    [Fact]
    public async Task A_thousand_concurrent_requests_of_one_key_are_never_429()
    {
        var statuses = new List<HttpStatusCode>();
        for (var wave = 0; wave < 20; wave++)
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
            {
                using var response = await host.Client.SendAsync(AccessHttpTests.Request(HttpMethod.Get, "/api/accounts/smb/balance", KeyedHostFixture.SwitchKey, KeyForm.FunctionsKeyHeader));
                return response.StatusCode;
            }));
            statuses.AddRange(responses);
        }

        Assert.Equal(1000, statuses.Count);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }
}

/// <summary>Request size limits: Limits:MaxJsonBodyBytes for JSON bodies, Limits:MaxRequestBodyBytes (Kestrel) for any body.</summary>
public sealed class BodyLimitHttpTests(SmallBodyHostFixture host) : IClassFixture<SmallBodyHostFixture>
{
    [Fact]
    public void The_kestrel_limit_is_the_configured_one()
    {
        Assert.Equal(SmallBodyHostFixture.MaxRequestBodyBytes, host.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.MaxRequestBodySize);
    }

    [Fact]
    public async Task A_json_body_within_the_limit_is_served()
    {
        using var response = await host.Client.PostAsync("/api/authorize", Json(Authorize("limits-small", padTo: SmallBodyHostFixture.MaxJsonBodyBytes)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_json_body_past_the_json_limit_is_refused_with_content_length_or_chunked()
    {
        var body = Authorize("limits-large", padTo: SmallBodyHostFixture.MaxJsonBodyBytes + 1);
        using var sized = await host.Client.PostAsync("/api/authorize", Json(body));
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/api/authorize") { Content = Json(body) };
        chunked.Headers.TransferEncodingChunked = true;
        using var chunkedResponse = await host.Client.SendAsync(chunked);

        Assert.Equal(HttpStatusCode.BadRequest, sized.StatusCode);
        Assert.Contains($"larger than {SmallBodyHostFixture.MaxJsonBodyBytes} bytes", await sized.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunkedResponse.StatusCode);
    }

    [Fact]
    public async Task A_body_past_the_request_limit_is_413_problem_even_where_the_route_allows_more()
    {
        var batch = new string(' ', SmallBodyHostFixture.MaxRequestBodyBytes + 1) + """{"cdrs":[]}""";

        using var response = await host.Client.PostAsync("/api/cdrs", Json(batch));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>An authorize body of exactly <paramref name="padTo"/> UTF-8 bytes (an unknown member is skipped).</summary>
    private static string Authorize(string session, int padTo)
    {
        var bare = $$"""{"sessionId":"{{session}}","accountId":"smb","calledNumber":"+33612345678","pad":""}""";
        return bare.Insert(bare.Length - 2, new string('x', padTo - Encoding.UTF8.GetByteCount(bare)));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
