using System.Globalization;
using System.Text;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Local.Commands.Rate;

/// <summary>
/// <c>rate --deck D.csv --cdrs C.csv --out R.csv</c>: imports the deck, then rates the CDR file into the
/// result CSV (see <see cref="RateOptions.Usage"/>). Messages go to <paramref name="stderr"/>; help and
/// <c>--out -</c> to <paramref name="stdout"/>; <c>--cdrs -</c> reads <paramref name="stdin"/>.
/// </summary>
public sealed class RateCommand(TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider time)
{
    public const int MaxDeckErrorsShown = 50;

    /// <summary>The read and write buffer of each file: few system calls, little memory.</summary>
    private const int FileBufferSize = 1 << 20;

    private const string PartialSuffix = ".partial";

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Parses <paramref name="args"/> (the arguments after <c>rate</c>) and runs; returns the exit code.</summary>
    public int Run(IReadOnlyList<string> args, CancellationToken cancellationToken = default)
    {
        var options = RateOptions.Parse(args, out var help, out var error);
        if (help)
        {
            stdout.Write(RateOptions.Usage);
            stdout.Flush();
            return ExitCodes.Ok;
        }

        if (options is null)
        {
            stderr.WriteLine($"rate: {error}");
            stderr.WriteLine();
            stderr.Write(RateOptions.Usage);
            return ExitCodes.Usage;
        }

        return Execute(options, cancellationToken).ExitCode;
    }

    /// <summary>Runs on files (or standard streams): the output file appears, complete, only when the run succeeds.</summary>
    public RateRun Execute(RateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (FindPathProblem(options) is { } problem)
        {
            return Fail(ExitCodes.Usage, problem);
        }

        if (options.OutPath != RateOptions.StandardStream && DevicePath(options.OutPath) is { } device)
        {
            // /dev/null, /dev/stdout, /proc/self/fd/1: written as they are. Renaming a PATH.partial over one would
            // replace the device (or the link to it) with a plain file, as root even /dev/null itself.
            return ExecuteOnFiles(options, device, cancellationToken);
        }

        var partialPath = options.OutPath == RateOptions.StandardStream ? null : options.OutPath + PartialSuffix;
        var run = ExecuteOnFiles(options, partialPath, cancellationToken);
        if (partialPath is not null && File.Exists(partialPath))
        {
            if (run.ExitCode == ExitCodes.Ok)
            {
                File.Move(partialPath, options.OutPath, overwrite: true);
            }
            else
            {
                File.Delete(partialPath);
            }
        }

        return run;
    }

    /// <summary>Imports the deck read from <paramref name="deck"/>, then rates <paramref name="cdrs"/> into <paramref name="output"/>.</summary>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled.</exception>
    public RateRun Execute(string deckId, TextReader deck, TextReader cdrs, TextWriter output, CancellationToken cancellationToken = default)
    {
        var importStarted = time.GetTimestamp();
        var import = RateDeckParser.Parse(deckId, deck);
        var importTime = time.GetElapsedTime(importStarted);
        if (import.Deck is null)
        {
            ReportDeckErrors(deckId, import.Errors);
            return new RateRun(ExitCodes.Failed, 0, importTime);
        }

        var rows = import.Deck.Rows.Count;
        var summary = new CdrFileRater(import.Deck, time, stderr).Rate(cdrs, output, cancellationToken);
        if (summary.HeaderError is { } headerError)
        {
            stderr.WriteLine($"rate: the CDR file cannot be read: line 1: {headerError}");
            return new RateRun(ExitCodes.Failed, rows, importTime, summary);
        }

        ReportSummary(deckId, rows, importTime, summary);
        return new RateRun(ExitCodes.Ok, rows, importTime, summary);
    }

    private RateRun ExecuteOnFiles(RateOptions options, string? partialPath, CancellationToken cancellationToken)
    {
        StreamReader? deck = null, cdrs = null;
        StreamWriter? output = null;
        try
        {
            try
            {
                deck = OpenRead(options.DeckPath);
                cdrs = options.CdrsPath == RateOptions.StandardStream ? null : OpenRead(options.CdrsPath);
                output = partialPath is null ? null : OpenWrite(partialPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Fail(ExitCodes.Usage, ex.Message);
            }

            var run = Execute(DeckId(options.DeckPath), deck, cdrs ?? stdin, output ?? stdout, cancellationToken);
            output?.Dispose(); // writes the last buffer: failing to is a failed run
            return run;
        }
        catch (OperationCanceledException)
        {
            return Fail(ExitCodes.Cancelled, "cancelled");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(ExitCodes.Failed, ex.Message);
        }
        finally
        {
            deck?.Dispose();
            cdrs?.Dispose();
            DisposeAfterFailure(output);
        }
    }

    /// <summary>
    /// Closes the output when the run did not get to (a successful run has closed it already). That run has
    /// failed and its partial file is deleted, so the same write error met again while flushing is ignored.
    /// </summary>
    private static void DisposeAfterFailure(StreamWriter? output)
    {
        try
        {
            output?.Dispose();
        }
        catch (IOException)
        {
            // Already reported: this is the same failure, met again while flushing.
        }
    }

    private RateRun Fail(int exitCode, string message)
    {
        stderr.WriteLine($"rate: {message}");
        return new RateRun(exitCode);
    }

    private static string? FindPathProblem(RateOptions options)
    {
        if (!File.Exists(options.DeckPath))
        {
            return $"deck file '{options.DeckPath}' not found";
        }

        if (options.CdrsPath != RateOptions.StandardStream && !File.Exists(options.CdrsPath))
        {
            return $"CDR file '{options.CdrsPath}' not found";
        }

        if (options.OutPath == RateOptions.StandardStream)
        {
            return null;
        }

        if (Directory.Exists(options.OutPath))
        {
            return $"output '{options.OutPath}' is a directory";
        }

        // The result replaces the output file once rated: naming an input there would destroy the deck or the CDRs. So would
        // an input that is the working file (OUT.partial): it is truncated to be written, or deleted when the run fails.
        var output = Path.GetFullPath(options.OutPath);
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach (var (input, what) in new[] { (options.DeckPath, "deck"), (options.CdrsPath, "CDR") })
        {
            var path = input == RateOptions.StandardStream ? null : Path.GetFullPath(input);
            if (string.Equals(path, output, comparison))
            {
                return $"output '{options.OutPath}' is the {what} file; the result would replace it: choose another --out";
            }

            if (string.Equals(path, output + PartialSuffix, comparison))
            {
                return $"output '{options.OutPath}' is written first as '{options.OutPath}{PartialSuffix}', which is the {what} file; the result would replace it: choose another --out";
            }
        }

        var directory = Path.GetDirectoryName(output);
        return directory is null || Directory.Exists(directory) ? null : $"output directory '{directory}' not found";
    }

    /// <summary>The device an output path names, through any links (Unix: under /dev or /proc); null for a file.</summary>
    private static string? DevicePath(string outPath)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        static bool UnderDevices(string path) => path.StartsWith("/dev/", StringComparison.Ordinal) || path.StartsWith("/proc/", StringComparison.Ordinal);
        var path = Path.GetFullPath(outPath);
        try
        {
            // The device is opened by the path given (/dev/stdout's final target may be a pipe, which has no path).
            return UnderDevices(path) || File.ResolveLinkTarget(path, returnFinalTarget: true) is { } target && UnderDevices(target.FullName) ? path : null;
        }
        catch (IOException)
        {
            return null; // a link that cannot be followed (a loop): not a device, and the write reports what is wrong
        }
    }

    private static string DeckId(string deckPath)
    {
        var name = Path.GetFileNameWithoutExtension(deckPath);
        return string.IsNullOrWhiteSpace(name) ? Path.GetFileName(deckPath) : name;
    }

    // The stream itself is unbuffered: the reader's and writer's own 1 MiB buffers make the system calls large.
    private static StreamReader OpenRead(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan),
            Encoding.UTF8, detectEncodingFromByteOrderMarks: true, FileBufferSize);

    private static StreamWriter OpenWrite(string path) =>
        new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0), Utf8NoBom, FileBufferSize);

    private void ReportDeckErrors(string deckId, IReadOnlyList<DeckLineError> errors)
    {
        stderr.WriteLine($"rate: deck '{deckId}' has {Count(errors.Count, "error")}; nothing was rated");
        foreach (var error in errors.Take(MaxDeckErrorsShown))
        {
            stderr.WriteLine(error.ToString());
        }

        if (errors.Count > MaxDeckErrorsShown)
        {
            stderr.WriteLine($"... and {errors.Count - MaxDeckErrorsShown} more");
        }
    }

    private void ReportSummary(string deckId, int deckRows, TimeSpan importTime, RateSummary summary)
    {
        var c = CultureInfo.InvariantCulture;
        stderr.WriteLine(string.Create(c, $"deck      {deckId}: {deckRows:N0} rows, imported in {importTime.TotalSeconds:0.00} s"));
        stderr.WriteLine(string.Create(c, $"lines     {summary.Lines:N0}"));
        stderr.WriteLine(string.Create(c, $"rated     {summary.Rated:N0}"));
        stderr.WriteLine(string.Create(c, $"rejected  {summary.Rejected:N0}"));
        stderr.WriteLine(string.Create(c, $"charge    {ChargeText.ToString(summary.TotalCharge)} (sum of rated lines)"));
        stderr.WriteLine(string.Create(c, $"elapsed   {summary.Elapsed.TotalSeconds:0.00} s"));
        stderr.WriteLine(string.Create(c, $"CDRs/s    {summary.CdrsPerSecond:N0}"));
    }

    private static string Count(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {noun}{(count == 1 ? "" : "s")}");
}
