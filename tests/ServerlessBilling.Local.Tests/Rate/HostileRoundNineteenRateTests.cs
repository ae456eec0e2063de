using ServerlessBilling.Core.Rating;
using ServerlessBilling.Local.Commands.Rate;

namespace ServerlessBilling.Local.Tests.Rate;

/// <summary>Round nineteen of the hostile review: a CDR file with a line of many megabytes.</summary>
public sealed class HostileRoundNineteenRateTests
{
    private static readonly RateDeck Deck = RateDeckParser.Parse(RateSample.DeckId, RateSample.Deck).Deck!;

    [Fact]
    public void A_line_of_eight_million_characters_is_rejected_without_copying_it_once_a_block()
    {
        // The unfinished line was copied into a buffer one block (64K characters) larger on every read, and searched again
        // from its start for its end: the time and the memory churned grew with the square of the line's length (a 10 MB
        // line took 10 seconds, a 100 MB one would take about a quarter of an hour).
        var header = RateSample.Cdrs[..(RateSample.Cdrs.IndexOf('\n', StringComparison.Ordinal) + 1)];
        var good = "c-after,acme,+441,+447700900123,2026-11-26T10:00:00Z,60,ANSWERED,\n";
        var cdrs = header + "c-long,acme,+441,+447700900123,2026-11-26T10:00:00Z,60,ANSWERED," + new string('x', 8_000_000) + "\n" + good;
        var output = new StringWriter();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var summary = new CdrFileRater(Deck, TimeProvider.System, TextWriter.Null).Rate(new StringReader(cdrs), output);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal((2, 1, 1), (summary.Lines, summary.Rated, summary.Rejected));
        Assert.Contains("line is longer than", output.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("c-after,", output.ToString().Split('\n')[2], StringComparison.Ordinal);
        Assert.InRange(allocated, 0, 8_000_000 * sizeof(char) * 8L); // the old reader churned about 1 GB
    }
}
