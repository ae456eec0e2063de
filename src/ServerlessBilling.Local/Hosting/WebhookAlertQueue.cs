using System.Threading.Channels;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Local.Hosting;

/// <summary>
/// The local host's alert sink when a webhook is set: takes each alert at once and has <see cref="WebhookAlertSink"/>
/// deliver it in the background, a few at a time. Monitoring publishes an alert before it stores it and judges a few
/// accounts at a time, so a webhook that answers slowly or not at all (seconds an attempt, retried) held back every
/// other account's alerts and policy suspensions while it waited. The webhook is best effort, the store the record:
/// an alert the queue cannot take (full) or still holds when the host stops is logged, not delivered.
/// </summary>
public sealed partial class WebhookAlertQueue(WebhookAlertSink webhook, ILogger<WebhookAlertQueue> logger) : BackgroundService, IAlertSink
{
    /// <summary>Alerts waiting for the webhook at most (one account's alerts are a few; a webhook down for hours drops the rest).</summary>
    public const int Capacity = 10_000;

    /// <summary>Deliveries under way at once: a webhook that does not answer holds up to this many alerts for its timeout.</summary>
    private const int Deliveries = 4;

    private readonly Channel<Alert> _queue = Channel.CreateBounded<Alert>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait });

    public Task PublishAsync(Alert alert, CancellationToken cancellationToken)
    {
        if (!_queue.Writer.TryWrite(alert))
        {
            LogDropped(logger, alert.AlertId, Capacity, null);
        }

        return Task.CompletedTask;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_queue.Reader.Count is > 0 and var left)
        {
            LogUndelivered(logger, left, null);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Deliveries).Select(_ => DeliverAsync(stoppingToken)));

    private async Task DeliverAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var alert in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await webhook.PublishAsync(alert, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogFailed(logger, alert.AlertId, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert webhook queue is full ({Capacity} alerts waiting): alert {AlertId} is not sent; it is stored and listed by GET /api/alerts")]
    private static partial void LogDropped(ILogger logger, string alertId, int capacity, Exception? exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert webhook: {Count} alert(s) not yet sent when the host stopped; they are stored and listed by GET /api/alerts")]
    private static partial void LogUndelivered(ILogger logger, int count, Exception? exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert webhook failed on alert {AlertId}; the alert is stored and listed by GET /api/alerts")]
    private static partial void LogFailed(ILogger logger, string alertId, Exception exception);
}
