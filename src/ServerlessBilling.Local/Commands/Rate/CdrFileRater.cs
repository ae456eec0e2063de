using System.Globalization;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.Csv;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Local.Commands.Rate;

/// <summary>
/// Rates a CDR CSV stream against one deck into the result CSV: every input line gives exactly one output
/// line, in order. The caller's thread reads the input into batches of lines and writes their results in order;
/// the batches are parsed, validated, rated and formatted on the thread pool, one per core at a time, a few
/// batches ahead at most, so memory stays constant whatever the size of the input.
/// </summary>
public sealed class CdrFileRater(RateDeck deck, TimeProvider time, TextWriter progress)
{
    /// <summary>CDRs per batch; the clock and the cancellation token are looked at once per batch.</summary>
    public const int BatchSize = 1024;

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <summary>Batches on the way at most: one being rated per core, and as many read or written meanwhile.</summary>
    private static int BatchesAhead => 2 * Environment.ProcessorCount;

    /// <summary>Characters read from a <see cref="StreamReader"/> or <see cref="StringReader"/> at a time (small ones cut lines and CRLFs across reads).</summary>
    public int BlockSize
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "at least one character");
    } = CdrLineSource.DefaultBlockSize;

    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled.</exception>
    public RateSummary Rate(TextReader cdrs, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cdrs);
        ArgumentNullException.ThrowIfNull(output);
        var started = time.GetTimestamp();
        var source = new CdrLineSource(cdrs, BlockSize);
        var headerLine = source.TryRead(out var first) ? first.ToString() : null;
        var header = CsvHeader.TryCreate(headerLine, CdrCsvReader.RequiredColumns, out var headerError, refuseDuplicates: true);
        if (header is null)
        {
            return new RateSummary(0, 0, 0, 0m, time.GetElapsedTime(started), headerError);
        }

        new RatedCdrCsvWriter(output).WriteHeader();
        long lines = 0, rated = 0, linesAtLastReport = 0;
        var totalCharge = 0m;
        var lastReport = started;
        var free = new Stack<RateBatch>();
        var ahead = new Queue<(RateBatch Batch, Task Rating)>();
        var more = true;
        try
        {
            while (true)
            {
                while (more && ahead.Count < BatchesAhead)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var next = free.Count > 0 ? free.Pop() : new RateBatch(header);
                    more = next.Fill(source);
                    if (next.Count == 0)
                    {
                        free.Push(next);
                        break;
                    }

                    ahead.Enqueue((next, Environment.ProcessorCount > 1 ? Task.Run(() => next.Rate(deck), CancellationToken.None) : RateHere(next)));
                }

                if (ahead.Count == 0)
                {
                    break;
                }

                var (batch, rating) = ahead.Dequeue();
                rating.GetAwaiter().GetResult();
                cancellationToken.ThrowIfCancellationRequested();
                output.Write(batch.Output.Span);
                foreach (var charge in batch.Charges)
                {
                    totalCharge += charge;
                }

                rated += batch.Rated;
                lines += batch.Count;
                free.Push(batch);
                var now = time.GetTimestamp();
                var sinceReport = time.GetElapsedTime(lastReport, now);
                if (sinceReport >= ProgressInterval)
                {
                    var perSecond = (lines - linesAtLastReport) / sinceReport.TotalSeconds;
                    progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rate: {lines:N0} lines, {perSecond:N0} CDRs/s"));
                    lastReport = now;
                    linesAtLastReport = lines;
                }
            }
        }
        finally
        {
            // A failed or cancelled run leaves no batch being rated behind it.
            WaitQuietly(ahead);
        }

        output.Flush();
        return new RateSummary(lines, rated, lines - rated, totalCharge, time.GetElapsedTime(started));

        Task RateHere(RateBatch batch)
        {
            batch.Rate(deck);
            return Task.CompletedTask;
        }
    }

    private static void WaitQuietly(Queue<(RateBatch Batch, Task Rating)> ahead)
    {
        foreach (var (_, rating) in ahead)
        {
            try
            {
                rating.Wait();
            }
#pragma warning disable CA1031 // The run is failing already with its own exception; a second failure of a batch adds nothing.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
