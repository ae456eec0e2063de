using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Commands.Rate;
using ServerlessBilling.Local.Tests.Support;

namespace ServerlessBilling.Local.Tests.Rate;

public sealed class RateCommandTests
{
    [Fact]
    public void Rates_the_sample_into_exactly_the_expected_csv()
    {
        var console = new TestConsole();
        var output = new StringWriter { NewLine = "\n" };

        var run = console.RateCommand().Execute(RateSample.DeckId, new StringReader(RateSample.Deck), new StringReader(RateSample.Cdrs), output);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal(RateSample.Expected, output.ToString());
        Assert.Equal(8, run.DeckRows);
        var summary = Assert.IsType<RateSummary>(run.Summary);
        Assert.Equal((RateSample.Lines, RateSample.Rated, RateSample.Rejected), (summary.Lines, summary.Rated, summary.Rejected));
        Assert.Equal(RateSample.TotalCharge, summary.TotalCharge);
        Assert.Null(summary.HeaderError);
    }

    [Fact]
    public void Reports_a_summary_on_standard_error()
    {
        var console = new TestConsole();

        console.RateCommand().Execute(RateSample.DeckId, new StringReader(RateSample.Deck), new StringReader(RateSample.Cdrs), new StringWriter());

        var error = console.Error.ToString();
        Assert.Contains("deck      sample-2026: 8 rows", error, StringComparison.Ordinal);
        Assert.Contains("lines     22\n", error, StringComparison.Ordinal);
        Assert.Contains("rated     16\n", error, StringComparison.Ordinal);
        Assert.Contains("rejected  6\n", error, StringComparison.Ordinal);
        Assert.Contains("charge    0.3649 ", error, StringComparison.Ordinal);
        Assert.Contains("CDRs/s ", error, StringComparison.Ordinal);
        Assert.Empty(console.Out.ToString());
    }

    [Fact]
    public void Rates_files_into_the_out_file_and_takes_the_deck_id_from_the_file_name()
    {
        using var dir = new TempDirectory();
        var deck = dir.Write("uk-2026.csv", RateSample.Deck);
        var cdrs = dir.Write("cdrs.csv", RateSample.Cdrs.ReplaceLineEndings("\r\n"));
        var console = new TestConsole();

        var exit = console.RateCommand().Run(["--deck", deck, "--cdrs", cdrs, "--out", dir.File("rated.csv")]);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(RateSample.Expected, File.ReadAllText(dir.File("rated.csv")));
        Assert.False(File.Exists(dir.File("rated.csv.partial")));
        Assert.Contains("deck      uk-2026: 8 rows", console.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Replaces_an_existing_out_file()
    {
        using var dir = new TempDirectory();
        var deck = dir.Write("deck.csv", RateSample.Deck);
        var cdrs = dir.Write("cdrs.csv", RateSample.Cdrs);
        var rated = dir.Write("rated.csv", "old contents, longer than the new ones would be if the file were not truncated\n".PadRight(20_000, 'x'));

        var exit = new TestConsole().RateCommand().Run([$"--deck={deck}", $"--cdrs={cdrs}", $"--out={rated}"]);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(RateSample.Expected, File.ReadAllText(rated));
    }

    [Fact]
    public void Reads_standard_input_and_writes_standard_output_for_dash()
    {
        using var dir = new TempDirectory();
        var deck = dir.Write("deck.csv", RateSample.Deck);
        var console = new TestConsole(stdin: RateSample.Cdrs);

        var exit = console.RateCommand().Run(["--deck", deck, "--cdrs", "-", "--out", "-"]);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(RateSample.Expected, console.Out.ToString());
        Assert.Contains("lines     22", console.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_with_only_a_header_gives_only_the_result_header()
    {
        var output = new StringWriter();
        var cdrs = RateSample.Cdrs[..(RateSample.Cdrs.IndexOf('\n', StringComparison.Ordinal) + 1)];

        var run = new TestConsole().RateCommand().Execute("d", new StringReader(RateSample.Deck), new StringReader(cdrs), output);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal(RatedCdrCsvWriter.Header + "\n", output.ToString());
    }

    [Fact]
    public void Deck_errors_are_listed_by_line_and_exit_1_without_output()
    {
        using var dir = new TempDirectory();
        var deck = dir.Write("bad.csv", """
            prefix,destination,rate,connect_fee,min_seconds,increment_seconds
            44,United Kingdom,0.01,0,60,60
            4x,Nowhere,0.01,0,60,60
            45,Denmark,cheap,0,60,60

            """);
        var cdrs = dir.Write("cdrs.csv", RateSample.Cdrs);
        var console = new TestConsole();

        var exit = console.RateCommand().Run(["--deck", deck, "--cdrs", cdrs, "--out", dir.File("rated.csv")]);

        Assert.Equal(ExitCodes.Failed, exit);
        var lines = console.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("rate: deck 'bad' has 2 errors; nothing was rated", lines[0]);
        Assert.StartsWith("line 3: prefix '4x'", lines[1], StringComparison.Ordinal);
        Assert.Equal("line 4: rate 'cheap' is not a number", lines[2]);
        Assert.Equal(3, lines.Length);
        Assert.False(File.Exists(dir.File("rated.csv")));
        Assert.False(File.Exists(dir.File("rated.csv.partial")));
    }

    [Fact]
    public void Lists_the_first_50_deck_errors_then_how_many_more()
    {
        var deck = "prefix,destination,rate,min_seconds,increment_seconds\n"
            + string.Concat(Enumerable.Range(0, 60).Select(i => $"{i + 10},D{i},x,60,60\n"));
        var console = new TestConsole();

        var run = console.RateCommand().Execute("d", new StringReader(deck), new StringReader(RateSample.Cdrs), new StringWriter());

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        var lines = console.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("rate: deck 'd' has 60 errors; nothing was rated", lines[0]);
        Assert.Equal("line 2: rate 'x' is not a number", lines[1]);
        Assert.Equal("line 51: rate 'x' is not a number", lines[50]);
        Assert.Equal("... and 10 more", lines[51]);
        Assert.Equal(52, lines.Length);
    }

    [Fact]
    public void A_bad_cdr_header_exits_1_and_leaves_no_output_file()
    {
        using var dir = new TempDirectory();
        var deck = dir.Write("deck.csv", RateSample.Deck);
        var cdrs = dir.Write("cdrs.csv", "cdr_id,account_id\nc-1,acme\n");
        var console = new TestConsole();

        var exit = console.RateCommand().Run(["--deck", deck, "--cdrs", cdrs, "--out", dir.File("rated.csv")]);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("the CDR file cannot be read: line 1: the header lacks required column(s): calling_number", console.Error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("rated.csv")));
        Assert.False(File.Exists(dir.File("rated.csv.partial")));
    }

    [Fact]
    public void An_empty_cdr_file_has_no_header_and_exits_1()
    {
        var console = new TestConsole();
        var output = new StringWriter();

        var run = console.RateCommand().Execute("d", new StringReader(RateSample.Deck), new StringReader(""), output);

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("the header line is missing", console.Error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }

    [Fact]
    public void Cancelling_exits_130_and_leaves_no_output_file()
    {
        using var dir = new TempDirectory();
        var deck = dir.Write("deck.csv", RateSample.Deck);
        var cdrs = dir.Write("cdrs.csv", ManyCdrs(10_000));
        var console = new TestConsole();

        var exit = console.RateCommand().Run(["--deck", deck, "--cdrs", cdrs, "--out", dir.File("rated.csv")], new CancellationToken(canceled: true));

        Assert.Equal(ExitCodes.Cancelled, exit);
        Assert.Contains("rate: cancelled", console.Error.ToString(), StringComparison.Ordinal);
        Assert.Equal([dir.File("cdrs.csv"), dir.File("deck.csv")], Directory.GetFiles(dir.Path).Order());
    }

    internal static string ManyCdrs(int count) =>
        "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition\n"
        + string.Concat(Enumerable.Range(0, count).Select(i => $"c-{i},acme,+441,+4420{i:D7},2026-11-26T10:00:00Z,{i % 300},ANSWERED\n"));
}
