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

            // A warm-up round (JIT, page cache), then rounds that alternate the three cases so that a change in the
            // machine's load touches each alike; each case's median wall time is compared, and its process CPU time
            // beside it (rate reads and writes on one thread and rates on the others, the floor has one thread).
            var command = new RateCommand(TextReader.Null, TextWriter.Null, TextWriter.Null, TimeProvider.System);
            var options = new RateOptions(deckPath, cdrsPath, outPath);
            var rounds = quick ? 5 : 7;
            var floor = new Samples();
            var strict = new Samples();
            var rate = new Samples();
            RateRun? run = null;
            long split = 0;
            for (var round = 0; round <= rounds; round++)
            {
                var measured = round > 0;
                split = floor.Time(measured, () => ReadAndSplit(cdrsPath, intoStrings: true));
                _ = strict.Time(measured, () => ReadAndSplit(cdrsPath, intoStrings: false));
                run = rate.Time(measured, () => command.Execute(options));
            }

            var rated = run!.Summary;
            var table = new Table($"all: rate - {lines:N0} CDR lines ({megabytes:N0} MB), deck of {deck.Rows:N0} rows; median of {rounds} alternating rounds after a warm-up",
                "case", "seconds (median)", "min - max", "CDRs/s", "ratio to floor", "CPU s (median)", "CPU ratio", "exit / lines / rated");
            table.Add("read-and-split floor (string.Split)", Fmt.N3(floor.Wall), floor.WallRange, Fmt.N0(split / floor.Wall), "1.00x", Fmt.N3(floor.Cpu), "1.00x", "");
            table.Add("read and split in place (CsvRow)", Fmt.N3(strict.Wall), strict.WallRange, Fmt.N0(split / strict.Wall), Fmt.Ratio(strict.Wall, floor.Wall),
                Fmt.N3(strict.Cpu), Fmt.Ratio(strict.Cpu, floor.Cpu), "");
            table.Add("rate, end to end", Fmt.N3(rate.Wall), rate.WallRange, Fmt.N0(lines / rate.Wall), Fmt.Ratio(rate.Wall, floor.Wall),
                Fmt.N3(rate.Cpu), Fmt.Ratio(rate.Cpu, floor.Cpu), $"{run.ExitCode} / {Fmt.N0(rated?.Lines ?? 0)} / {Fmt.N0(rated?.Rated ?? 0)}");
            table.Note("floor: the CDR file read through a StreamReader with the command's 1 MiB buffer, every line split into its field strings (the floor the");
            table.Note("  issue measured at 863-918k CDRs/s); nothing written. In place: the same split with Core's CsvRow, no strings (a stricter floor).");
            table.Note("rate: RateCommand.Execute in this process (deck import " + Fmt.N3(run.DeckImportTime.TotalSeconds) + " s, reading, validation, rating, the result file written).");
            table.Note("CPU: this process's CPU time over the case, all threads (GC included); on a busy machine it moves less than wall time.");
            table.Print(Console.Out);
            Findings.RatioAtMost("rate end to end, " + Fmt.N0(lines) + " CDRs", $"{rate.Wall:0.000} s ({Fmt.N0(lines / rate.Wall)}/s), median", rate.Wall,
                $"{floor.Wall:0.000} s read-and-split, median", floor.Wall, 2.5);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Wall and process CPU times of one case over the measured rounds.</summary>
    private sealed class Samples
    {
        private readonly List<double> _wall = [];
        private readonly List<double> _cpu = [];

        public double Wall => Median(_wall);

        public double Cpu => Median(_cpu);

        public string WallRange => $"{_wall.Min():0.000} - {_wall.Max():0.000}";

        public T Time<T>(bool measured, Func<T> action)
        {
            // Every case starts on a collected heap, with no background collection of the case before still running.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var cpu = Machine.CpuTime();
            var started = Stopwatch.GetTimestamp();
            var result = action();
            if (measured)
            {
                _wall.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                _cpu.Add((Machine.CpuTime() - cpu).TotalSeconds);
            }

            return result;
        }

        private static double Median(List<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
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
