using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.Local.Tests.Alerts;

/// <summary>
/// Round thirty of the hostile review, on the local host's alert webhook as the host wires it. Its HttpClient followed
/// redirects, as HttpClient does by default: a webhook URL answered with 301 or 302 (the usual http:// to https:// move,
/// a proxy, a path that was renamed) was followed as a GET, without the alert's body, and the receiver's 200 to that GET
/// counted as delivered. Every alert was lost with nothing logged. A 307 or 308 carried the signed alert to wherever the
/// answer pointed. A redirect is an answer that is not success: the sink retries and then logs that it gave up, naming the
/// status, so the operator fixes the URL (webhook senders commonly deliver only to the URL configured).
/// </summary>
public sealed class HostileRoundThirtyWebhookTests
{
    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    public async Task A_webhook_that_answers_with_a_redirect_is_not_followed(int status)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var requests = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var serving = ServeAsync(listener, status, requests, stop.Token);
        await using var app = LocalHost.Build(
        [
            "--urls=http://127.0.0.1:0", "--Store=memory", "--Local:SeedDemo=false",
            $"--Alerts:WebhookUrl=http://127.0.0.1:{port}/hook", "--Alerts:WebhookAttempts=1",
        ]);
        // Monitoring's sink is the queue that feeds the webhook in the background (round thirty-six); the delivery,
        // with the HttpClient the host configures, is the webhook sink's.
        Assert.IsType<WebhookAlertQueue>(app.Services.GetRequiredService<IAlertSink>());
        var sink = app.Services.GetRequiredService<WebhookAlertSink>();
        var alert = new Alert(
            "acme-threshold-0011223344556677", "acme", AlertType.ThresholdReached, 0.8m, 4012.5m, 5000m,
            new DateTimeOffset(2026, 11, 26, 10, 5, 0, TimeSpan.Zero), "spend this period 4012.5 GBP reached 80% of the credit limit 5000 GBP", "GBP");

        await sink.PublishAsync(alert, default);
        await stop.CancelAsync();
        await serving;

        var lines = requests.Select(r => r.Split("\r\n")[0]).ToList();
        Assert.Equal(["POST /hook HTTP/1.1"], lines);
    }

    /// <summary>Answers the first request with <paramref name="status"/> to /moved, any later one with 200; each request's text kept.</summary>
    private static async Task ServeAsync(TcpListener listener, int status, ConcurrentQueue<string> requests, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(cancellationToken);
                var stream = client.GetStream();
                var buffer = new byte[64 * 1024];
                var length = 0;
                while (length < buffer.Length)
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
                    length += read;
                    var text = Encoding.UTF8.GetString(buffer, 0, length);
                    var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                    if (read == 0 || (end >= 0 && HasBody(text, end)))
                    {
                        break;
                    }
                }

                requests.Enqueue(Encoding.UTF8.GetString(buffer, 0, length));
                var answer = requests.Count == 1
                    ? $"HTTP/1.1 {status} Moved\r\nLocation: /moved\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static bool HasBody(string text, int end)
    {
        var declared = text[..end].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var bodyLength = declared is null ? 0 : int.Parse(declared["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetByteCount(text) - Encoding.UTF8.GetByteCount(text[..(end + 4)]) >= bodyLength;
    }
}
