using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ServerlessBilling.EndToEnd.Tests.Dashboard;

/// <summary>The dashboard in a real browser against the local host: what an operator sees as calls are billed.</summary>
public sealed class DashboardBrowserTests(LocalHostFixture host, BrowserFixture browser, ITestOutputHelper output)
    : IClassFixture<LocalHostFixture>, IClassFixture<BrowserFixture>
{
    private static readonly TimeSpan Live = TimeSpan.FromSeconds(2);

    private readonly PlatformData _data = new(host.Client);

    [BrowserFact]
    public async Task Posted_cdrs_show_on_the_spend_bar_and_raise_an_alert_within_two_seconds()
    {
        await _data.PutDeckAsync();
        var account = await _data.PutPostpaidAsync("live", "Live Calls Ltd", creditLimit: 100m);
        await using var opened = await browser.OpenAsync(host.Client.BaseAddress!);
        var row = opened.Page.Locator($"tr[data-account='{account}']");
        await row.WaitForAsync(new() { Timeout = 5000 });
        Assert.Equal("0.0000", await row.Locator(".spend-bar").GetAttributeAsync("data-ratio"));

        var posted = Stopwatch.StartNew();
        await _data.PostRecentCallsAsync(account, "+447700900123", 20, 20, 20); // 60.00 of 100: past the 50% threshold
        await row.Locator(".spend-bar[data-ratio='0.6000']").WaitForAsync(new() { Timeout = (float)Live.TotalMilliseconds });
        var alert = opened.Page.Locator($"#alerts li[data-account='{account}'][data-type='THRESHOLD_REACHED']");
        await alert.WaitForAsync(new() { Timeout = (float)Math.Max(1, (Live - posted.Elapsed).TotalMilliseconds) });
        var seen = posted.Elapsed;

        Assert.True(seen <= Live, $"the bar and the alert took {seen}");
        Assert.Contains("60%", await row.Locator(".spend").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Threshold 50%", await alert.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("active", await row.GetAttributeAsync("data-status"));
        output.WriteLine($"bar and alert seen {seen.TotalMilliseconds:0} ms after the CDRs were posted");
        output.WriteLine($"screenshot: {await opened.ScreenshotAsync("live-spend-and-alert")}");
        opened.AssertNoErrors();
    }

    [BrowserFact]
    public async Task A_runaway_account_is_suspended_and_marked_and_its_own_view_shows_its_calls()
    {
        await _data.PutDeckAsync();
        var account = await _data.PutPostpaidAsync("runaway", "Runaway Reseller", creditLimit: 100m, suspendAt: 1.2m);
        await using var opened = await browser.OpenAsync(host.Client.BaseAddress!);
        var row = opened.Page.Locator($"tr[data-account='{account}']");
        await row.WaitForAsync(new() { Timeout = 5000 });

        await _data.PostRecentCallsAsync(account, "+447700900123", 30, 30, 30);
        await _data.PostRecentCallsAsync(account, "+33612345678", 60); // 90 + 30 = 120 > 1.2 × 100 at the second batch
        await _data.PostRecentCallsAsync(account, "+33612345678", 20);

        await opened.Page.Locator($"tr.suspended[data-account='{account}'][data-status='suspended']").WaitForAsync(new() { Timeout = 5000 });
        Assert.Equal("SUSPENDED", await row.Locator(".badge.bad").First.InnerTextAsync());
        await opened.Page.Locator($"#alerts li[data-account='{account}'][data-type='ACCOUNT_SUSPENDED']").WaitForAsync(new() { Timeout = 5000 });
        var suspendedColor = await row.EvaluateAsync<string>("r => getComputedStyle(r).backgroundColor");
        var activeColor = await opened.Page.Locator("tr[data-status='active']").First.EvaluateAsync<string>("r => getComputedStyle(r).backgroundColor");
        Assert.NotEqual(activeColor, suspendedColor); // the row stands out, not just its badge
        output.WriteLine($"screenshot: {await opened.ScreenshotAsync("runaway-suspended")}");

        await row.Locator("a.account-link").ClickAsync();
        var view = opened.Page.Locator("#account-view");
        await view.Locator($".account-head.suspended[data-account='{account}']").WaitForAsync(new() { Timeout = 5000 });
        await view.Locator("[data-testid=destinations] tbody tr").First.WaitForAsync(new() { Timeout = 5000 });
        var destinations = await view.Locator("[data-testid=destinations] tbody tr td:first-child").AllInnerTextsAsync();
        Assert.Equal(["United Kingdom Mobile", "France"], destinations); // by charge: 90.00, then 40.00
        Assert.Equal(5, await view.Locator("[data-testid=latest-calls] tbody tr").CountAsync());
        Assert.Contains("ACCOUNT_SUSPENDED", await view.Locator("[data-testid=account-alerts] li").EvaluateAllAsync<string>("items => items.map(i => i.dataset.type).join(' ')"), StringComparison.Ordinal);
        Assert.Equal($"#/accounts/{account}", new Uri(opened.Page.Url).Fragment);
        output.WriteLine($"screenshot: {await opened.ScreenshotAsync("runaway-account-view")}");
        opened.AssertNoErrors();
    }

    [BrowserFact]
    public async Task An_account_with_more_calls_than_a_page_shows_its_latest_call_first_and_says_its_destination_figures_are_partial()
    {
        // 10,000 calls (the most a usage page holds) at one time, then a later one: a page oldest first ends before it.
        await _data.PutDeckAsync();
        var account = await _data.PutPostpaidAsync("busy", "Busy Trunk Ltd", creditLimit: 1_000_000m);
        var start = PlatformData.RecentStart();
        await _data.PostCallsAtAsync(account, "+447700900123", start, 10_000);
        var latest = start.AddMinutes(1);
        await _data.PostCallsAsync(account, "+33612345678", latest, 3);

        await using var opened = await browser.OpenAsync(new Uri(host.Client.BaseAddress!, $"#/accounts/{account}"));
        var view = opened.Page.Locator("#account-view");
        var calls = view.Locator("[data-testid=latest-calls] tbody tr");
        await calls.First.WaitForAsync(new() { Timeout = 15000 });

        var first = await calls.First.Locator("td").AllInnerTextsAsync();
        Assert.Equal(latest.ToString("HH:mm:ss", CultureInfo.InvariantCulture), first[0][^8..]);
        Assert.Equal("+33612345678", first[1]);
        Assert.Equal("France", first[2]);
        Assert.Equal(15, await calls.CountAsync());
        // The figures by destination count the period's first page only, and say so (France's call is not among them).
        var partial = view.Locator("[data-testid=destinations-partial]");
        await partial.WaitForAsync(new() { Timeout = 5000 });
        Assert.Contains("Partial", await partial.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("first 10,000 calls", await view.Locator("h2", new() { HasText = "Usage by destination" }).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(["United Kingdom Mobile"], await view.Locator("[data-testid=destinations] tbody tr td:first-child").AllInnerTextsAsync());
        output.WriteLine($"screenshot: {await opened.ScreenshotAsync("busy-account-latest-calls")}");
        opened.AssertNoErrors();
    }

    [BrowserFact]
    public async Task A_small_account_says_nothing_of_partial_figures()
    {
        await _data.PutDeckAsync();
        var account = await _data.PutPostpaidAsync("small", "Small Office Ltd", creditLimit: 100m);
        await _data.PostRecentCallsAsync(account, "+447700900123", 1, 2);

        await using var opened = await browser.OpenAsync(new Uri(host.Client.BaseAddress!, $"#/accounts/{account}"));
        var view = opened.Page.Locator("#account-view");
        await view.Locator("[data-testid=destinations] tbody tr").First.WaitForAsync(new() { Timeout = 5000 });

        Assert.Equal(0, await view.Locator("[data-testid=destinations-partial]").CountAsync());
        Assert.Equal(2, await view.Locator("[data-testid=latest-calls] tbody tr").CountAsync());
        opened.AssertNoErrors();
    }

    [BrowserFact]
    public async Task The_page_keeps_the_links_to_the_api_reference_and_reads_nothing_but_the_api()
    {
        var requested = new List<string>();
        await using var opened = await browser.OpenAsync(host.Client.BaseAddress!);
        opened.Page.Request += (_, request) =>
        {
            if (request.ResourceType == "fetch")
            {
                requested.Add(new Uri(request.Url).AbsolutePath);
            }
        };
        await opened.Page.Locator("#accounts tbody tr[data-account]").First.WaitForAsync(new() { Timeout = 5000 });
        await opened.Page.WaitForTimeoutAsync(1500); // a poll or two

        Assert.Equal("/scalar", new Uri(await opened.Page.Locator("a", new() { HasText = "API reference" }).EvaluateAsync<string>("a => a.href")).AbsolutePath);
        Assert.Equal("/openapi/v1.json", new Uri(await opened.Page.Locator("a", new() { HasText = "OpenAPI" }).EvaluateAsync<string>("a => a.href")).AbsolutePath);
        Assert.NotEmpty(requested);
        Assert.All(requested, path => Assert.StartsWith("/api/", path, StringComparison.Ordinal));
        opened.AssertNoErrors();
    }
}
