using System.Net;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// A client for the calls a test makes once a frozen store is thawed, on a host whose store deadlines are short (300 to
/// 500 ms, so that the frozen calls are answered quickly): on a loaded machine a call to the thawed store can pass such
/// a deadline too (a CI run at load 24 did). It sends a request again while it is answered 503, up to 20 times 100 ms
/// apart, as a switch honouring Retry-After does; any other answer is the test's to judge.
/// </summary>
internal static class ThawedStoreClient
{
    public static HttpClient For(HttpClient client) =>
        new(new RetryUnavailable { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = client.BaseAddress, Timeout = client.Timeout };

    private sealed class RetryUnavailable : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                var response = await base.SendAsync(request, cancellationToken);
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 20)
                {
                    return response;
                }

                response.Dispose();
                await Task.Delay(100, cancellationToken);
            }
        }
    }
}
