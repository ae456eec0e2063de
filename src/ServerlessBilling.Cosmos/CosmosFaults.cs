using System.Net;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos;

/// <summary>
/// One rule for infrastructure faults: throttling (429), timeouts (408), unavailability (503) and transport
/// errors are retried a bounded number of times with jitter (the SDK has already retried 429s), then surface
/// as <see cref="StoreUnavailableException"/>, which the API answers with 503. A document too large for the service (413)
/// is no fault to retry: <see cref="StoreRefusedException"/>, 507. Never as a business answer.
/// </summary>
internal static class CosmosFaults
{
    private const int Attempts = 3;

    /// <summary>The service's sub-status of a 404 whose container (or database) does not exist.</summary>
    private const int OwnerResourceMissing = 1003;

    public static async Task<T> RunAsync<T>(string store, string what, Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation();
            }
            catch (CosmosException ex) when (IsMissingContainer(ex))
            {
                // A container that vanished (an emulator restart, a deleted resource) is an outage, not "no such
                // account": answering "not found" would deny calls and quarantine CDRs that are fine.
                throw new StoreUnavailableException($"{what} failed: its container or database does not exist ({Describe(ex)})", ex) { Store = store };
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.RequestEntityTooLarge)
            {
                // A document over the service's 2 MB: the same write fails however often it is tried. Refused with a
                // message (507), where an exception of the SDK was a 500 that said nothing.
                throw new StoreRefusedException($"{what}: the document is larger than Cosmos DB holds (2 MB) ({Describe(ex)})", ex) { Store = store };
            }
            catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= Attempts)
                {
                    throw new StoreUnavailableException($"{what} failed after {attempt} attempts: {Describe(ex)}", ex) { Store = store };
                }

                var delay = ex is CosmosException { RetryAfter: { } retryAfter } ? retryAfter : TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt));
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    /// <summary>404 for an item that does not exist, as opposed to a missing container.</summary>
    public static bool IsMissingItem(CosmosException ex) => ex.StatusCode == HttpStatusCode.NotFound && !IsMissingContainer(ex);

    public static bool IsMissingContainer(CosmosException ex) => ex.StatusCode == HttpStatusCode.NotFound && ex.SubStatusCode == OwnerResourceMissing;

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
