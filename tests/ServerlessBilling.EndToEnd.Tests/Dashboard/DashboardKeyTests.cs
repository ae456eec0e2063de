using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ServerlessBilling.EndToEnd.Tests.Dashboard;

/// <summary>The dashboard on a host with keys: it asks for an admin key, says why a key is refused, and keeps it for the tab.</summary>
public sealed class DashboardKeyTests(KeyedHostFixture host, BrowserFixture browser, ITestOutputHelper output)
    : IClassFixture<KeyedHostFixture>, IClassFixture<BrowserFixture>
{
    [BrowserFact]
    public async Task It_asks_for_an_admin_key_refuses_a_switch_key_and_shows_the_platform_with_an_admin_key()
    {
        await using var opened = await browser.OpenAsync(host.Client.BaseAddress!);
        var page = opened.Page;
        var dialog = page.Locator("#key-dialog");
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 5000 });
        Assert.Contains("401", await page.Locator("#problem").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#accounts tbody tr[data-account]").CountAsync());
        output.WriteLine($"screenshot: {await opened.ScreenshotAsync("key-prompt")}");

        await page.Locator("#key-input").FillAsync(KeyedHostFixture.SwitchKey);
        await page.Locator("#key-submit").ClickAsync();
        await page.Locator("#problem", new() { HasText = "403" }).WaitForAsync(new() { Timeout = 5000 });
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 5000 });
        Assert.Contains("needs an admin key", await page.Locator("#key-message").InnerTextAsync(), StringComparison.Ordinal);
        output.WriteLine($"screenshot: {await opened.ScreenshotAsync("key-switch-key-refused")}");

        await page.Locator("#key-input").FillAsync(KeyedHostFixture.AdminKey);
        await page.Locator("#key-submit").ClickAsync();
        await page.Locator("#accounts tbody tr[data-account='acme']").WaitForAsync(new() { Timeout = 5000 });
        Assert.False(await dialog.IsVisibleAsync());
        Assert.False(await page.Locator("#problem").IsVisibleAsync());
        Assert.Equal(KeyedHostFixture.AdminKey, await page.EvaluateAsync<string>("() => sessionStorage.getItem('serverlessBilling.adminKey')"));

        // The key lasts for the tab: a reload asks nothing; forgetting it asks again.
        await page.ReloadAsync();
        await page.Locator("#accounts tbody tr[data-account='smb']").WaitForAsync(new() { Timeout = 5000 });
        Assert.False(await dialog.IsVisibleAsync());
        await page.Locator("#forget-key").ClickAsync();
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 5000 });
        opened.AssertNoErrors("status of 401", "status of 403");
    }
}
