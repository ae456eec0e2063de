using ServerlessBilling.Local.Commands;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>A bad Auth or Limits setting stops the start with one line that names it (and never shows a key), a non-zero exit code.</summary>
public sealed class AccessSettingsTests
{
    private const string GoodKey = "e2e-settings-key-5a1f3c";

    public static TheoryData<string[], string> BadSettings => new()
    {
        { ["--Auth:SwitchKeys=short-key"], "Auth:SwitchKeys: key 1 is shorter than 16 characters" },
        { [$"--Auth:AdminKeys={GoodKey},tiny"], "Auth:AdminKeys: key 2 is shorter than 16 characters" },
        { ["--Auth:AdminKeys=e2e-settings-key\u00e9-5a1f3c"], "Auth:AdminKeys: key 1 has a character other than printable ASCII" },
        { [$"--Auth:SwitchKeys={GoodKey}", $"--Auth:AdminKeys={GoodKey}"], "a key is listed in both SwitchKeys and AdminKeys" },
        { [$"--Auth:SwitchKeys={GoodKey},{GoodKey}"], "Auth:SwitchKeys: a key is listed twice" },
        { ["--Limits:RequestsPerSecondPerKey=0"], "Limits:RequestsPerSecondPerKey must be at least 1" },
        { ["--Limits:RequestsPerSecondPerKey=many"], "'Limits:RequestsPerSecondPerKey'" },
        { ["--Limits:MaxRequestBodyBytes=-1"], "Limits:MaxRequestBodyBytes must be at least 1" },
        { ["--Limits:MaxJsonBodyBytes=0"], "Limits:MaxJsonBodyBytes must be at least 1" },

        // Above 2 GiB (with Limits:MaxRequestBodyBytes as high) a declared length past int's range made the JSON reader's
        // buffer size negative: every request with such a Content-Length was a 500.
        { ["--Limits:MaxJsonBodyBytes=4000000000"], "Limits:MaxJsonBodyBytes must be from 1 to 1073741824 (1 GiB), not 4000000000" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_is_one_line_naming_it_and_a_non_zero_exit_code(string[] settings, string expected)
    {
        using var stderr = new StringWriter();

        var exitCode = await Task.Run(() => LocalCli.Run(["serve", "--urls", "http://127.0.0.1:0", "--Store=memory", "--Local:SeedDemo=false", .. settings], TextReader.Null, TextWriter.Null, stderr))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(ExitCodes.Ok, exitCode);
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain(GoodKey, line, StringComparison.Ordinal);
        Assert.DoesNotContain("short-key", line, StringComparison.Ordinal);
    }
}
