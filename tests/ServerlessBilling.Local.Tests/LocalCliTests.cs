using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Tests.Support;

namespace ServerlessBilling.Local.Tests;

public sealed class LocalCliTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    [InlineData("help", "serve")]
    [InlineData("serve", "--help")]
    public void Help_lists_the_commands_and_exits_0(params string[] args)
    {
        var console = new TestConsole();

        var exit = LocalCli.Run(args, console.In, console.Out, console.Error);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("serve ", console.Out.ToString(), StringComparison.Ordinal);
        Assert.Contains("rate ", console.Out.ToString(), StringComparison.Ordinal);
        Assert.Empty(console.Error.ToString());
    }

    [Theory]
    [InlineData("help", "rate")]
    [InlineData("rate", "--help")]
    public void Help_for_rate_lists_its_options_and_exits_0(params string[] args)
    {
        var console = new TestConsole();

        var exit = LocalCli.Run(args, console.In, console.Out, console.Error);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("--deck PATH", console.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_command_exits_2_with_the_usage()
    {
        var console = new TestConsole();

        var exit = LocalCli.Run(["bill"], console.In, console.Out, console.Error);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith("unknown command 'bill'\nUsage:", console.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_bad_arguments_exit_2()
    {
        var console = new TestConsole();

        var exit = LocalCli.Run(["rate", "--deck"], console.In, console.Out, console.Error);

        Assert.Equal(ExitCodes.Usage, exit);
    }

    [Fact]
    public void Rate_runs_through_the_dispatcher()
    {
        using var dir = new TempDirectory();
        var deck = dir.Write("deck.csv", Rate.RateSample.Deck);
        var console = new TestConsole(stdin: Rate.RateSample.Cdrs);

        var exit = LocalCli.Run(["rate", "--deck", deck, "--cdrs", "-", "--out", "-"], console.In, console.Out, console.Error);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(Rate.RateSample.Expected, console.Out.ToString());
    }
}
