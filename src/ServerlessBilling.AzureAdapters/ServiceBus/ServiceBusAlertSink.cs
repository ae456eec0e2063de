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
            MessageId = MessageIdOf(alert.AlertId),
            Subject = alert.Type.ToWire(),
            ContentType = "application/json",
        };
        message.ApplicationProperties["accountId"] = alert.AccountId;
        message.ApplicationProperties["type"] = alert.Type.ToWire();
        message.ApplicationProperties["severity"] = alert.Type.Severity();
        return message;
    }

    /// <summary>The longest message id Service Bus takes.</summary>
    public const int MaxMessageIdLength = 128;

    /// <summary>
    /// The message id of an alert: its id when that fits (every id of an account id up to about 100 characters), else
    /// the id's beginning, '~' and the SHA-256 of the whole id in hex, 128 characters: the same alert always gets the same
    /// message id, so duplicate detection still works, and the message builds whatever the account id (up to 128
    /// characters, to which the alert id adds its kind and hash). The body holds the alert id as it is.
    /// </summary>
    public static string MessageIdOf(string alertId)
    {
        ArgumentNullException.ThrowIfNull(alertId);
        if (alertId.Length <= MaxMessageIdLength)
        {
            return alertId;
        }

        const int HashLength = 2 * 32;
        var keep = MaxMessageIdLength - HashLength - 1;
        if (char.IsHighSurrogate(alertId[keep - 1]))
        {
            keep--; // never half a character
        }

        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(alertId));
        return string.Concat(alertId.AsSpan(0, keep), "~", Convert.ToHexStringLower(hash));
    }
}
