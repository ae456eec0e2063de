using System.Collections.Concurrent;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Invoicing.Documents;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Invoicing;

/// <summary>
/// The invoice run: closes each account's billing period and issues one invoice (post-paid) or statement
/// (pre-paid) per closed period, from the totals the account document keeps. It reads one document per
/// account, never the usage records, and can run any number of times, concurrently, from any host.
///
/// Per account and period, in this order (each step idempotent):
/// 1. reserve the number for the deterministic id (<see cref="InvoiceNumbering"/>);
/// 2. close the period on the account document (ETag-conditional): its totals are frozen from then on, and a
///    later charge for it is late usage for the next invoice;
/// 3. build the invoice from the closed document and create it (409: it exists);
/// 4. write its HTML and PDF through the document sink;
/// 5. confirm the number.
/// A run that stops anywhere leaves a pending number; the next run finishes it first.
/// </summary>
public sealed class InvoiceRunService(
    IAccountStore accounts,
    AccountUpdater updater,
    IAccountDirectory directory,
    IInvoiceStore invoices,
    IInvoiceCounterStore counters,
    IDocumentSink documents,
    TimeProvider clock,
    InvoiceRunOptions? runOptions = null,
    CreditControlOptions? deadlines = null)
{
    private const int FailuresKept = 20;
    private readonly InvoiceRunOptions _runOptions = runOptions ?? new InvoiceRunOptions();
    private readonly InvoiceNumbering _numbering = new(counters);

    /// <summary>
    /// How long one step of the run (a counter, an account, a page of the account listing) may wait on the store: a
    /// run, which may rightly take longer than any one deadline, has its steps bounded instead, and a step that passes
    /// its deadline ends the run as unavailable (503 on the HTTP route): the store is not answering, and every account
    /// after it would wait as long.
    /// </summary>
    private readonly TimeSpan _stepDeadline = (deadlines ?? new CreditControlOptions()).AdminDeadline;

    /// <summary>The timer's call: every account's latest closed period (and any earlier one not yet invoiced).</summary>
    public Task<Outcome<InvoiceRunSummary>> RunAsync(CancellationToken cancellationToken) => RunAsync(null, cancellationToken);

    /// <summary>
    /// Runs for the period labelled <paramref name="period"/> ("2026-10", in each account's time zone and billing
    /// day; accounts whose period has not ended yet are left for a later run), or, when null, as the timer does.
    /// </summary>
    public async Task<Outcome<InvoiceRunSummary>> RunAsync(string? period, CancellationToken cancellationToken)
    {
        if (period is not null && !BillingPeriod.TryParseLabel(period, out _, out _))
        {
            return OutcomeError.Invalid($"period '{period}' is not a month in the form yyyy-MM from {BillingPeriod.EarliestLabel} to 9998-12");
        }

        var now = clock.GetUtcNow();
        var failures = new ConcurrentQueue<string>();
        var (recovered, failed) = await FinishPendingAsync(now, failures, cancellationToken);
        int seen = 0, issued = 0, statements = 0, nothing = 0;
        await Parallel.ForEachAsync(
            StoreDeadline.EachWithinAsync(directory.ListAccountIdsAsync(cancellationToken), _stepDeadline, clock, "invoice run: the account listing", cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = _runOptions.Parallelism, CancellationToken = cancellationToken },
            async (accountId, ct) =>
            {
                Interlocked.Increment(ref seen);
                try
                {
                    var (i, s) = await WithinStepDeadline(c => RunAccountAsync(accountId, period, now, c), $"invoice run: account '{accountId}'", ct);
                    Interlocked.Add(ref issued, i);
                    Interlocked.Add(ref statements, s);
                    if (i + s == 0)
                    {
                        Interlocked.Increment(ref nothing);
                    }
                }
                catch (Exception ex) when (IsAccountFault(ex, ct))
                {
                    // One account's fault must not hold back the others' invoices; its period stays open or its
                    // number pending, and the next run finishes it.
                    Interlocked.Increment(ref failed);
                    Keep(failures, accountId, ex);
                }
            });

        return new InvoiceRunSummary(period, now, seen, issued, statements, recovered, nothing, failed, failures.ToList());
    }

    /// <summary>Issues what is due on one account, oldest period first; (invoices, statements) issued.</summary>
    private async Task<(int Invoices, int Statements)> RunAccountAsync(string accountId, string? period, DateTimeOffset now, CancellationToken cancellationToken)
    {
        int issuedInvoices = 0, issuedStatements = 0;
        while ((await accounts.GetAsync(accountId, cancellationToken))?.Value is { } account && DueLabel(account, period, now) is { } due)
        {
            var series = SeriesOf(account, due);
            var invoiceId = InvoiceIds.For(accountId, due);
            var reservation = await _numbering.ReserveAsync(
                series, invoiceId, now, async ct => await invoices.GetAsync(accountId, invoiceId, ct) is not null, cancellationToken);
            if (reservation is null)
            {
                // Issued, yet the period is open here: the close of the run that issued it is not visible yet.
                await CloseAsync(accountId, due, cancellationToken);
            }
            else if (await IssueAsync(accountId, due, series, reservation, cancellationToken))
            {
                if (series == InvoiceIds.InvoiceSeries)
                {
                    issuedInvoices++;
                }
                else
                {
                    issuedStatements++;
                }
            }
        }

        return (issuedInvoices, issuedStatements);
    }

    /// <summary>
    /// The oldest period of the account that is due: not closed, ended before <paramref name="now"/>, at most the
    /// requested one (the timer: any before the running one), and with usage to bill. A period without
    /// usage issues nothing and stays open: should usage for it come later, it is billed then as its own period.
    /// The account's own running period is never due: a new billing day may have moved its end past the bounds its
    /// totals were opened with, or given the next period the same label. Nor are the earlier parts of it that a change
    /// of mode ended (see <see cref="PeriodBook.ChangeMode"/>): the parts of a period are due together once it has
    /// ended, so that calls charged after the change still reach the part they started in.
    /// </summary>
    internal static string? DueLabel(AccountState account, string? period, DateTimeOffset now)
    {
        // The timer takes every period that has ended: one that ended before a new billing day or time zone keeps its bounds,
        // and its label may come after the one the new settings put before the running period.
        var running = account.PeriodBook.Roll(now, account.Settings).Label is { } current ? BillingPeriod.MonthOf(current) : null;
        foreach (var (label, totals) in account.Totals)
        {
            var month = BillingPeriod.MonthOf(label);
            if ((period is not null && string.CompareOrdinal(month, period) > 0) || (running is not null && string.CompareOrdinal(month, running) >= 0))
            {
                break;
            }

            if (!account.IsClosed(label) && totals.End <= now
                && (HasUsage(totals) || (account.PeriodBook.ModeOf(totals, account.Settings) == AccountMode.Prepaid && totals.TopUps != 0m)))
            {
                return label;
            }
        }

        return null;
    }

    /// <summary>Calls or money to bill (unanswered calls alone bill nothing), in the period or its late sections. Top-ups are never invoiced; a statement reports them.</summary>
    private static bool HasUsage(PeriodTotals totals) =>
        totals.Total.Calls > 0 || totals.Total.Amount != 0m || totals.Late.Values.Any(HasUsage);

    /// <summary>The series of the period's document: statements for a period (or part) that ran pre-paid, invoices otherwise.</summary>
    private static string SeriesOf(AccountState account, string label) =>
        InvoiceBuilder.ModeOf(account, account.Totals.GetValueOrDefault(label) ?? EmptyTotals(account, label)) == AccountMode.Prepaid
            ? InvoiceIds.StatementSeries
            : InvoiceIds.InvoiceSeries;

    /// <summary>Steps 2 to 5 for a reserved number; true when this call created the document.</summary>
    private async Task<bool> IssueAsync(string accountId, string label, string series, NumberReservation reservation, CancellationToken cancellationToken)
    {
        var closed = await CloseAsync(accountId, label, cancellationToken);
        if (closed is null)
        {
            // The account is gone: nothing can carry this number.
            await _numbering.ReleaseAsync(series, reservation, cancellationToken);
            return false;
        }

        var totals = closed.Totals.GetValueOrDefault(label) ?? EmptyTotals(closed, label);
        var invoice = InvoiceBuilder.Build(closed, totals, reservation, _runOptions.Issuer);
        var created = await invoices.TryCreateAsync(invoice, cancellationToken);
        if (!created)
        {
            var existing = await invoices.GetAsync(accountId, reservation.InvoiceId, cancellationToken)
                ?? throw new StoreUnavailableException($"invoice '{reservation.InvoiceId}' exists but cannot be read") { Store = "invoice store" };
            if (existing.InvoiceNumber != reservation.Number)
            {
                // Numbered by a run that finished before this one reserved: give this number back.
                await _numbering.ReleaseAsync(series, reservation, cancellationToken);
                return false;
            }

            invoice = existing;
        }

        await WriteDocumentsAsync(invoice, cancellationToken);
        await _numbering.CompleteAsync(series, reservation, cancellationToken);
        return created;
    }

    private static void Keep(ConcurrentQueue<string> failures, string accountId, Exception ex)
    {
        if (failures.Count < FailuresKept)
        {
            failures.Enqueue($"{accountId}: {ex.Message}");
        }
    }

    /// <summary>
    /// Finishes what interrupted runs left pending (this year's counters and last year's): how many it issued, and how
    /// many it could not finish. A reservation that fails stays pending for the next run and holds up no other: one
    /// account whose document cannot be filed must not stop every account's invoices.
    /// </summary>
    private async Task<(int Finished, int Failed)> FinishPendingAsync(DateTimeOffset now, ConcurrentQueue<string> failures, CancellationToken cancellationToken)
    {
        int finished = 0, failed = 0;
        var year = InvoiceNumbering.YearOf(now);
        foreach (var series in new[] { InvoiceIds.InvoiceSeries, InvoiceIds.StatementSeries })
        {
            foreach (var y in new[] { year - 1, year })
            {
                var counter = await WithinStepDeadline(c => _numbering.ReadAsync(series, y, c), $"invoice run: the {series} counter of {y}", cancellationToken);
                foreach (var reservation in counter.PendingReservations.ToList())
                {
                    if (!InvoiceIds.TryParse(reservation.InvoiceId, out var accountId, out var label))
                    {
                        continue;
                    }

                    try
                    {
                        if (await WithinStepDeadline(c => IssueAsync(accountId, label, series, reservation, c), $"invoice run: pending invoice '{reservation.InvoiceId}'", cancellationToken))
                        {
                            finished++;
                        }
                    }
                    catch (Exception ex) when (IsAccountFault(ex, cancellationToken))
                    {
                        failed++;
                        Keep(failures, accountId, ex);
                    }
                }
            }
        }

        return (finished, failed);
    }

    private Task<T> WithinStepDeadline<T>(Func<CancellationToken, Task<T>> step, string what, CancellationToken cancellationToken) =>
        StoreDeadline.RunAsync(step, _stepDeadline, clock, what, cancellationToken);

    /// <summary>
    /// A fault of one account, which holds back no other (a cancellation that <paramref name="cancellationToken"/> did not
    /// cause too: an HttpClient's timeout); a store that stopped answering, or the run's own cancellation, ends the run.
    /// </summary>
    private static bool IsAccountFault(Exception exception, CancellationToken cancellationToken) =>
        (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        && exception is not StoreUnavailableException { DeadlinePassed: true };

    /// <summary>Step 2: the account document with the period closed (by this call or an earlier one); null when the account does not exist.</summary>
    private async Task<AccountState?> CloseAsync(string accountId, string label, CancellationToken cancellationToken)
    {
        var decision = await updater.UpdateAsync(accountId, Close, cancellationToken);
        return decision.Answer?.Account;

        Decision<Closed> Close(AccountState? account)
        {
            if (account is null || account.IsClosed(label))
            {
                return Decision.Unchanged(new Closed(account));
            }

            var closed = account.CloseThrough(label);
            return Decision.Changed(closed, new Closed(closed));
        }
    }

    private sealed record Closed(AccountState? Account);

    /// <summary>The totals of a period that left the document or had none: an invoice with no lines.</summary>
    private static PeriodTotals EmptyTotals(AccountState account, string label)
    {
        BillingPeriod.TryForLabel(BillingPeriod.MonthOf(label), account.Settings.BillingDay, BillingPeriod.FindTimeZone(account.Settings.TimeZone), out var bounds);
        return new PeriodTotals(label, bounds.Start, bounds.End);
    }

    private async Task WriteDocumentsAsync(Invoice invoice, CancellationToken cancellationToken)
    {
        var baseName = InvoiceDocuments.BaseName(invoice);
        if (_runOptions.Documents.HasFlag(DocumentFormats.Html))
        {
            await documents.PutAsync(baseName + ".html", InvoiceDocuments.HtmlContentType, InvoiceDocuments.Html(invoice), cancellationToken);
        }

        if (_runOptions.Documents.HasFlag(DocumentFormats.Pdf))
        {
            await documents.PutAsync(baseName + ".pdf", InvoiceDocuments.PdfContentType, InvoiceDocuments.Pdf(invoice), cancellationToken);
        }
    }
}
