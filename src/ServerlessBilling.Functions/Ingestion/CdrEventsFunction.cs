using Azure.Messaging.EventHubs;
using Microsoft.Azure.Functions.Worker;
using ServerlessBilling.AzureAdapters.EventHubs;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Functions.Hosting;

namespace ServerlessBilling.Functions.Ingestion;

/// <summary>
/// CDR batches from Event Hubs into ingestion. A store fault propagates, so the host retries the batch (host.json)
/// before checkpointing; a replay changes nothing because CDR ids are idempotency keys.
/// </summary>
public sealed class CdrEventsFunction(CdrEventBatchHandler handler)
{
    public const string Name = "CdrEvents";

    [Function(Name)]
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
