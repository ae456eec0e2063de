using Microsoft.Extensions.Options;
using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Local.Hosting;

/// <summary>Releases reservations whose validity and grace have passed (the timer trigger does this in Azure).</summary>
public sealed partial class ExpirySweeper(
    CreditControlService creditControl,
    IOptions<LocalOptions> options,
    TimeProvider clock,
    ILogger<ExpirySweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var released = await creditControl.ReleaseExpiredAsync(stoppingToken);
                if (released > 0)
                {
                    LogReleased(logger, released);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Released expired reservations on {Accounts} account(s)")]
    private static partial void LogReleased(ILogger logger, int accounts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Expiry sweep failed; it runs again at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
