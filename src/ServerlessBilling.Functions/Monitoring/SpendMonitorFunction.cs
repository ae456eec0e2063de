using Microsoft.Azure.Functions.Worker;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Cosmos;
using ServerlessBilling.Functions.Hosting;

namespace ServerlessBilling.Functions.Monitoring;

/// <summary>
/// Spend monitoring on the accounts container's change feed: every charge lands in an account document, so the
/// feed carries terminates as well as CDRs. A failure propagates and the batch is delivered again (retry policy),
/// which the monitoring rules make harmless. The retries never give up (-1), as for <see cref="Ingestion.CdrEventsFunction"/>:
/// once a retry policy ends in failure the trigger writes its lease past the batch, and the verdicts of its documents
/// (thresholds crossed, a suspension due) would wait for each account's next write, or be lost if none came; monitoring
/// fails a batch only on a store or sink fault, so retrying waits for the store, as the local host's change feed
/// processor does. This policy takes the place of host.json's for this function.
/// </summary>
public sealed class SpendMonitorFunction(MonitoringService monitoring)
{
    public const string Name = "SpendMonitor";

    [Function(Name)]
    [ExponentialBackoffRetry(-1, "00:00:02", "00:01:00")]
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
