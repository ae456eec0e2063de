namespace ServerlessBilling.Core.Storage;

/// <summary>
/// Bounds the time a use case may wait on the store. Call setup waits on credit control, so a slow or frozen store
/// must become a fast "unavailable" (HTTP 503 with Retry-After, which a switch treats as "no grant"), never a grant
/// given late. The work is also cancelled; a write that still lands after the caller was answered leaves at most a
/// reservation, which expires and which the sweeper releases.
/// </summary>
public static class StoreDeadline
{
    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, TimeSpan limit, TimeProvider clock, string what, CancellationToken cancellationToken)
    {
        if (limit <= TimeSpan.Zero || limit == Timeout.InfiniteTimeSpan)
        {
            return await work(cancellationToken);
        }

        var deadline = new CancellationTokenSource(limit, clock);
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var task = work(linked.Token);
        try
        {
            // WaitAsync also covers a store that ignores cancellation: the caller is answered at the deadline.
            return await task.WaitAsync(limit, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Whichever timer fired first, the abandoned work must see the deadline too (e.g. stop queueing for a lock).
            await deadline.CancelAsync();
            throw Expired(what, limit);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Expired(what, limit);
        }
        finally
        {
            // Work still running holds the tokens; it is left to finish (or fail) on its own, and the sources to the GC.
            if (task.IsCompleted)
            {
                linked.Dispose();
                deadline.Dispose();
            }
        }
    }

    private static StoreUnavailableException Expired(string what, TimeSpan limit) =>
        new($"{what}: the store did not answer within {limit.TotalMilliseconds:0} ms");
}
