using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Commands.Rate;
using ServerlessBilling.Local.Tests.Support;

namespace ServerlessBilling.Local.Tests.Rate;

public sealed class RateArgumentsTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--deck", "x.csv", "--help")]
    [InlineData("--bogus", "--help")]
    public void Help_prints_every_option_to_standard_output_and_exits_0(params string[] args)
    {
        var console = new TestConsole();

        var exit = console.RateCommand().Run(args);

        Assert.Equal(ExitCodes.Ok, exit);
        var usage = console.Out.ToString();
        foreach (var option in new[] { "--deck PATH", "--cdrs PATH", "--out PATH", "-h, --help", "0.####", RatedCdrCsvWriter.Header })
        {
            Assert.Contains(option, usage, StringComparison.Ordinal);
        }

        Assert.Empty(console.Error.ToString());
    }

    [Theory]
    [InlineData("rate: option '--deck' is required")]
    [InlineData("rate: option '--deck' is required", "--cdrs", "c.csv", "--out", "r.csv")]
    [InlineData("rate: option '--cdrs' is required", "--deck", "d.csv", "--out", "r.csv")]
    [InlineData("rate: option '--out' is required", "--deck", "d.csv", "--cdrs", "c.csv")]
    [InlineData("rate: option '--deck' needs a value", "--deck")]
    [InlineData("rate: option '--deck' needs a value", "--deck", "--cdrs", "c.csv")]
    [InlineData("rate: option '--deck' needs a value", "--deck=")]
    [InlineData("rate: unknown option '--bogus'", "--bogus", "1")]
    [InlineData("rate: unexpected argument 'd.csv'", "d.csv")]
    [InlineData("rate: unexpected argument '-d'", "-d", "d.csv")]
    [InlineData("rate: option '--deck' is given more than once", "--deck", "a.csv", "--deck", "b.csv")]
    [InlineData("rate: the deck must be a file ('--deck -' is not supported)", "--deck", "-", "--cdrs", "-", "--out", "-")]
    public void Bad_arguments_print_the_problem_and_the_usage_to_standard_error_and_exit_2(string message, params string[] args)
    {
        var console = new TestConsole();

        var exit = console.RateCommand().Run(args);

        Assert.Equal(ExitCodes.Usage, exit);
        var error = console.Error.ToString();
        Assert.StartsWith(message + "\n", error, StringComparison.Ordinal);
        Assert.Contains("Usage: ServerlessBilling.Local rate", error, StringComparison.Ordinal);
        Assert.Empty(console.Out.ToString());
    }

    [Fact]
    public void A_missing_deck_file_exits_2_with_a_clear_message()
    {
        using var dir = new TempDirectory();
        var cdrs = dir.Write("cdrs.csv", RateSample.Cdrs);
        var console = new TestConsole();

        var exit = console.RateCommand().Run(["--deck", dir.File("nope.csv"), "--cdrs", cdrs, "--out", dir.File("r.csv")]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal($"rate: deck file '{dir.File("nope.csv")}' not found\n", console.Error.ToString());
    }

    [Fact]
    public void A_missing_cdr_file_exits_2_with_a_clear_message()
    {
        using var dir = new TempDirectory();
        var deck = dir.Write("deck.csv", RateSample.Deck);
        var console = new TestConsole();

        var exit = console.RateCommand().Run(["--deck", deck, "--cdrs", dir.File("nope.csv"), "--out", dir.File("r.csv")]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal($"rate: CDR file '{dir.File("nope.csv")}' not found\n", console.Error.ToString());
    }

    [Fact]
    public void A_missing_output_directory_exits_2_with_a_clear_message()
    {
        using var dir = new TempDirectory();
        var deck = dir.Write("deck.csv", RateSample.Deck);
        var cdrs = dir.Write("cdrs.csv", RateSample.Cdrs);
        var console = new TestConsole();

        var exit = console.RateCommand().Run(["--deck", deck, "--cdrs", cdrs, "--out", Path.Combine(dir.Path, "no", "r.csv")]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal($"rate: output directory '{Path.Combine(dir.Path, "no")}' not found\n", console.Error.ToString());
    }

    [Fact]
    public void An_output_that_is_a_directory_exits_2()
    {
        using var dir = new TempDirectory();
        var deck = dir.Write("deck.csv", RateSample.Deck);
        var cdrs = dir.Write("cdrs.csv", RateSample.Cdrs);
        var console = new TestConsole();

        var exit = console.RateCommand().Run(["--deck", deck, "--cdrs", cdrs, "--out", dir.Path]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal($"rate: output '{dir.Path}' is a directory\n", console.Error.ToString());
    }
}
