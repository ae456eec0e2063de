using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.Local.Tests.Alerts;

public sealed class WebhookAlertSinkTests
{
    private static readonly Alert Alert = new(
        "acme-velocity-0011223344556677", "acme", AlertType.VelocityAnomaly, null, 12000m, 5000m,
        new DateTimeOffset(2026, 11, 26, 10, 5, 0, TimeSpan.Zero), "spend in the last 7d is 12000 GBP", "GBP");

    [Fact]
    public async Task An_alert_is_posted_as_json_signed_with_the_shared_secret()
    {
        var handler = new RecordingHandler(HttpStatusCode.OK);
        var sink = NewSink(handler, secret: "s3cret");

        await sink.PublishAsync(Alert, default);

        var (request, body) = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
        Assert.Equal(Alert.AlertId, request.Headers.GetValues(WebhookAlertSink.AlertIdHeader).Single());
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("s3cret"), body));
        Assert.Equal(expected, request.Headers.GetValues(WebhookAlertSink.SignatureHeader).Single());
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal("VELOCITY_ANOMALY", json.GetProperty("type").GetString());
        Assert.Equal("critical", json.GetProperty("severity").GetString());
    }

    [Fact]
    public async Task A_failing_webhook_is_retried_then_given_up_without_holding_monitoring_back()
    {
        var handler = new RecordingHandler(HttpStatusCode.InternalServerError, HttpStatusCode.BadGateway, HttpStatusCode.OK);
        await NewSink(handler, secret: null, attempts: 3).PublishAsync(Alert, default);
        Assert.Equal(3, handler.Requests.Count);
        Assert.False(handler.Requests[0].Request.Headers.Contains(WebhookAlertSink.SignatureHeader));

        var down = new RecordingHandler(HttpStatusCode.ServiceUnavailable);
        await NewSink(down, secret: "x", attempts: 2).PublishAsync(Alert, default); // no exception: the store keeps the alert
        Assert.Equal(2, down.Requests.Count);
    }

    private static WebhookAlertSink NewSink(RecordingHandler handler, string? secret, int attempts = 3) =>
        new(new HttpClient(handler), new AlertWebhookOptions { WebhookUrl = "http://127.0.0.1:9/hook", WebhookSecret = secret, WebhookAttempts = attempts }, NullLogger<WebhookAlertSink>.Instance);

    private sealed class RecordingHandler(params HttpStatusCode[] answers) : HttpMessageHandler
    {
        public List<(HttpRequestMessage Request, byte[] Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add((request, await request.Content!.ReadAsByteArrayAsync(cancellationToken)));
            return new HttpResponseMessage(answers[Math.Min(Requests.Count, answers.Length) - 1]);
        }
    }
}
