using System.Text.Json;
using Azure.Messaging.ServiceBus;
using ServerlessBilling.AzureAdapters.ServiceBus;
using ServerlessBilling.Core.Monitoring;

namespace ServerlessBilling.AzureAdapters.Tests;

/// <summary>
/// No Service Bus emulator runs here: the publisher is tested against a recording sender (the SDK's mockable
/// ServiceBusSender), checking what the broker would get.
/// </summary>
public sealed class ServiceBusAlertSinkTests
{
    private static readonly Alert Alert = new(
        "acme-threshold-0011223344556677", "acme", AlertType.ThresholdReached, 0.8m, 4012.5m, 5000m,
        new DateTimeOffset(2026, 11, 26, 10, 5, 0, TimeSpan.Zero), "spend reached 80% of the limit", "GBP");

    [Fact]
    public async Task An_alert_is_sent_with_its_id_as_message_id_and_filterable_properties()
    {
        var sender = new RecordingSender();

        await new ServiceBusAlertSink(sender).PublishAsync(Alert, default);

        var message = Assert.Single(sender.Sent);
        Assert.Equal(Alert.AlertId, message.MessageId); // the topic's duplicate detection drops a repeat by this id
        Assert.Equal("THRESHOLD_REACHED", message.Subject);
        Assert.Equal("application/json", message.ContentType);
        Assert.Equal("acme", message.ApplicationProperties["accountId"]);
        Assert.Equal("THRESHOLD_REACHED", message.ApplicationProperties["type"]);
        Assert.Equal("warning", message.ApplicationProperties["severity"]);
        var body = JsonDocument.Parse(message.Body.ToString()).RootElement;
        Assert.Equal(0.8m, body.GetProperty("threshold").GetDecimal());
        Assert.Equal("GBP", body.GetProperty("currency").GetString());
        Assert.Equal(Alert.AlertId, body.GetProperty("alertId").GetString());
    }

    [Fact]
    public async Task A_repeat_of_the_same_alert_carries_the_same_message_id()
    {
        var sender = new RecordingSender();
        var sink = new ServiceBusAlertSink(sender);

        await sink.PublishAsync(Alert, default);
        await sink.PublishAsync(Alert, default);

        Assert.Equal(2, sender.Sent.Count);
        Assert.Equal(sender.Sent[0].MessageId, sender.Sent[1].MessageId);
        Assert.Equal(sender.Sent[0].Body.ToString(), sender.Sent[1].Body.ToString());
    }

    [Fact]
    public async Task A_failed_send_propagates_so_that_the_feed_retries()
    {
        var sender = new RecordingSender { Fail = true };

        await Assert.ThrowsAsync<ServiceBusException>(() => new ServiceBusAlertSink(sender).PublishAsync(Alert, default));
    }

    private sealed class RecordingSender : ServiceBusSender
    {
        public List<ServiceBusMessage> Sent { get; } = [];

        public bool Fail { get; init; }

        public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
        {
            if (Fail)
            {
                throw new ServiceBusException("the namespace is unreachable", ServiceBusFailureReason.ServiceCommunicationProblem);
            }

            Sent.Add(message);
            return Task.CompletedTask;
        }
    }
}
