using System.Runtime.CompilerServices;

namespace ServerlessBilling.Core.Storage;

/// <summary>
/// Bounds the time a use case may wait on the store. Call setup waits on credit control, so a slow or frozen store
/// must become a fast "unavailable" (HTTP 503 with Retry-After, which a switch treats as "no grant"), never a grant
/// given late. The work is also cancelled; a write that still lands after the caller was answered leaves at most a
/// reservation, which expires and which the sweeper releases.
/// </summary>
/// <remarks>
/// Most steps finish without waiting (the embedded store answers synchronously), so on the system clock the deadline's
/// source is reused per thread once the work is done with it, and a caller's token that can never be cancelled is not
/// linked: a step then costs no token source of its own. Work still running when its caller is answered keeps its
/// sources until it ends. Only the system clock's timer is stopped by <see cref="CancellationTokenSource.TryReset"/>; a
/// source on another clock (a test's) could still fire after a reset, so it is never reused.
/// </remarks>
public static class StoreDeadline
{
    [ThreadStatic]
    private static CancellationTokenSource? s_spare;

    public static Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, TimeSpan limit, TimeProvider clock, string what, CancellationToken cancellationToken) =>
        RunAsync(static (work, ct) => new ValueTask<T>(work(ct)), work, limit, clock, what, cancellationToken);

    /// <summary>
    /// As above, for work that takes its <paramref name="state"/> (a static lambda: no closure per call) and usually
    /// finishes without waiting (a <see cref="ValueTask{T}"/>: no task of its own then).
    /// </summary>
    public static async Task<T> RunAsync<TState, T>(Func<TState, CancellationToken, ValueTask<T>> work, TState state, TimeSpan limit, TimeProvider clock, string what, CancellationToken cancellationToken)
    {
        if (limit <= TimeSpan.Zero || limit == Timeout.InfiniteTimeSpan)
        {
            return await work(state, cancellationToken);
        }

        var deadline = Rent(limit, clock);
        var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token) : null;
        var token = linked?.Token ?? deadline.Token;
        var pending = work(state, token);
        if (pending.IsCompletedSuccessfully)
        {
            linked?.Dispose();
            Return(deadline, clock);
            return pending.Result;
        }

        var task = pending.AsTask();
        try
        {
            // The wait ends on the work's own token, so a store that ignores cancellation is answered at the deadline too.
            // One timer, started before the work: a timer of the wait's own would start only once the work handed back
            // its task, and a clock moved past the deadline in between (a test's) would never fire it.
            return await task.WaitAsync(token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Expired(what, limit);
        }
        finally
        {
            if (task.IsCompleted)
            {
                linked?.Dispose();
                Return(deadline, clock);
            }
            else
            {
                // Work still running holds the tokens; it is left to finish (or fail) on its own, and its sources are let go
                // then: the link stays registered on the caller's token until disposed, and a caller's token may live long
                // (a sweeper's, the host's stopping token), so each abandoned step would otherwise stay on it for good.
                _ = task.ContinueWith(
                    static (_, sources) =>
                    {
                        var (link, own) = ((CancellationTokenSource?, CancellationTokenSource))sources!;
                        link?.Dispose();
                        own.Dispose();
                    },
                    (linked, deadline),
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// The items of <paramref name="items"/>, each within <paramref name="limit"/>: a listing of a frozen store fails
    /// as unavailable at its first step that passes the deadline. A step that passed it is abandoned, not awaited.
    /// </summary>
    public static async IAsyncEnumerable<T> EachWithinAsync<T>(
        IAsyncEnumerable<T> items, TimeSpan limit, TimeProvider clock, string what, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var steps = items.GetAsyncEnumerator(cancellationToken);
        var settled = true;
        try
        {
            while (true)
            {
                settled = false;
                var more = await RunAsync(static (e, _) => e.MoveNextAsync(), steps, limit, clock, what, cancellationToken);
                settled = true;
                if (!more)
                {
                    break;
                }

                yield return steps.Current;
            }
        }
        finally
        {
            // An enumerator may not be disposed while a step of it is still running.
            if (settled)
            {
                await steps.DisposeAsync();
            }
        }
    }

    private static CancellationTokenSource Rent(TimeSpan limit, TimeProvider clock)
    {
        if (!ReferenceEquals(clock, TimeProvider.System))
        {
            return new CancellationTokenSource(limit, clock);
        }

        if (s_spare is { } spare)
        {
            s_spare = null;
            spare.CancelAfter(limit);
            return spare;
        }

        return new CancellationTokenSource(limit);
    }

    /// <summary>Keeps a system-clock source for the next step on this thread when its timer was stopped before it fired.</summary>
    private static void Return(CancellationTokenSource deadline, TimeProvider clock)
    {
        if (ReferenceEquals(clock, TimeProvider.System) && deadline.TryReset())
        {
            s_spare = deadline;
        }
        else
        {
            deadline.Dispose();
        }
    }

    private static StoreUnavailableException Expired(string what, TimeSpan limit) =>
        new($"{what}: the store did not answer within {limit.TotalMilliseconds:0} ms") { DeadlinePassed = true };
}
