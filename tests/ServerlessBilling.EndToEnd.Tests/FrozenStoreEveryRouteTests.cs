using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using ServerlessBilling.Api;
using ServerlessBilling.Testing;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// Every route of the API against a store that never answers (every store of the host frozen): 503 with Retry-After
/// and a problem that says so, within the deadline, never a hang and never a 500.
/// </summary>
public sealed class FrozenStoreEveryRouteTests(EveryStoreFrozenHostFixture host) : IClassFixture<EveryStoreFrozenHostFixture>
{
    /// <summary>Far longer than the host's deadlines (300 and 500 ms): an answer that takes this long waited on the store.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Every_api_route_on_a_frozen_store_is_503_with_retry_after_within_the_deadline()
    {
        // The reads (GET account, the listings of usage, quarantine, alerts and accounts, invoices and their documents,
        // rate decks), the deck upload and the invoice run had no deadline: each waited as long as the store stayed frozen, while credit
        // control, the balance, the account writes and CDR batches answered 503 with Retry-After at their deadline.
        var failures = new List<string>();
        host.Stores.Freeze();
        try
        {
            await Task.WhenAll(ApiRoutes.All.Select(async route =>
            {
                if (await CheckAsync(route) is { } failure)
                {
                    lock (failures)
                    {
                        failures.Add(failure);
                    }
                }
            }));
        }
        finally
        {
            host.Stores.Thaw();
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task On_a_frozen_store_the_host_is_live_but_not_ready()
    {
        host.Stores.Freeze();
        try
        {
            using var client = new HttpClient { BaseAddress = host.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            using var live = await client.GetAsync("/healthz");
            var started = Stopwatch.StartNew();
            using var ready = await client.GetAsync("/readyz");

            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(8), $"/readyz answered after {started.Elapsed}");
            Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
        }
        finally
        {
            host.Stores.Thaw();
        }
    }

    private async Task<string?> CheckAsync(ApiRoute route)
    {
        var (relative, body, contentType) = FrozenRouteCalls.For(route.Name, route.Template);
        var path = "/" + ApiRoutes.Prefix + "/" + relative;
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), path)
        {
            Content = body is null ? null : new StringContent(body, Encoding.UTF8, contentType),
        };
        using var client = new HttpClient { BaseAddress = host.Client.BaseAddress, Timeout = Patience };
        var started = Stopwatch.StartNew();
        try
        {
            using var response = await client.SendAsync(request);
            var elapsed = started.Elapsed;
            var answer = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                return $"{route.Method} {path}: {(int)response.StatusCode} {answer}";
            }

            if (!response.Headers.TryGetValues("Retry-After", out var retryAfter) || retryAfter.Single() != "1")
            {
                return $"{route.Method} {path}: 503 without Retry-After: 1";
            }

            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                || JsonDocument.Parse(answer).RootElement.GetProperty("detail").GetString() is not { } detail
                || !detail.Contains("did not answer within", StringComparison.Ordinal))
            {
                return $"{route.Method} {path}: 503 without a problem naming the deadline: {answer}";
            }

            return elapsed < TimeSpan.FromSeconds(3) ? null : $"{route.Method} {path}: 503 after {elapsed}";
        }
        catch (TaskCanceledException)
        {
            return $"{route.Method} {path}: no answer within {Patience.TotalSeconds:0} s (waits on the frozen store)";
        }
    }
}

/// <summary>The local host with every store behind <see cref="FreezingStores"/>, and short deadlines (300 ms, batches and admin calls 500 ms).</summary>
public sealed class EveryStoreFrozenHostFixture : LocalHostFixture
{
    public FreezingStores Stores { get; } = new();

    protected override IEnumerable<string> Settings =>
        [.. base.Settings, "--CreditControl:StoreDeadline=00:00:00.300", "--CreditControl:BatchDeadline=00:00:00.500", "--CreditControl:AdminDeadline=00:00:00.500"];

    protected override void Configure(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Stores.Wrap(builder.Services);
    }

    public override Task DisposeAsync()
    {
        Stores.Thaw();
        return base.DisposeAsync();
    }
}
