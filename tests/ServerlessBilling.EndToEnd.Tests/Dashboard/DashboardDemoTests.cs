using System.Net.Http.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ServerlessBilling.EndToEnd.Tests.Dashboard;

/// <summary>
/// A busy platform as a newcomer would see it after a few minutes: accounts of both modes, live calls, alerts, a
/// suspended account and an issued invoice with its documents. Its screenshot is the one in the README
/// (docs/images/dashboard.png is a copy of dashboard-demo.png).
/// </summary>
public sealed class DashboardDemoTests(InvoicingHostFixture host, BrowserFixture browser, ITestOutputHelper output)
    : IClassFixture<InvoicingHostFixture>, IClassFixture<BrowserFixture>
{
    private readonly PlatformData _data = new(host.Client);

    [BrowserFact]
    public async Task An_issued_invoice_shows_with_its_documents_beside_live_calls_alerts_and_a_suspension()
    {
        await _data.PutDeckAsync();
        var northwind = await _data.PutPostpaidAsync("northwind", "Northwind Telecom", creditLimit: 5000m);
        var contoso = await _data.PutPostpaidAsync("contoso", "Contoso Voice", creditLimit: 400m);
        var runaway = await _data.PutPostpaidAsync("runaway", "Runaway Reseller", creditLimit: 150m, suspendAt: 1.2m);
        await _data.PostCallsAsync(northwind, "+447700900123", new DateTimeOffset(2026, 10, 15, 10, 0, 0, TimeSpan.Zero), 12, 45, 30, 8);
        await _data.PostCallsAsync(northwind, "+33612345678", new DateTimeOffset(2026, 10, 20, 10, 0, 0, TimeSpan.Zero), 25, 40);
        await _data.RunInvoicesAsync("2026-10");
        await _data.PostRecentCallsAsync(northwind, "+442071234567", 14, 6, 22);
        await _data.PostRecentCallsAsync(contoso, "+447700900123", 60, 60, 60, 50); // 230 of 400: past half
        await _data.PostRecentCallsAsync("smb", "+442071234567", 9, 4, 12);
        await _data.PostRecentCallsAsync(runaway, "+33612345678", 120, 120);
        await _data.PostRecentCallsAsync(runaway, "+447700900123", 60, 10); // 190 of 150: past 1.2 × the limit
        foreach (var (account, session) in new[] { ("acme", "demo-call-1"), ("acme", "demo-call-2"), (northwind, "demo-call-3"), ("smb", "demo-call-4") })
        {
            using var grant = await host.Client.PostAsJsonAsync("/api/authorize", new { sessionId = session, accountId = account, calledNumber = "+447700900123", requestedSeconds = 300 });
            Assert.True(grant.IsSuccessStatusCode);
        }

        await using var opened = await browser.OpenAsync(host.Client.BaseAddress!);
        var page = opened.Page;
        var invoice = page.Locator($"#invoices tr[data-invoice='{northwind}.2026-10']");
        await invoice.WaitForAsync(new() { Timeout = 10_000 });
        await page.Locator($"tr.suspended[data-account='{runaway}']").WaitForAsync(new() { Timeout = 5000 });
        Assert.Equal("4", await page.Locator("#summary .tile", new() { HasText = "Active calls" }).Locator("strong").InnerTextAsync());

        var html = await invoice.Locator("a[data-format='html']").EvaluateAsync<string>("a => a.href");
        var document = await page.APIRequest.GetAsync(html);
        Assert.Equal(200, document.Status);
        Assert.Contains(await invoice.Locator("strong").InnerTextAsync(), await document.TextAsync(), StringComparison.Ordinal);
        var pdf = await page.APIRequest.GetAsync(await invoice.Locator("a[data-format='pdf']").EvaluateAsync<string>("a => a.href"));
        Assert.Equal("application/pdf", pdf.Headers["content-type"]);

        await page.WaitForTimeoutAsync(2500); // let the new-alert highlight fade, for a calm picture
        output.WriteLine($"screenshot: {await opened.ScreenshotAsync("dashboard-demo")}");
        opened.AssertNoErrors();
    }
}
