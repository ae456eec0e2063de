using ServerlessBilling.Core.Rating;
using ServerlessBilling.Local.Commands.Rate;
using ServerlessBilling.Local.Tests.Support;

namespace ServerlessBilling.Local.Tests.Rate;

public sealed class CdrFileRaterTests
{
    private static readonly RateDeck Deck = RateDeckParser.Parse(RateSample.DeckId, RateSample.Deck).Deck!;

    [Fact]
    public void Writes_one_line_per_input_line_in_input_order()
    {
        var output = new StringWriter();

        var summary = new CdrFileRater(Deck, TimeProvider.System, TextWriter.Null).Rate(new StringReader(RateCommandTests.ManyCdrs(10_000)), output);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10_001, lines.Length);
        Assert.Equal(10_000, summary.Lines);
        Assert.Equal(summary.Lines, summary.Rated + summary.Rejected);
        for (var i = 0; i < 10_000; i++)
        {
            Assert.StartsWith($"c-{i},", lines[i + 1], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Reports_progress_about_every_second()
    {
        var progress = new StringWriter { NewLine = "\n" };
        var clock = new SteppingTimeProvider(TimeSpan.FromSeconds(1));

        var summary = new CdrFileRater(Deck, clock, progress).Rate(new StringReader(RateCommandTests.ManyCdrs(10_000)), TextWriter.Null);

        // The clock moves a second per read and is read once per batch: a report after every batch.
        var reports = progress.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, reports.Length);
        Assert.Equal("rate: 1,024 lines, 1,024 CDRs/s", reports[0]);
        Assert.Equal("rate: 9,216 lines, 1,024 CDRs/s", reports[8]);
        Assert.Equal("rate: 10,000 lines, 784 CDRs/s", reports[9]);
        Assert.Equal(10_000, summary.Lines);
    }

    [Fact]
    public void Prints_nothing_as_progress_for_a_small_file()
    {
        var progress = new StringWriter();

        new CdrFileRater(Deck, TimeProvider.System, progress).Rate(new StringReader(RateSample.Cdrs), TextWriter.Null);

        Assert.Empty(progress.ToString());
    }

    [Fact]
    public void Stops_when_cancelled()
    {
        var rater = new CdrFileRater(Deck, TimeProvider.System, TextWriter.Null);

        Assert.Throws<OperationCanceledException>(() =>
            rater.Rate(new StringReader(RateCommandTests.ManyCdrs(10_000)), TextWriter.Null, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void A_read_failure_on_the_reading_thread_surfaces_to_the_caller()
    {
        var rater = new CdrFileRater(Deck, TimeProvider.System, TextWriter.Null);
        var cdrs = new FailingReader(RateCommandTests.ManyCdrs(10_000), failAfterLines: 5_000);

        var error = Assert.Throws<IOException>(() => rater.Rate(cdrs, TextWriter.Null));

        Assert.Equal("disk on fire", error.Message);
    }

    private sealed class FailingReader(string text, int failAfterLines) : TextReader
    {
        private readonly StringReader _inner = new(text);
        private int _lines;

        public override string? ReadLine() =>
            ++_lines > failAfterLines ? throw new IOException("disk on fire") : _inner.ReadLine();
    }
}
