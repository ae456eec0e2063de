using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ServerlessBilling.Api.Contracts;
using ServerlessBilling.Api.Http;

namespace ServerlessBilling.Local.Commands.Simulate;

/// <summary>The platform did not answer: no connection, a timeout, or 503/429 that did not clear after retries.</summary>
public sealed class PlatformUnreachableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The platform refused the key (401 or 403).</summary>
public sealed class PlatformKeyRefusedException(string message) : Exception(message);

/// <summary>The platform answered a request with an error the simulator does not expect (a 4xx or a 500).</summary>
public sealed class PlatformErrorException(string message) : Exception(message);

/// <summary>
/// The HTTP API as a switch and an operator call it. Every request is idempotent by its ids, so a connection
/// failure, a timeout, a 503 or a 429 is retried (after <c>Retry-After</c> when given) before giving up.
/// </summary>
public sealed class PlatformClient : IDisposable
{
    public const int Attempts = 6;
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);
    private readonly HttpClient _http;
    private readonly TimeSpan _firstRetryDelay;

    /// <param name="firstRetryDelay">The wait before the first retry; each later one waits twice as long (at most 2 s).</param>
    public PlatformClient(Uri baseUrl, string? key, TimeSpan timeout, TimeSpan firstRetryDelay)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        _firstRetryDelay = firstRetryDelay;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/"),
            Timeout = timeout,
        };
        if (key is not null)
        {
            _http.DefaultRequestHeaders.Add("x-functions-key", key);
        }
    }

    public Uri BaseAddress => _http.BaseAddress!;

    public Task<RateDeckResponse> PutDeckAsync(string deckId, string csv, CancellationToken cancellationToken) =>
        SendAsync<RateDeckResponse>(HttpMethod.Put, $"api/ratedecks/{deckId}", () => new StringContent(csv, Encoding.UTF8, "text/csv"), cancellationToken);

    public Task<Core.Accounts.BalanceView> PutAccountAsync(string accountId, AccountBody body, CancellationToken cancellationToken) =>
        SendAsync<Core.Accounts.BalanceView>(HttpMethod.Put, $"api/accounts/{accountId}", Json(body), cancellationToken);

    public Task<Core.Accounts.BalanceView> TopUpAsync(string accountId, string topupId, decimal amount, CancellationToken cancellationToken) =>
        SendAsync<Core.Accounts.BalanceView>(HttpMethod.Post, $"api/accounts/{accountId}/topups", Json(new TopUpBody(topupId, amount)), cancellationToken);

    public Task<Core.Accounts.BalanceView> BalanceAsync(string accountId, CancellationToken cancellationToken) =>
        SendAsync<Core.Accounts.BalanceView>(HttpMethod.Get, $"api/accounts/{accountId}/balance", null, cancellationToken);

    public Task<Core.CreditControl.GrantAnswer> AuthorizeAsync(AuthorizeBody body, CancellationToken cancellationToken) =>
        SendAsync<Core.CreditControl.GrantAnswer>(HttpMethod.Post, "api/authorize", Json(body), cancellationToken);

    public Task<Core.CreditControl.GrantAnswer> InterimAsync(string sessionId, InterimBody body, CancellationToken cancellationToken) =>
        SendAsync<Core.CreditControl.GrantAnswer>(HttpMethod.Post, $"api/sessions/{sessionId}/interim", Json(body), cancellationToken);

    public Task<Core.CreditControl.TerminateAnswer> TerminateAsync(string sessionId, TerminateBody body, CancellationToken cancellationToken) =>
        SendAsync<Core.CreditControl.TerminateAnswer>(HttpMethod.Post, $"api/sessions/{sessionId}/terminate", Json(body), cancellationToken);

    public Task<IngestResponse> PostCdrsAsync(IReadOnlyList<Core.Cdrs.Cdr> cdrs, CancellationToken cancellationToken) =>
        SendAsync<IngestResponse>(HttpMethod.Post, "api/cdrs", Json(cdrs), cancellationToken);

    public Task<AlertListResponse> AlertsAsync(string accountId, CancellationToken cancellationToken) =>
        SendAsync<AlertListResponse>(HttpMethod.Get, $"api/alerts?accountId={accountId}&limit=100", null, cancellationToken);

    public Task<Core.Invoicing.InvoiceRunSummary> RunInvoicesAsync(string period, CancellationToken cancellationToken) =>
        SendAsync<Core.Invoicing.InvoiceRunSummary>(HttpMethod.Post, "api/invoices/run", Json(new InvoiceRunBody(period)), cancellationToken);

    public Task<InvoiceListResponse> InvoicesAsync(string accountId, CancellationToken cancellationToken) =>
        SendAsync<InvoiceListResponse>(HttpMethod.Get, $"api/accounts/{accountId}/invoices", null, cancellationToken);

    public void Dispose() => _http.Dispose();

    private static Func<HttpContent> Json<T>(T body) => () => JsonContent.Create(body, options: ApiJson.Options);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, Func<HttpContent>? content, CancellationToken cancellationToken)
    {
        var what = $"{method} /{path}";
        for (var attempt = 1; ; attempt++)
        {
            var last = attempt == Attempts;
            TimeSpan wait;
            try
            {
                using var request = new HttpRequestMessage(method, path) { Content = content?.Invoke() };
                using var response = await _http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return await ReadAnswerAsync<T>(response, what, cancellationToken);
                }

                var status = (int)response.StatusCode;
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    throw new PlatformKeyRefusedException(
                        $"the platform refused the key ({what}: {status} {response.ReasonPhrase}); the simulator needs an admin key (--key)");
                }

                if (response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests))
                {
                    throw new PlatformErrorException($"{what}: {status} {await DetailAsync(response, cancellationToken)}");
                }

                if (last)
                {
                    throw new PlatformUnreachableException($"{what}: still {status} after {Attempts} attempts");
                }

                wait = response.Headers.RetryAfter?.Delta is { } delta && delta < MaxRetryDelay ? delta : RetryDelay(attempt);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or IOException)
            {
                if (last)
                {
                    throw new PlatformUnreachableException($"{what}: {Describe(e)} (after {Attempts} attempts)", e);
                }

                wait = RetryDelay(attempt);
            }

            await Task.Delay(wait, cancellationToken);
        }
    }

    /// <summary>The answer's JSON; an answer that is not (a web page: the URL is not the platform's) is an error the run reports.</summary>
    private static async Task<T> ReadAnswerAsync<T>(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, cancellationToken)
                ?? throw new PlatformErrorException($"{what}: the answer is empty");
        }
        catch (JsonException e)
        {
            throw new PlatformErrorException($"{what}: the answer is not the platform's JSON ({response.Content.Headers.ContentType?.MediaType ?? "no content type"}: {e.Message}); is --url the platform's address?");
        }
    }

    private TimeSpan RetryDelay(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, _firstRetryDelay.TotalMilliseconds * Math.Pow(2, attempt - 1)));

    private static string Describe(Exception e) => e switch
    {
        TaskCanceledException => "no answer in time",
        HttpRequestException { InnerException: { } inner } http when !http.Message.Contains(inner.Message, StringComparison.Ordinal) => $"{http.Message} ({inner.Message})",
        _ => e.Message,
    };

    private static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var problem = JsonDocument.Parse(text);
            if (problem.RootElement.ValueKind == JsonValueKind.Object && problem.RootElement.TryGetProperty("detail", out var detail))
            {
                return detail.ToString();
            }
        }
        catch (JsonException)
        {
            // Not a problem document: the text itself says what went wrong.
        }

        return text.Length > 300 ? string.Create(CultureInfo.InvariantCulture, $"{text[..300]}...") : text;
    }
}

