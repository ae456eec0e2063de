using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ServerlessBilling.Core;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Local.Hosting;

/// <summary>Settings of the local host's alert webhook (section "Alerts"); no URL, no webhook.</summary>
public sealed class AlertWebhookOptions : IValidatedOptions
{
    public const string Section = "Alerts";

    static string IValidatedOptions.Section => Section;

    /// <summary>Where each alert is POSTed as JSON (a chat or ticketing tool's incoming webhook).</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Shared secret: the body's HMAC-SHA256 is sent in X-Billing-Signature (sha256=hex), so the receiver can trust it.</summary>
    public string? WebhookSecret { get; set; }

    public int WebhookAttempts { get; set; } = 3;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(WebhookUrl) && (!Uri.TryCreate(WebhookUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            errors.Add("Alerts:WebhookUrl must be an absolute http(s) URL");
        }

        if (WebhookAttempts is < 1 or > 10)
        {
            errors.Add("Alerts:WebhookAttempts must be from 1 to 10");
        }

        return errors;
    }
}

/// <summary>
/// POSTs each alert to the operator's webhook, signed, retried with back-off. Best effort: the alert store is the
/// record (GET /api/alerts), so a webhook that stays down is logged and does not hold monitoring back.
/// </summary>
public sealed partial class WebhookAlertSink(HttpClient http, AlertWebhookOptions options, ILogger<WebhookAlertSink> logger) : IAlertSink
{
    public const string SignatureHeader = "X-Billing-Signature";
    public const string AlertIdHeader = "X-Billing-Alert-Id";

    public async Task PublishAsync(Alert alert, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            alertId = alert.AlertId,
            accountId = alert.AccountId,
            type = alert.Type.ToWire(),
            severity = alert.Type.Severity(),
            threshold = alert.Threshold,
            periodSpend = alert.PeriodSpend,
            creditLimit = alert.CreditLimit,
            currency = alert.Currency,
            raisedAt = alert.RaisedAt,
            message = alert.Message,
        });
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, options.WebhookUrl) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add(AlertIdHeader, HeaderValue(alert.AlertId));
                if (!string.IsNullOrEmpty(options.WebhookSecret))
                {
                    request.Headers.Add(SignatureHeader, Sign(body, options.WebhookSecret));
                }

                using var response = await http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                if (attempt >= options.WebhookAttempts)
                {
                    LogGaveUp(logger, alert.AlertId, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), null);
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= options.WebhookAttempts)
                {
                    LogGaveUp(logger, alert.AlertId, ex.GetType().Name, ex);
                    return;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200 * (1 << (attempt - 1))), cancellationToken);
        }
    }

    /// <summary>
    /// The alert id as a header value: as it is when ASCII (every id of an ASCII account id), else percent-encoded (UTF-8),
    /// because HttpClient sends only ASCII headers and refuses the request otherwise. The body holds the id as it is.
    /// </summary>
    public static string HeaderValue(string alertId) => Ascii.IsValid(alertId) ? alertId : Uri.EscapeDataString(alertId);

    /// <summary>sha256=HEX(HMAC-SHA256(secret, body)): what the receiver recomputes to check the alert came from us.</summary>
    public static string Sign(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert webhook gave up on alert {AlertId} ({Failure}); the alert is stored and listed by GET /api/alerts")]
    private static partial void LogGaveUp(ILogger logger, string alertId, string failure, Exception? exception);
}
