using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Tests.Support;

namespace ServerlessBilling.Local.Tests;

/// <summary>Round thirty-four of the hostile review: the command line's own words about help and the version.</summary>
public sealed class HostileRoundThirtyFourCliTests
{
    [Theory]
    [InlineData("help", "help")]
    [InlineData("help", "--help")]
    [InlineData("help", "-h")]
    public void Help_about_help_lists_the_commands_and_exits_0(params string[] args)
    {
        // "help help" and "help --help" answered "unknown command 'help'" (or '--help') with exit 2: help is a command.
        var console = new TestConsole();

        var exit = LocalCli.Run(args, console.In, console.Out, console.Error);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.StartsWith("Usage: ServerlessBilling.Local [command]", console.Out.ToString(), StringComparison.Ordinal);
        Assert.Empty(console.Error.ToString());
    }

    [Theory]
    [InlineData("'help' takes one command name", "help", "serve", "extra")]
    [InlineData("'help' takes one command name", "help", "rate", "simulate")]
    [InlineData("'--version' takes no other argument", "--version", "extra")]
    [InlineData("'--version' takes no other argument", "--version", "--urls", "http://127.0.0.1:1")]
    public void Help_or_version_with_more_arguments_says_what_is_wrong_and_exits_2(string said, params string[] args)
    {
        // They said "unknown command 'help'" and "unknown option '--version'": both are known; what is wrong is the rest.
        var console = new TestConsole();

        var exit = LocalCli.Run(args, console.In, console.Out, console.Error);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith(said, console.Error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("unknown", console.Error.ToString().Split('\n')[0], StringComparison.Ordinal);
        Assert.Empty(console.Out.ToString());
    }
}
