using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessBilling.Core.Invoicing;

namespace ServerlessBilling.Functions.Invoicing;

/// <summary>
/// Daily, closes every account's billing period that has ended (each in its own time zone and billing day) and issues
/// its invoice or statement. Safe to run twice or concurrently: one invoice per account and period, gap-free numbers.
/// </summary>
public sealed partial class InvoiceRunFunction(InvoiceRunService invoicing, ILogger<InvoiceRunFunction> logger)
{
    public const string Name = "InvoiceRun";

    /// <summary>00:30 UTC daily: after midnight in Europe and the Americas' evening; accounts close when their own period ends.</summary>
    public const string Schedule = "0 30 0 * * *";

    [Function(Name)]
    public async Task<InvoiceRunSummary?> Run([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var outcome = await invoicing.RunAsync(cancellationToken);
        if (outcome.Error is { } error)
        {
            throw new InvalidOperationException($"the invoice run failed: {error.Detail}");
        }

        var s = outcome.Answer!;
        LogRan(logger, s.Invoices, s.Statements, s.Recovered, s.Failed, s.Accounts, timer.IsPastDue);

        // A timer's return value goes nowhere: an account the run could not invoice is told here or nowhere (as the local
        // host's scheduler does), since the next run retries it and may fail again every day.
        foreach (var failure in s.Failures)
        {
            LogAccountFailed(logger, failure);
        }

        return s;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice run: {Invoices} invoice(s), {Statements} statement(s), {Recovered} finished from an interrupted run, {Failed} account(s) failed, of {Accounts} (tick past due: {PastDue})")]
    private static partial void LogRan(ILogger logger, int invoices, int statements, int recovered, int failed, int accounts, bool pastDue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoice run: an account failed and is retried by the next run: {Failure}")]
    private static partial void LogAccountFailed(ILogger logger, string failure);
}
