using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessBilling.Core.Accounts;
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
/// processor does. This policy takes the place of host.json's for this function. A document whose account state cannot be
/// read is the exception: retried, it would fail its batch for ever and hold back every account of the lease range, so it is
/// logged as an error and the others are judged (the local host's worker puts such an account back instead, on its own).
/// With no leases yet (a first deployment, a new lease container) the trigger reads the feed from the beginning, so that every
/// account written before is judged once, not left until its next write.
/// </summary>
public sealed partial class SpendMonitorFunction(MonitoringService monitoring, ILogger<SpendMonitorFunction> logger)
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
            MaxItemsPerInvocation = 1000,
            StartFromBeginning = true)]
        IReadOnlyList<AccountFeedDocument> documents,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var accounts = new List<AccountState>(documents.Count);
        foreach (var document in documents)
        {
            try
            {
                accounts.Add(document.ToAccount());
            }
            catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException or OverflowException)
            {
                LogUnreadable(logger, document.Id, e.Message);
            }
        }

        return monitoring.HandleAsync(accounts, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Spend monitoring: account document '{Id}' on the change feed cannot be read ({Reason}); it is not judged, the other documents of the batch are")]
    private static partial void LogUnreadable(ILogger logger, string id, string reason);
}
