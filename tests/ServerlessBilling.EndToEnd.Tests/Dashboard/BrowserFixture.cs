using Microsoft.Playwright;

namespace ServerlessBilling.EndToEnd.Tests.Dashboard;

/// <summary>
/// Headless Debian chromium driven by Playwright, by its path: Playwright never downloads a browser here. One browser
/// per test class; each test opens its own page at a laptop's size.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>Where screenshots go: .tmp/TestResults/dashboard in the repository (test.sh keeps its results there), else beside the tests.</summary>
    public static string ArtifactsFolder { get; } = FindArtifactsFolder();

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            return; // every browser test is skipped (BrowserFactAttribute)
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
    }

    /// <summary>A new page at 1440×900 with the page's script errors and failed console messages collected.</summary>
    public async Task<BrowserPage> OpenAsync(Uri url)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        var page = await context.NewPageAsync();
        var opened = new BrowserPage(context, page);
        await page.GotoAsync(url.ToString());
        return opened;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }

    private static string FindArtifactsFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServerlessBilling.sln")))
            {
                return Path.Combine(dir.FullName, ".tmp", "TestResults", "dashboard");
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "dashboard-screenshots");
    }
}

/// <summary>An open page, the script errors it logged, and screenshots of it.</summary>
public sealed class BrowserPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    private readonly List<string> _errors = Listen(page);

    public IPage Page { get; } = page;

    /// <summary>Saves a full-page PNG under <see cref="BrowserFixture.ArtifactsFolder"/> and returns its path.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(BrowserFixture.ArtifactsFolder);
        var path = Path.Combine(BrowserFixture.ArtifactsFolder, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    /// <summary>No script error and no console error, but those that contain one of <paramref name="expected"/>.</summary>
    public void AssertNoErrors(params string[] expected)
    {
        var unexpected = _errors.Where(e => !expected.Any(x => e.Contains(x, StringComparison.Ordinal))).ToList();
        Assert.True(unexpected.Count == 0, "the page logged errors:\n" + string.Join("\n", unexpected));
    }

    public async ValueTask DisposeAsync() => await context.CloseAsync();

    private static List<string> Listen(IPage page)
    {
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add($"script error: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"console: {message.Text}");
            }
        };
        return errors;
    }
}
