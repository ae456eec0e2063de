using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.Local.Tests.Alerts;

/// <summary>Round fourteen of the hostile review: alerts of an account whose id is not ASCII, through a real socket.</summary>
public sealed class HostileRoundFourteenWebhookTests
{
    [Fact]
    public async Task An_alert_of_an_account_whose_id_is_not_ascii_reaches_the_webhook()
    {
        // An account id may hold any script (docs/api.md), and the alert id starts with it; the id went as it is into the
        // X-Billing-Alert-Id header, which HttpClient refuses to send ("Request headers must contain only ASCII
        // characters"). Every attempt failed before a byte was sent, and the sink gave up: such an account's alerts
        // never reached the webhook.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var received = AnswerOneRequestAsync(listener);
        var alert = new Alert(
            "café-münchen-velocity-0011223344556677", "café-münchen", AlertType.VelocityAnomaly, null, 12000m, 5000m,
            new DateTimeOffset(2026, 11, 26, 10, 5, 0, TimeSpan.Zero), "spend in the last 7d is 12000 EUR", "EUR");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var sink = new WebhookAlertSink(http, new AlertWebhookOptions { WebhookUrl = $"http://127.0.0.1:{port}/hook", WebhookAttempts = 1 }, NullLogger<WebhookAlertSink>.Instance);

        await sink.PublishAsync(alert, default);

        var request = await received.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(request.Contains(WebhookAlertSink.AlertIdHeader, StringComparison.OrdinalIgnoreCase), $"received: [{request}]");
        var header = request.Split("\r\n").Single(l => l.StartsWith(WebhookAlertSink.AlertIdHeader + ":", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(alert.AlertId, Uri.UnescapeDataString(header[(header.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()));
        Assert.Contains("\"alertId\":\"caf\\u00E9-m\\u00FCnchen-velocity-0011223344556677\"", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ascii_alert_id_goes_in_the_header_as_it_is()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var received = AnswerOneRequestAsync(listener);
        var alert = new Alert(
            "a:b;c'd(e)!*%41-suspended-0011223344556677", "a:b;c'd(e)!*%41", AlertType.AccountSuspended, null, 0m, null,
            new DateTimeOffset(2026, 11, 26, 10, 5, 0, TimeSpan.Zero), "account suspended: test", "GBP");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var sink = new WebhookAlertSink(http, new AlertWebhookOptions { WebhookUrl = $"http://127.0.0.1:{port}/hook", WebhookAttempts = 1 }, NullLogger<WebhookAlertSink>.Instance);

        await sink.PublishAsync(alert, default);

        var request = await received.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains($"{WebhookAlertSink.AlertIdHeader}: {alert.AlertId}\r\n", request, StringComparison.Ordinal);
    }

    /// <summary>Reads one HTTP request (headers and a Content-Length body) and answers 200.</summary>
    private static async Task<string> AnswerOneRequestAsync(TcpListener listener)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length));
            if (read == 0)
            {
                break;
            }

            length += read;
            var text = Encoding.UTF8.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var declared = text.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                var bodyLength = declared is null ? 0 : int.Parse(declared["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                if (Encoding.UTF8.GetByteCount(text) - Encoding.UTF8.GetByteCount(text[..(end + 4)]) >= bodyLength)
                {
                    break;
                }
            }
        }

        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
