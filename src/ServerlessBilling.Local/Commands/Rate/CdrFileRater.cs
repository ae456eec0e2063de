using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.ExceptionServices;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Local.Commands.Rate;

/// <summary>
/// Rates a CDR CSV stream against one deck into the result CSV: every input line gives exactly one output
/// line, in order. Reading and validating the CDRs (the larger half of the work) runs on a second thread,
/// a few batches ahead of rating and writing; the hand-off is bounded, so memory stays constant whatever
/// the size of the input.
/// </summary>
public sealed class CdrFileRater(RateDeck deck, TimeProvider time, TextWriter progress)
{
    /// <summary>CDRs per hand-off between the threads; the clock and the cancellation token are looked at once per batch.</summary>
    public const int BatchSize = 1024;

    /// <summary>Batches read ahead at most.</summary>
    private const int BatchesAhead = 4;

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled.</exception>
    public RateSummary Rate(TextReader cdrs, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cdrs);
        ArgumentNullException.ThrowIfNull(output);
        var started = time.GetTimestamp();
        using var records = CdrCsvReader.Read(cdrs).GetEnumerator();
        var more = records.MoveNext();
        if (more && records.Current is { Line: 1, Rejection: { } header })
        {
            return new RateSummary(0, 0, 0, 0m, time.GetElapsedTime(started), header.Reason);
        }

        var writer = new RatedCdrCsvWriter(output);
        writer.WriteHeader();
        long lines = 0, rated = 0, linesAtLastReport = 0;
        var totalCharge = 0m;
        var lastReport = started;
        using var reading = new ReadAhead(more ? records : null, cancellationToken);
        foreach (var batch in reading.Batches())
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var record in batch)
            {
                if (record.Cdr is { } cdr)
                {
                    var outcome = deck.Rate(cdr.CalledNumber, cdr.StartTime, cdr.DurationSeconds, cdr.Disposition);
                    if (outcome.IsRated)
                    {
                        writer.WriteRated(cdr.CdrId, outcome.Row!, outcome.BilledSeconds, outcome.Charge);
                        totalCharge += outcome.Charge;
                        rated++;
                    }
                    else
                    {
                        writer.WriteRejected(cdr.CdrId, outcome.Reason!);
                    }
                }
                else
                {
                    var rejection = record.Rejection!;
                    writer.WriteRejected(rejection.CdrId, rejection.Reason);
                }
            }

            lines += batch.Count;
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

        output.Flush();
        return new RateSummary(lines, rated, lines - rated, totalCharge, time.GetElapsedTime(started));
    }

    /// <summary>
    /// Moves <paramref name="records"/> (positioned on its first record) on a worker thread into batches,
    /// at most <see cref="BatchesAhead"/> ahead of the consumer. Disposing stops the worker and waits for it,
    /// so that the enumerator is never used by two threads.
    /// </summary>
    private sealed class ReadAhead : IDisposable
    {
        private readonly BlockingCollection<ArraySegment<CdrRecord>> _batches = new(BatchesAhead);
        private readonly CancellationTokenSource _stop;
        private readonly Thread? _worker;
        private ExceptionDispatchInfo? _failure;

        public ReadAhead(IEnumerator<CdrRecord>? records, CancellationToken cancellationToken)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (records is null)
            {
                _batches.CompleteAdding();
                return;
            }

            _worker = new Thread(() => Fill(records)) { IsBackground = true, Name = "rate: read CDRs" };
            _worker.Start();
        }

        public IEnumerable<ArraySegment<CdrRecord>> Batches()
        {
            foreach (var batch in _batches.GetConsumingEnumerable(_stop.Token))
            {
                yield return batch;
            }

            // The worker also ends early when cancelled: that must not look like the end of the file.
            _stop.Token.ThrowIfCancellationRequested();
            _failure?.Throw();
        }

        public void Dispose()
        {
            _stop.Cancel();
            _worker?.Join();
            _stop.Dispose();
            _batches.Dispose();
        }

        private void Fill(IEnumerator<CdrRecord> records)
        {
            try
            {
                var more = true; // the caller has read the first record
                while (more)
                {
                    var batch = new CdrRecord[BatchSize];
                    var count = 0;
                    for (; more && count < batch.Length; more = records.MoveNext())
                    {
                        batch[count++] = records.Current;
                    }

                    _batches.Add(new ArraySegment<CdrRecord>(batch, 0, count), _stop.Token);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // The consumer stopped (cancelled or failed); it reports why.
            }
#pragma warning disable CA1031 // Any failure of the reading thread (an I/O error, a bug) is rethrown on the consumer's.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _failure = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                _batches.CompleteAdding();
            }
        }
    }
}
