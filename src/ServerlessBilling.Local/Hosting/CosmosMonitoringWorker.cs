using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Cosmos;

namespace ServerlessBilling.Local.Hosting;

/// <summary>On Cosmos DB, spend monitoring reads the accounts container's change feed (as the Functions trigger does in Azure).</summary>
public sealed class CosmosMonitoringWorker(CosmosMonitoringFeed feed, MonitoringService monitoring) : IHostedService
{
    private ChangeFeedProcessor? _processor;

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _processor = await feed.StartAsync(monitoring, $"{Environment.MachineName}-{Environment.ProcessId}", cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => _processor?.StopAsync() ?? Task.CompletedTask;
}
