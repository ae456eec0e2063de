using Microsoft.Extensions.Options;
using ServerlessBilling.Core.Invoicing;

namespace ServerlessBilling.Local.Hosting;

/// <summary>
/// Runs the invoice run at start and then every Local:InvoiceRunInterval (a day by default), as the timer
/// trigger does in Azure. Each account's period is invoiced by the first run after it closes.
/// </summary>
public sealed partial class InvoiceScheduler(
    InvoiceRunService invoicing,
    IOptions<LocalOptions> options,
    TimeProvider clock,
    ILogger<InvoiceScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.InvoiceRunInterval <= TimeSpan.Zero)
        {
            LogDisabled(logger);
            return;
        }

        using var timer = new PeriodicTimer(options.Value.InvoiceRunInterval, clock);
        do
        {
            try
            {
                var outcome = await invoicing.RunAsync(stoppingToken);
                if (outcome.Answer is { } s && (s.Invoices + s.Statements + s.Recovered + s.Failed) > 0)
                {
                    LogRan(logger, s.Invoices, s.Statements, s.Recovered, s.Failed, s.Accounts);
                    foreach (var failure in outcome.Answer.Failures)
                    {
                        LogAccountFailed(logger, failure);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice run: {Invoices} invoice(s), {Statements} statement(s), {Recovered} finished from an interrupted run, {Failed} account(s) failed, of {Accounts}")]
    private static partial void LogRan(ILogger logger, int invoices, int statements, int recovered, int failed, int accounts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoice run: an account failed and is retried by the next run: {Failure}")]
    private static partial void LogAccountFailed(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoice run failed; it runs again at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice runs are off (Local:InvoiceRunInterval is not positive); POST /api/invoices/run runs one")]
    private static partial void LogDisabled(ILogger logger);
}
