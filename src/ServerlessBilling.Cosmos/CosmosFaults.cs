using System.Net;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos;

/// <summary>
/// One rule for infrastructure faults: throttling (429), timeouts (408), unavailability (503) and transport
/// errors are retried a bounded number of times with jitter (the SDK has already retried 429s), then surface
/// as <see cref="StoreUnavailableException"/>, which the API answers with 503. Never as a business answer.
/// </summary>
internal static class CosmosFaults
{
    private const int Attempts = 3;

    public static async Task<T> RunAsync<T>(string what, Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation();
            }
            catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= Attempts)
                {
                    throw new StoreUnavailableException($"{what} failed after {attempt} attempts: {Describe(ex)}", ex);
                }

                var delay = ex is CosmosException { RetryAfter: { } retryAfter } ? retryAfter : TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt));
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    public static bool IsTransient(Exception ex) => ex switch
    {
        CosmosException c => c.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout or (HttpStatusCode)449,
        CosmosOperationCanceledException or HttpRequestException or TimeoutException => true,
        OperationCanceledException => false,
        _ => false,
    };

    private static string Describe(Exception ex) => ex is CosmosException c ? $"{(int)c.StatusCode} {c.StatusCode}" : ex.GetType().Name;
}
