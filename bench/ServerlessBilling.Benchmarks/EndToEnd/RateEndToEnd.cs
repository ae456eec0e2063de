using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;
using ServerlessBilling.Benchmarks.Data;
using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Commands.Rate;

namespace ServerlessBilling.Benchmarks.EndToEnd;

/// <summary>
/// <c>rate-e2e</c>: writes a 200,000-row deck and a 1,000,000-line CDR file, then runs the rate command's
/// class on them end to end (deck import, CDR parsing, rating, writing the result file), several times.
/// </summary>
internal static class RateEndToEnd
{
    public const string Usage = """
        Usage: ServerlessBilling.Benchmarks rate-e2e [--lines N] [--rows N] [--runs N] [--dir PATH]

        Generates a rate deck and a CDR file, then runs the rate command (RateCommand.Execute) on them and
        prints, for each run, the deck-import time and the CDRs per second of the whole run.
          --lines N    CDR lines (default 1000000)
          --rows N     deck rows (default 200000)
          --runs N     runs of the command (default 3; the first includes JIT warm-up, like a real run)
          --dir PATH   write the files there and keep them (default: a temp folder, deleted afterwards)
        Targets: deck import < 2 s; >= 500,000 CDRs/s end to end.

        """;

    private const double ImportTargetSeconds = 2.0;
    private const double CdrsPerSecondTarget = 500_000;

    public static int Run(IReadOnlyList<string> args)
    {
        var parsed = CommandArguments.Parse(args, ["lines", "rows", "runs", "dir"]);
        if (parsed.Help)
        {
            Console.Write(Usage);
            return 0;
        }

        if (parsed.Error is not null
            || !TryCount(parsed["lines"], 1_000_000, out var lines)
            || !TryCount(parsed["rows"], SyntheticDeck.DefaultRows, out var rows)
            || !TryCount(parsed["runs"], 3, out var runs))
        {
            Console.Error.WriteLine($"rate-e2e: {parsed.Error ?? "--lines, --rows and --runs take a positive whole number"}");
            Console.Error.Write(Usage);
            return 2;
        }

        var keep = parsed["dir"] is not null;
        var dir = keep ? Directory.CreateDirectory(parsed["dir"]!).FullName : Directory.CreateTempSubdirectory("sb-rate-e2e-").FullName;
        try
        {
            return Measure(dir, lines, rows, runs);
        }
        finally
        {
            if (!keep)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static int Measure(string dir, int lines, int rows, int runs)
    {
        var deckPath = Path.Combine(dir, "deck-200k.csv");
        var cdrsPath = Path.Combine(dir, "cdrs.csv");
        var outPath = Path.Combine(dir, "rated.csv");
        Print($"rate-e2e: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC, files in {dir}");

        var generation = Stopwatch.StartNew();
        var deck = SyntheticDeck.Create(rows);
        using (var writer = new StreamWriter(deckPath, false, new UTF8Encoding(false), 1 << 20))
        {
            deck.WriteCsv(writer);
        }

        using (var writer = new StreamWriter(cdrsPath, false, new UTF8Encoding(false), 1 << 20))
        {
            SyntheticCdrs.WriteCsv(writer, deck, lines);
        }

        Print($"generated {deck.Rows:N0} deck rows ({Megabytes(deckPath)}) and {lines:N0} CDR lines ({Megabytes(cdrsPath)}) in {generation.Elapsed.TotalSeconds:0.0} s");

        var failed = false;
        for (var run = 1; run <= runs; run++)
        {
            var messages = new StringWriter();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            var result = new RateCommand(TextReader.Null, TextWriter.Null, messages, TimeProvider.System)
                .Execute(new RateOptions(deckPath, cdrsPath, outPath));
            wall.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            if (result.ExitCode != ExitCodes.Ok || result.Summary is not { } summary)
            {
                Console.Error.Write(messages.ToString());
                return 1;
            }

            var importSeconds = result.DeckImportTime.TotalSeconds;
            var endToEnd = summary.Lines / wall.Elapsed.TotalSeconds;
            failed |= importSeconds >= ImportTargetSeconds || endToEnd < CdrsPerSecondTarget;
            Print($"run {run}: deck import {importSeconds:0.000} s ({result.DeckRows:N0} rows) {Verdict(importSeconds < ImportTargetSeconds)}");
            Print($"       rating {summary.Lines:N0} lines ({summary.Rated:N0} rated, {summary.Rejected:N0} rejected) in {summary.Elapsed.TotalSeconds:0.000} s = {summary.CdrsPerSecond:N0} CDRs/s");
            Print($"       whole run {wall.Elapsed.TotalSeconds:0.000} s = {endToEnd:N0} CDRs/s {Verdict(endToEnd >= CdrsPerSecondTarget)}; output {Megabytes(outPath)}");
            Print($"       CPU time {cpu.TotalSeconds:0.000} s (all threads, {cpu.TotalSeconds / wall.Elapsed.TotalSeconds:0.00} cores busy); load average {LoadAverage()}");
        }

        Print($"targets: deck import < {ImportTargetSeconds} s, whole run >= {CdrsPerSecondTarget:N0} CDRs/s: {(failed ? "MISSED in some run" : "met in every run")}");
        return 0;
    }

    /// <summary>The 1-minute load average (Linux), to tell a busy machine from a slow program.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static bool TryCount(string? text, int fallback, out int value)
    {
        value = fallback;
        return text is null || (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0);
    }

    private static string Verdict(bool met) => met ? "[target met]" : "[TARGET MISSED]";

    private static string Megabytes(string path) => string.Create(CultureInfo.InvariantCulture, $"{new FileInfo(path).Length / 1e6:0.0} MB");

    private static void Print(FormattableString message) => Console.WriteLine(message.ToString(CultureInfo.InvariantCulture));
}
