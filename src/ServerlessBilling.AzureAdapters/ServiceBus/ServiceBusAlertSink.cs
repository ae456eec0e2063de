using System.Text.Json;
using Azure.Messaging.ServiceBus;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.AzureAdapters.ServiceBus;

/// <summary>
/// Publishes alerts to a Service Bus topic. The message id is the alert id, so the topic's duplicate detection drops
/// a repeat (monitoring publishes at least once); account, type and severity travel as application properties so that
/// subscriptions can filter on them. A send that fails throws: the change-feed batch is retried.
/// </summary>
public sealed class ServiceBusAlertSink(ServiceBusSender sender) : IAlertSink
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public Task PublishAsync(Alert alert, CancellationToken cancellationToken) =>
        sender.SendMessageAsync(ToMessage(alert), cancellationToken);

    public static ServiceBusMessage ToMessage(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var message = new ServiceBusMessage(BinaryData.FromObjectAsJson(new
        {
            alert.AlertId,
            alert.AccountId,
            Type = alert.Type.ToWire(),
            Severity = alert.Type.Severity(),
            alert.Threshold,
            alert.PeriodSpend,
            alert.CreditLimit,
            alert.Currency,
            alert.RaisedAt,
            alert.Message,
        }, Json))
        {
            MessageId = alert.AlertId,
            Subject = alert.Type.ToWire(),
            ContentType = "application/json",
        };
        message.ApplicationProperties["accountId"] = alert.AccountId;
        message.ApplicationProperties["type"] = alert.Type.ToWire();
        message.ApplicationProperties["severity"] = alert.Type.Severity();
        return message;
    }
}
