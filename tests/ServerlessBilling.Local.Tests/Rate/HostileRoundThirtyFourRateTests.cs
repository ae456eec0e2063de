using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Tests.Support;

namespace ServerlessBilling.Local.Tests.Rate;

/// <summary>Round thirty-four of the hostile review: the offline <c>rate</c> command never destroys an input file.</summary>
public sealed class HostileRoundThirtyFourRateTests
{
    [Theory]
    [InlineData("deck.csv.partial", "cdrs.csv", "deck.csv", "deck")]
    [InlineData("deck.csv", "rated.partial", "rated", "CDR")]
    public void Rate_refuses_an_output_whose_working_file_is_one_of_its_inputs_and_leaves_that_file_alone(
        string deckName, string cdrsName, string outName, string what)
    {
        // The result is written as OUT.partial, then renamed to OUT. With --out rated and --cdrs rated.partial the working
        // file was the CDR file: it could not be opened for writing while open for reading, the run failed (exit 2, "the
        // process cannot access the file") and its clean-up deleted "its" partial file: the operator's CDRs (or deck), gone.
        using var dir = new TempDirectory();
        var deck = dir.Write(deckName, RateSample.Deck);
        var cdrs = dir.Write(cdrsName, RateSample.Cdrs);
        var console = new TestConsole();

        var exit = console.RateCommand().Run(["--deck", deck, "--cdrs", cdrs, "--out", dir.File(outName)]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.True(File.Exists(deck) && File.Exists(cdrs), $"an input file was deleted; stderr: {console.Error}");
        Assert.Equal((RateSample.Deck, RateSample.Cdrs), (File.ReadAllText(deck), File.ReadAllText(cdrs)));
        Assert.Contains($"is the {what} file", console.Error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File(outName)));
    }
}
