using Microsoft.Extensions.Configuration;
using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Commands.Serve;
using ServerlessBilling.Local.Tests.Rate;
using ServerlessBilling.Local.Tests.Support;
using ServerlessBilling.Sqlite;

namespace ServerlessBilling.Local.Tests.Serve;

/// <summary>Round fifteen of the hostile review: what an operator gets wrong at the command line ends in one clear line and the documented exit code.</summary>
public sealed class HostileRoundFifteenLocalTests
{
    [Fact]
    public void A_data_file_a_newer_build_wrote_exits_7_with_one_line_not_a_stack_trace()
    {
        // Rolling back to the previous build after schema 8 was applied: the file is refused (rightly), but that was
        // "error: the host failed to start: System.InvalidOperationException: ..." with 30 lines of stack and exit 1.
        using var dir = new TempDirectory();
        var options = new SqliteOptions { DataDirectory = dir.Path };
        SqliteDatabase.Open(options, TimeProvider.System).Dispose();
        using (var file = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={options.FilePath};Pooling=False"))
        {
            file.Open();
            using var future = file.CreateCommand();
            future.CommandText = "INSERT INTO schema_version VALUES (999, 'future')";
            future.ExecuteNonQuery();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var console = new TestConsole();

        var exit = ServeCommand.Run(["--no-demo", "--urls", "http://127.0.0.1:0", "--Local:DataDirectory=" + dir.Path], console.Out, console.Error);

        Assert.Equal(ExitCodes.DataUnusable, exit);
        var line = Assert.Single(console.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: the data file has schema version 999, newer than this build knows", line, StringComparison.Ordinal);
        Assert.Contains("restore a backup", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_out_through_a_link_to_dev_null_writes_to_the_device_and_leaves_the_link()
    {
        // "--out /dev/null" (or /dev/stdout) was written as /dev/null.partial and renamed over it: as root, /dev/null
        // became a plain file holding the result (seen with /dev/full on this machine). A link to the device is the
        // same path without touching /dev: the rename replaced the link with a file.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        var deck = dir.Write("uk-2026.csv", RateSample.Deck);
        var cdrs = dir.Write("cdrs.csv", RateSample.Cdrs);
        var sink = dir.File("sink.csv");
        File.CreateSymbolicLink(sink, "/dev/null");
        var console = new TestConsole();

        var exit = console.RateCommand().Run(["--deck", deck, "--cdrs", cdrs, "--out", sink]);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal("/dev/null", new FileInfo(sink).LinkTarget);
        Assert.False(File.Exists(sink + ".partial"));
        Assert.Contains("rated     16\n", console.Error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:99999")]
    [InlineData("http://127.0.0.1:-1")]
    [InlineData("http://127.0.0.1:0;http://[::1]:70000")]
    [InlineData("notaurl")]
    public void A_listen_address_kestrel_cannot_bind_exits_3_with_one_line_naming_it(string urls)
    {
        // Was "error: the host failed to start: System.ArgumentOutOfRangeException: ... (Parameter 'port')" and its
        // stack, exit 1 (with keys configured, "notaurl" too: System.FormatException: Invalid url).
        var console = new TestConsole();

        var exit = ServeCommand.Run(["--no-demo", "--Store=memory", "--Auth:AdminKeys=admin-key-0123456789abcdef", "--urls", urls], console.Out, console.Error);

        Assert.Equal(ExitCodes.InvalidSetting, exit);
        var line = Assert.Single(console.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: invalid setting: urls: '", line, StringComparison.Ordinal);
        Assert.Contains("is not an address to listen on", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:abc", false)] // Kestrel: the host "127.0.0.1:abc", on every interface, port 80
    [InlineData("http://127.0.0.1:7071x", false)]
    [InlineData("http://:7071", false)]
    [InlineData("127.0.0.1:7071", false)]
    [InlineData("tcp://127.0.0.1:7071", false)]
    [InlineData("http://[::1:7071", false)]
    [InlineData("http://127.0.0.1:7071", true)]
    [InlineData("https://localhost:0/", true)]
    [InlineData("http://[::1]:65535", true)]
    [InlineData("http://*:80", true)]
    [InlineData("http://+", true)]
    [InlineData("http://unix:/tmp/billing.sock", true)]
    public void With_keys_a_typo_in_the_port_is_refused_rather_than_listening_on_every_interface(string url, bool valid)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = url })
            .Build();
        var options = new ServerlessBilling.Api.Access.AuthOptions { AdminKeys = "admin-key-0123456789abcdef" };

        var result = new ServerlessBilling.Api.Access.AuthOptionsValidator(configuration).Validate(null, options);

        Assert.Equal(valid, result.Succeeded);
    }
}
