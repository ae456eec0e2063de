using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Commands.Serve;
using ServerlessBilling.Local.Tests.Rate;
using ServerlessBilling.Local.Tests.Support;

namespace ServerlessBilling.Local.Tests.Serve;

/// <summary>Round eleven of the hostile review: command lines a user gets wrong end in one clear line and the documented exit code.</summary>
public sealed class HostileRoundElevenCliTests
{
    [Theory]
    [InlineData("--Store=postgres", "postgres")]
    [InlineData("--Store=nope", "nope")]
    public void An_unknown_store_name_exits_3_with_one_line_naming_the_choices(string store, string named)
    {
        // The usage: "3  a setting is invalid". Store is a setting like any other; its mistake is no stack trace.
        var console = new TestConsole();

        var exit = ServeCommand.Run(["--no-demo", "--urls", "http://127.0.0.1:0", store], console.Out, console.Error);

        Assert.Equal(ExitCodes.InvalidSetting, exit);
        var line = Assert.Single(console.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: invalid setting: ", line, StringComparison.Ordinal);
        Assert.Contains("memory, sqlite, cosmos", line, StringComparison.Ordinal);
        Assert.Contains($"'{named}'", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Logging:LogLevel:Default=Loud")]
    [InlineData("--Logging:LogLevel:ServerlessBilling=verbose")]
    public void A_log_level_that_does_not_exist_exits_3_with_one_line(string setting)
    {
        var console = new TestConsole();

        var exit = ServeCommand.Run(["--no-demo", "--urls", "http://127.0.0.1:0", "--Store=memory", setting], console.Out, console.Error);

        Assert.Equal(ExitCodes.InvalidSetting, exit);
        var line = Assert.Single(console.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: invalid setting: Logging:LogLevel: ", line, StringComparison.Ordinal);
        Assert.Contains(setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..], line, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_for_an_unknown_command_names_that_command()
    {
        var console = new TestConsole();

        var exit = LocalCli.Run(["help", "bill"], console.In, console.Out, console.Error);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith("unknown command 'bill'\nUsage:", console.Error.ToString(), StringComparison.Ordinal);
        Assert.Empty(console.Out.ToString());
    }

    [Theory]
    [InlineData("deck.csv", "deck")]
    [InlineData("cdrs.csv", "CDR")]
    [InlineData("./cdrs.csv", "CDR")]
    public void Rate_refuses_an_output_that_is_one_of_its_inputs_and_leaves_that_file_alone(string output, string what)
    {
        // The result replaces --out once rated: with --out naming the deck or the CDR file, a run "succeeded" (exit 0)
        // and the operator's deck or CDRs were gone, replaced by the rated lines.
        using var dir = new TempDirectory();
        var deck = dir.Write("deck.csv", RateSample.Deck);
        var cdrs = dir.Write("cdrs.csv", RateSample.Cdrs);
        var console = new TestConsole();

        var exit = console.RateCommand().Run(["--deck", deck, "--cdrs", cdrs, "--out", Path.Combine(dir.Path, output)]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"is the {what} file", console.Error.ToString(), StringComparison.Ordinal);
        Assert.Equal((RateSample.Deck, RateSample.Cdrs), (File.ReadAllText(deck), File.ReadAllText(cdrs)));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.partial"));
    }
}
