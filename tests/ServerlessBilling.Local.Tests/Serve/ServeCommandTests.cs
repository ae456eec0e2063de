using System.Net;
using System.Net.Sockets;
using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Commands.Serve;
using ServerlessBilling.Local.Tests.Support;

namespace ServerlessBilling.Local.Tests.Serve;

/// <summary>The start-up failures a user can cause end in one line and a documented exit code, not a stack trace.</summary>
public sealed class ServeCommandTests
{
    internal const string EmulatorKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    [Fact]
    public void A_port_in_use_exits_4_with_one_line_naming_the_address()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var console = new TestConsole();

        var exit = ServeCommand.Run(["--no-demo", "--urls", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default=Warning"], console.Out, console.Error);

        Assert.Equal(ExitCodes.AddressInUse, exit);
        var error = console.Error.ToString();
        Assert.StartsWith($"error: Failed to bind to address http://127.0.0.1:{port}: address already in use;", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void An_invalid_setting_exits_3_naming_every_bad_setting()
    {
        var console = new TestConsole();

        var exit = ServeCommand.Run(["--no-demo", "--urls", "http://127.0.0.1:0", "--CreditControl:ValiditySeconds=0", "--CreditControl:ClosedSessionsKept=0"], console.Out, console.Error);

        Assert.Equal(ExitCodes.InvalidSetting, exit);
        Assert.Equal(
            "error: invalid setting: CreditControl:ValiditySeconds must be at least 1; CreditControl:ClosedSessionsKept must be at least 1\n",
            console.Error.ToString());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("60")]
    [InlineData("2147483647")]
    public void A_cosmos_session_time_to_live_out_of_range_exits_3_naming_it_before_any_connection(string seconds)
    {
        // Cosmos DB refuses a time to live of 0 or below (-1 aside) when it makes the container, with an error that names
        // no setting; nothing listens on the endpoint: the start must stop at the setting, not try the store (exit 5). The
        // key (the emulators' published one) keeps the client from looking for an identity.
        var console = new TestConsole();

        var exit = ServeCommand.Run(
            ["--no-demo", "--urls", "http://127.0.0.1:17401", "--Cosmos:Endpoint=https://127.0.0.1:7830/", $"--Cosmos:Key={EmulatorKey}", "--Cosmos:CreateIfNotExists=true",
             "--Local:StoreStartTimeout=00:00:02", $"--Cosmos:SessionTimeToLiveSeconds={seconds}", "--Logging:LogLevel:Default=None"],
            console.Out, console.Error);

        Assert.True(exit == ExitCodes.InvalidSetting, $"exit {exit}: {console.Error}");
        Assert.StartsWith("error: invalid setting: Cosmos settings are invalid: Cosmos:SessionTimeToLiveSeconds must be ", console.Error.ToString(), StringComparison.Ordinal);
        Assert.Contains(long.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture) < 86400 ? "at least 86400" : "from 86400 to 31536000 (a day to a year)", console.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_memory_store_bound_that_keeps_nothing_exits_3_naming_it()
    {
        var console = new TestConsole();

        var exit = ServeCommand.Run(["--no-demo", "--urls", "http://127.0.0.1:0", "--Store=memory", "--Memory:MaxUsageRecords=0"], console.Out, console.Error);

        Assert.Equal(ExitCodes.InvalidSetting, exit);
        Assert.Equal("error: invalid setting: Memory:MaxUsageRecords must be at least 1\n", console.Error.ToString());
    }

    [Fact]
    public void A_value_that_does_not_convert_exits_3_naming_the_setting()
    {
        var console = new TestConsole();

        var exit = ServeCommand.Run(["--no-demo", "--urls", "http://127.0.0.1:0", "--CreditControl:MaxQuotaSeconds=lots"], console.Out, console.Error);

        Assert.Equal(ExitCodes.InvalidSetting, exit);
        Assert.Contains("'lots' at 'CreditControl:MaxQuotaSeconds'", console.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreachable_store_exits_5_within_the_start_timeout()
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // nothing listens there now
        var console = new TestConsole();

        var exit = ServeCommand.Run(
            ["--no-demo", "--urls", "http://127.0.0.1:0", $"--Cosmos:Endpoint=https://127.0.0.1:{port}/", "--Cosmos:Key=a2V5", "--Local:StoreStartTimeout=00:00:01", "--Logging:LogLevel:Default=None"],
            console.Out,
            console.Error);

        Assert.Equal(ExitCodes.StoreUnreachable, exit);
        Assert.StartsWith("error: the store did not answer", console.Error.ToString(), StringComparison.Ordinal);
        Assert.Contains($"Cosmos:Endpoint=https://127.0.0.1:{port}/", console.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_flag_exits_2_with_the_usage()
    {
        var console = new TestConsole();

        var exit = LocalCli.Run(["--Local:SeeDemo=false"], console.In, console.Out, console.Error);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith("unknown setting '--Local:SeeDemo'", console.Error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Usage:", console.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Version_prints_the_version_and_exits_0()
    {
        var console = new TestConsole();

        var exit = LocalCli.Run(["--version"], console.In, console.Out, console.Error);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal($"ServerlessBilling.Local {ServeCommand.Version()}\n", console.Out.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", ServeCommand.Version());
    }
}
