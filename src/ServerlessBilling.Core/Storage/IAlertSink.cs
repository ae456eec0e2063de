using ServerlessBilling.Core.Monitoring;

namespace ServerlessBilling.Core.Storage;

/// <summary>
/// Where raised alerts go besides the store: a Service Bus topic in Azure, the log and an optional webhook locally.
/// Delivery is at least once; the alert id lets receivers (and Service Bus duplicate detection) drop repeats.
/// </summary>
public interface IAlertSink
{
    Task PublishAsync(Alert alert, CancellationToken cancellationToken);
}
