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

        LogRan(logger, timer.IsPastDue);
        return outcome.Answer;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice run done (tick past due: {PastDue})")]
    private static partial void LogRan(ILogger logger, bool pastDue);
}
