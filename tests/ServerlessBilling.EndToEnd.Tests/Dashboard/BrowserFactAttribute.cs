namespace ServerlessBilling.EndToEnd.Tests.Dashboard;

/// <summary>A browser test: skipped, with the reason, where Debian's chromium is not installed (test.sh installs it).</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!File.Exists(BrowserFixture.ChromiumPath))
        {
            Skip = $"{BrowserFixture.ChromiumPath} is missing: run ./test.sh as root (it installs Debian's chromium) or apt-get install -y chromium";
        }
    }
}
