using ServerlessBilling.Core.Monitoring;

namespace ServerlessBilling.Local.Hosting;

/// <summary>
/// Reads the embedded stores' change stream and hands each batch of changed accounts to spend monitoring (the Cosmos
/// DB change feed does this in Azure). A batch that fails is put back, so no change is lost.
/// </summary>
public sealed partial class MonitoringWorker(AccountChangeStream changes, MonitoringService monitoring, ILogger<MonitoringWorker> logger) : BackgroundService
{
    /// <summary>
    /// How long changes gather after the first before they are judged: the writes of that time coalesce (an account
    /// written many times is judged once, on its newest state) and the worker wakes a few times a second, not once per
    /// write. Alerts still follow the write that caused them well within a second.
    /// </summary>
    public static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<Core.Accounts.AccountState> batch;
            try
            {
                batch = await changes.ReadAsync(Gather, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await monitoring.HandleAsync(batch, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, batch.Count, ex);
                foreach (var account in batch)
                {
                    changes.Publish(account);
                }

                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Monitoring of {Accounts} changed account(s) failed; retrying")]
    private static partial void LogFailed(ILogger logger, int accounts, Exception exception);
}
