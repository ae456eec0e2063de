using Azure.Messaging.EventHubs;
using Microsoft.Azure.Functions.Worker;
using ServerlessBilling.AzureAdapters.EventHubs;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Functions.Hosting;

namespace ServerlessBilling.Functions.Ingestion;

/// <summary>
/// CDR batches from Event Hubs into ingestion. A store fault propagates, so the host retries the batch before
/// checkpointing; a replay changes nothing because CDR ids are idempotency keys. The retries never give up (-1): once a
/// retry policy ends in failure the trigger checkpoints past the batch, and its CDRs would be lost, and ingestion fails a
/// batch only on a store fault (a bad CDR is quarantined), so retrying waits for the store. This policy takes the place
/// of host.json's for this function.
/// </summary>
public sealed class CdrEventsFunction(CdrEventBatchHandler handler)
{
    public const string Name = "CdrEvents";

    [Function(Name)]
    [ExponentialBackoffRetry(-1, "00:00:02", "00:01:00")]
    public Task<IngestResult> Run(
        [EventHubTrigger(
            "%" + TriggerSettings.CdrEventHub + "%",
            ConsumerGroup = "%" + TriggerSettings.CdrConsumerGroup + "%",
            Connection = TriggerSettings.EventHubConnection,
            IsBatched = true)]
        EventData[] events,
        CancellationToken cancellationToken) =>
        handler.HandleAsync(events, cancellationToken);
}
