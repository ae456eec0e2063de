using System.Text;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Commands.Rate;
using ServerlessBilling.Local.Tests.Support;

namespace ServerlessBilling.Local.Tests.Rate;

/// <summary>
/// The <c>rate</c> command's result on <see cref="VariedRateFiles"/> is byte for byte the one main produced before
/// the command read blocks and rated batches in parallel (<c>Reference/varied-rated.csv</c>), whichever way the
/// input comes in, and equals rating the records of <see cref="CdrCsvReader"/> one by one.
/// </summary>
public sealed class VariedRateOutputTests
{
    private static readonly byte[] Cdrs = VariedRateFiles.Cdrs();

    private static readonly string DeckCsv = VariedRateFiles.Deck();

    private static readonly RateDeck Deck = RateDeckParser.Parse(VariedRateFiles.DeckId, DeckCsv).Deck!;

    [Fact]
    public void The_command_on_files_writes_exactly_the_reference_bytes()
    {
        using var dir = new TempDirectory();
        var deck = dir.Write(VariedRateFiles.DeckId + ".csv", DeckCsv);
        var cdrs = dir.File("cdrs.csv");
        File.WriteAllBytes(cdrs, Cdrs);
        var console = new TestConsole();

        var exit = console.RateCommand().Run(["--deck", deck, "--cdrs", cdrs, "--out", dir.File("rated.csv")]);

        Assert.Equal(ExitCodes.Ok, exit);
        AssertReference(File.ReadAllBytes(dir.File("rated.csv")));
        Assert.Contains("lines     8,001\n", console.Error.ToString(), StringComparison.Ordinal);
        Assert.Contains("rated     3,797\n", console.Error.ToString(), StringComparison.Ordinal);
        Assert.Contains("charge    9031446298370.1744 ", console.Error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(8191)]
    [InlineData(1 << 16)]
    public void Any_block_size_gives_the_reference_bytes(int blockSize)
    {
        using var cdrs = Reader();
        var output = new MemoryStream();

        Rate(new CdrFileRater(Deck, TimeProvider.System, TextWriter.Null) { BlockSize = blockSize }, cdrs, output);

        AssertReference(output.ToArray());
    }

    [Fact]
    public void A_reader_read_line_by_line_gives_the_reference_bytes()
    {
        using var cdrs = new LineByLine(Reader());
        var output = new MemoryStream();

        Rate(new CdrFileRater(Deck, TimeProvider.System, TextWriter.Null), cdrs, output);

        AssertReference(output.ToArray());
    }

    [Fact]
    public void Rating_the_records_of_the_csv_reader_one_by_one_gives_the_reference_bytes()
    {
        using var cdrs = Reader();
        var output = new MemoryStream();
        using (var text = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
        {
            var writer = new RatedCdrCsvWriter(text);
            writer.WriteHeader();
            foreach (var record in CdrCsvReader.Read(cdrs))
            {
                var rating = record.Cdr is { } cdr ? Deck.Rate(cdr.CalledNumber, cdr.StartTime, cdr.DurationSeconds, cdr.Disposition) : default;
                if (record.Cdr is null)
                {
                    writer.WriteRejected(record.Rejection!.CdrId, record.Rejection.Reason);
                }
                else if (rating.IsRated)
                {
                    writer.WriteRated(record.Cdr.CdrId, rating.Row!, rating.BilledSeconds, rating.Charge);
                }
                else
                {
                    writer.WriteRejected(record.Cdr.CdrId, rating.Reason!);
                }
            }
        }

        AssertReference(output.ToArray());
    }

    private static StreamReader Reader() => new(new MemoryStream(Cdrs), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);

    private static void Rate(CdrFileRater rater, TextReader cdrs, Stream output)
    {
        using var text = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        var summary = rater.Rate(cdrs, text);
        Assert.Equal((8_001, 3_797), (summary.Lines, summary.Rated));
    }

    private static void AssertReference(byte[] actual)
    {
        var expected = Reference();
        if (!actual.AsSpan().SequenceEqual(expected))
        {
            // The first differing line, for the failure message.
            var actualLines = Encoding.UTF8.GetString(actual).Split('\n');
            var expectedLines = Encoding.UTF8.GetString(expected).Split('\n');
            var at = Enumerable.Range(0, Math.Min(actualLines.Length, expectedLines.Length)).FirstOrDefault(i => actualLines[i] != expectedLines[i], -1);
            Assert.Fail($"{actual.Length} bytes, expected {expected.Length}; first differing line {at}: '{(at >= 0 ? actualLines[at] : "")}', expected '{(at >= 0 ? expectedLines[at] : "")}'");
        }
    }

    private static byte[] Reference()
    {
        using var stream = typeof(VariedRateOutputTests).Assembly.GetManifestResourceStream("varied-rated.csv")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>A reader that only reads lines, as a console's is read.</summary>
    private sealed class LineByLine(TextReader inner) : TextReader
    {
        public override string? ReadLine() => inner.ReadLine();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
