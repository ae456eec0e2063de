using Microsoft.Azure.Functions.Worker;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Cosmos;
using ServerlessBilling.Functions.Hosting;

namespace ServerlessBilling.Functions.Monitoring;

/// <summary>
/// Spend monitoring on the accounts container's change feed: every charge lands in an account document, so the
/// feed carries terminates as well as CDRs. A failure propagates and the batch is delivered again (retry policy),
/// which the monitoring rules make harmless.
/// </summary>
public sealed class SpendMonitorFunction(MonitoringService monitoring)
{
    public const string Name = "SpendMonitor";

    [Function(Name)]
    public Task<int> Run(
        [CosmosDBTrigger(
            "%" + TriggerSettings.CosmosDatabase + "%",
            "%" + TriggerSettings.AccountsContainer + "%",
            Connection = TriggerSettings.CosmosConnection,
            LeaseContainerName = "%" + TriggerSettings.LeasesContainer + "%",
            FeedPollDelay = 200,
            MaxItemsPerInvocation = 1000)]
        IReadOnlyList<AccountFeedDocument> documents,
        CancellationToken cancellationToken) =>
        monitoring.HandleAsync(documents.Select(d => d.ToAccount()), cancellationToken);
}
