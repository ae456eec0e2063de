using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Commands.Simulate;
using ServerlessBilling.Local.Tests.Support;

namespace ServerlessBilling.Local.Tests.Simulate;

public sealed class SimulateOptionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_documented_command_line_parses()
    {
        var options = Parse("--url", "http://127.0.0.1:7071", "--key", "K", "--seed", "1", "--rate", "50", "--duration", "60s");

        Assert.Equal(new Uri("http://127.0.0.1:7071"), options.Url);
        Assert.Equal("K", options.Key);
        Assert.Equal(1, options.Seed);
        Assert.Equal(50d, options.Rate);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Duration);
        Assert.False(options.Invoice);
    }

    [Fact]
    public void Defaults_drive_the_local_host_without_a_key_with_ids_new_to_each_run()
    {
        var options = Parse();
        var later = SimulateOptions.Parse([], Now.AddMilliseconds(1), out _, out _)!;

        Assert.Equal(new Uri(SimulateOptions.DefaultUrl), options.Url);
        Assert.Null(options.Key);
        Assert.Equal((1, 20d, TimeSpan.FromSeconds(60), 60), (options.Seed, options.Rate, options.Duration, options.Speed));
        Assert.StartsWith("sim1-", options.IdPrefix, StringComparison.Ordinal);
        Assert.NotEqual(options.IdPrefix, later.IdPrefix);
    }

    [Fact]
    public void Flags_and_the_optional_options_are_read()
    {
        var options = Parse("--invoice", "--speed", "600", "--id-prefix", "demo_1.a", "--seed=-3");

        Assert.True(options.Invoice);
        Assert.Equal(600, options.Speed);
        Assert.Equal("demo_1.a", options.IdPrefix);
        Assert.Equal(-3, options.Seed);
    }

    [Theory]
    [InlineData("90", 90)]
    [InlineData("90s", 90)]
    [InlineData("1.5s", 1.5)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("24h", 86400)]
    public void Durations_take_seconds_minutes_or_hours(string text, double seconds)
    {
        Assert.True(SimulateOptions.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0s")]
    [InlineData("-5s")]
    [InlineData("25h")]
    [InlineData("5d")]
    [InlineData("s")]
    [InlineData("1e3")]
    public void Durations_out_of_range_or_malformed_are_refused(string text) =>
        Assert.False(SimulateOptions.TryParseDuration(text, out _));

    [Theory]
    [InlineData("--url=ftp://x", "--url 'ftp://x' is not an absolute http(s) URL")]
    [InlineData("--url=localhost", "--url 'localhost' is not an absolute http(s) URL")]
    [InlineData("--seed=one", "--seed 'one' is not a whole number")]
    [InlineData("--rate=0", "--rate '0' must be a number of calls per second above 0")]
    [InlineData("--rate=NaN", "--rate 'NaN' must be")]
    [InlineData("--rate=5001", "--rate '5001' must be")]
    [InlineData("--duration=0s", "--duration '0s' must be a time above 0")]
    [InlineData("--speed=0", "--speed '0' must be a whole number from 1 to 3600")]
    [InlineData("--id-prefix=a/b", "--id-prefix 'a/b' must be")]
    [InlineData("--invoice=yes", "flag '--invoice' takes no value")]
    [InlineData("--verbose", "unknown option '--verbose'")]
    [InlineData("50", "unexpected argument '50'")]
    public void Bad_arguments_are_refused_with_the_reason(string arg, string expected)
    {
        Assert.Null(SimulateOptions.Parse([arg], Now, out var help, out var error));
        Assert.False(help);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flag_given_twice_is_refused()
    {
        SimulateOptions.Parse(["--invoice", "--invoice"], Now, out _, out var error);

        Assert.Equal("option '--invoice' is given more than once", error);
    }

    [Fact]
    public void A_flag_does_not_take_the_next_argument()
    {
        SimulateOptions.Parse(["--invoice", "yes"], Now, out _, out var error);

        Assert.Equal("unexpected argument 'yes'", error);
    }

    [Theory]
    [InlineData("simulate", "--help")]
    [InlineData("simulate", "--bogus", "-h")]
    [InlineData("help", "simulate")]
    public void Help_shows_the_options_and_exit_codes_and_exits_0(params string[] args)
    {
        var console = new TestConsole();

        var exit = LocalCli.Run(args, console.In, console.Out, console.Error);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("--rate R", console.Out.ToString(), StringComparison.Ordinal);
        Assert.Contains("6    the platform could not be reached", console.Out.ToString(), StringComparison.Ordinal);
        Assert.Empty(console.Error.ToString());
    }

    [Fact]
    public void The_command_list_names_simulate()
    {
        var console = new TestConsole();

        LocalCli.Run(["--help"], console.In, console.Out, console.Error);

        Assert.Contains("simulate  drive a running platform", console.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_arguments_exit_2_with_the_reason_and_the_usage()
    {
        var console = new TestConsole();

        var exit = LocalCli.Run(["simulate", "--rate", "fast"], console.In, console.Out, console.Error);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith("simulate: --rate 'fast' must be", console.Error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Usage: ServerlessBilling.Local simulate", console.Error.ToString(), StringComparison.Ordinal);
        Assert.Empty(console.Out.ToString());
    }

    private static SimulateOptions Parse(params string[] args)
    {
        var options = SimulateOptions.Parse(args, Now, out var help, out var error);
        Assert.False(help);
        Assert.Null(error);
        return options!;
    }
}
