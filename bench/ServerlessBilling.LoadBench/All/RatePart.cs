using System.Diagnostics;
using System.Text;
using ServerlessBilling.Core.Csv;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Ingest;
using ServerlessBilling.Local.Commands.Rate;

namespace ServerlessBilling.LoadBench.All;

/// <summary>
/// <c>rate</c> end to end for <c>all</c>: the command (deck import, CDR file in, result file out) on a generated file,
/// against a read-and-split floor: the same file read with the same buffers, each line split into its fields.
/// </summary>
internal static class RatePart
{
    private const int BatchSize = 10_000;

    public static void Run(bool quick)
    {
        var lines = quick ? 300_000 : 1_000_000;
        var folder = Directory.CreateTempSubdirectory("loadbench-rate-");
        try
        {
            var now = DateTimeOffset.UtcNow;
            var deck = IngestDeck.Create(2000, now);
            var deckPath = Path.Combine(folder.FullName, IngestDeck.DeckId + ".csv");
            var cdrsPath = Path.Combine(folder.FullName, "cdrs.csv");
            var outPath = Path.Combine(folder.FullName, "rated.csv");
            File.WriteAllText(deckPath, deck.Csv);
            WriteCdrs(cdrsPath, deck, now, lines);
            var megabytes = new FileInfo(cdrsPath).Length / 1024.0 / 1024.0;

            // Each twice: the first warms the JIT and the page cache, the second is timed.
            var command = new RateCommand(TextReader.Null, TextWriter.Null, TextWriter.Null, TimeProvider.System);
            var options = new RateOptions(deckPath, cdrsPath, outPath);
            TimeSpan rate = default, floor = default, strict = default;
            RateRun? run = null;
            long split = 0;
            for (var round = 0; round < 2; round++)
            {
                var t0 = Stopwatch.GetTimestamp();
                split = ReadAndSplit(cdrsPath, intoStrings: true);
                floor = Stopwatch.GetElapsedTime(t0);
                t0 = Stopwatch.GetTimestamp();
                _ = ReadAndSplit(cdrsPath, intoStrings: false);
                strict = Stopwatch.GetElapsedTime(t0);
                var t1 = Stopwatch.GetTimestamp();
                run = command.Execute(options);
                rate = Stopwatch.GetElapsedTime(t1);
            }

            var rated = run!.Summary;
            var table = new Table($"all: rate - {lines:N0} CDR lines ({megabytes:N0} MB), deck of {deck.Rows:N0} rows; the second of two runs each",
                "case", "seconds", "CDRs/s", "ratio to floor", "exit / lines / rated");
            table.Add("read-and-split floor (string.Split)", Fmt.N3(floor.TotalSeconds), Fmt.N0(split / floor.TotalSeconds), "1.00x", "");
            table.Add("read and split in place (CsvRow)", Fmt.N3(strict.TotalSeconds), Fmt.N0(split / strict.TotalSeconds), Fmt.Ratio(strict.TotalSeconds, floor.TotalSeconds), "");
            table.Add("rate, end to end", Fmt.N3(rate.TotalSeconds), Fmt.N0(lines / rate.TotalSeconds), Fmt.Ratio(rate.TotalSeconds, floor.TotalSeconds),
                $"{run.ExitCode} / {Fmt.N0(rated?.Lines ?? 0)} / {Fmt.N0(rated?.Rated ?? 0)}");
            table.Note("floor: the CDR file read through a StreamReader with the command's 1 MiB buffer, every line split into its field strings (the floor the");
            table.Note("  issue measured at 863-918k CDRs/s); nothing written. In place: the same split with Core's CsvRow, no strings (a stricter floor).");
            table.Note("rate: RateCommand.Execute in this process (deck import " + Fmt.N3(run.DeckImportTime.TotalSeconds) + " s, reading, validation, rating, the result file written).");
            table.Print(Console.Out);
            Findings.RatioAtMost("rate end to end, " + Fmt.N0(lines) + " CDRs", $"{rate.TotalSeconds:0.000} s ({Fmt.N0(lines / rate.TotalSeconds)}/s)", rate.TotalSeconds,
                $"{floor.TotalSeconds:0.000} s read-and-split", floor.TotalSeconds, 2.5);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static void WriteCdrs(string path, IngestDeck deck, DateTimeOffset now, int lines)
    {
        var factory = new CdrBatchFactory(deck, IngestAccounts.Ids("acct-", 1000), "r", now, 0, 21);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 20);
        writer.Write(CdrBatchFactory.Header + "\n");
        for (var first = 0; first < lines; first += BatchSize * 8)
        {
            var batches = factory.CreateMany(Math.Min(8, (lines - first + BatchSize - 1) / BatchSize), BatchSize, parse: false, utf8: false, first: first / BatchSize);
            foreach (var batch in batches)
            {
                writer.Write(batch.Csv.AsSpan(batch.Csv.IndexOf('\n') + 1));
            }
        }
    }

    private static long ReadAndSplit(string path, bool intoStrings)
    {
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan),
            Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 20);
        var row = new CsvRow();
        long lines = 0, fields = 0;
        _ = reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            if (intoStrings)
            {
                fields += line.Split(',').Length;
            }
            else if (row.Split(line))
            {
                fields += row.Count;
            }

            lines++;
        }

        return fields > 0 ? lines : 0;
    }
}
