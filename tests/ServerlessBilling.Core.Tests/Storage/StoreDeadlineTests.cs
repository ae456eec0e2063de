using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Tests.Storage;

/// <summary>
/// A step that finishes in time leaves its deadline behind: a later step, on any clock, starts with a token that is not
/// cancelled and gets a deadline of its own (steps on the system clock reuse one token source per thread).
/// </summary>
public sealed class StoreDeadlineTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_step_after_the_deadline_of_an_earlier_finished_step_has_passed_is_not_cancelled()
    {
        var clock = new FakeTimeProvider();

        Assert.False(await StoreDeadline.RunAsync(ct => Task.FromResult(ct.IsCancellationRequested), Limit, clock, "first", default));
        clock.Advance(Limit * 2);

        Assert.False(await StoreDeadline.RunAsync(ct => Task.FromResult(ct.IsCancellationRequested), Limit, clock, "second", default));
    }

    [Fact]
    public async Task Each_step_on_the_system_clock_gets_a_live_deadline_even_after_one_expired()
    {
        for (var i = 0; i < 100; i++)
        {
            Assert.False(await StoreDeadline.RunAsync(ct => Task.FromResult(ct.IsCancellationRequested), Limit, TimeProvider.System, "quick", default));
        }

        var stalled = await Assert.ThrowsAsync<StoreUnavailableException>(() =>
            StoreDeadline.RunAsync(async ct => { await Task.Delay(Timeout.Infinite, ct); return false; }, TimeSpan.FromMilliseconds(50), TimeProvider.System, "stalled", default));
        Assert.Contains("stalled", stalled.Message, StringComparison.Ordinal);
        Assert.Null(stalled.Store); // a deadline over a use case cannot tell which store was slow: the 503 says "a store"

        var sawCancellation = await StoreDeadline.RunAsync(async ct => { await Task.Delay(100, CancellationToken.None); return ct.IsCancellationRequested; }, Limit, TimeProvider.System, "after", default);
        Assert.False(sawCancellation);
    }

    /// <summary>
    /// The wait had a timer of its own on the clock, started only once the work had handed back its task: a stalled call
    /// could be seen, and the clock moved past the deadline, before that timer existed, and a store that ignores
    /// cancellation then held the caller for good. The work here blocks until the clock has moved, so the advance comes
    /// inside that window every time.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task One_advance_past_the_deadline_answers_a_stalled_call_seen_before_the_wait_began(bool cancellableCaller)
    {
        var clock = new FakeTimeProvider();
        using var caller = new CancellationTokenSource();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var advanced = new ManualResetEventSlim();
        var ignoresCancellation = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var step = Task.Run(() => StoreDeadline.RunAsync(
            _ =>
            {
                seen.SetResult();
                advanced.Wait(TimeSpan.FromSeconds(10));
                return ignoresCancellation.Task;
            },
            Limit,
            clock,
            "stalled",
            cancellableCaller ? caller.Token : CancellationToken.None));

        await seen.Task.WaitAsync(TimeSpan.FromSeconds(10));
        clock.Advance(Limit + TimeSpan.FromMilliseconds(1));
        advanced.Set();

        var fault = await Assert.ThrowsAsync<StoreUnavailableException>(() => step.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("stalled: the store did not answer within 2000 ms", fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_callers_cancellation_still_reaches_the_work()
    {
        using var caller = new CancellationTokenSource();
        var step = StoreDeadline.RunAsync(async ct => { await Task.Delay(Timeout.Infinite, ct); return true; }, Limit, TimeProvider.System, "cancelled", caller.Token);

        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => step);
    }

    /// <summary>
    /// A caller's token that lives long (the sweeper's, the host's stopping token) is linked with each step's deadline. A
    /// step abandoned at its deadline (or at the caller's cancellation) left that link, registered on the caller's token,
    /// for good: it was let go only when the work had ended before the answer, so a store frozen for an hour under a sweep
    /// each second left thousands on the token. It is let go once the abandoned work ends.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_abandoned_steps_link_with_the_callers_token_is_let_go_once_its_work_ends(bool callerCancels)
    {
        var clock = new FakeTimeProvider();
        using var caller = new CancellationTokenSource();
        var ignoresCancellation = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var given = CancellationToken.None;
        var step = StoreDeadline.RunAsync(ct => { given = ct; return ignoresCancellation.Task; }, Limit, clock, "abandoned", caller.Token);

        if (callerCancels)
        {
            await caller.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => step);
        }
        else
        {
            clock.Advance(Limit + TimeSpan.FromMilliseconds(1));
            await Assert.ThrowsAsync<StoreUnavailableException>(() => step);
        }

        _ = given.WaitHandle; // still held: the work has not ended
        ignoresCancellation.SetResult(true);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Disposed(given) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, CancellationToken.None);
        }

        Assert.True(Disposed(given), "the link of the caller's token with the deadline outlived the work");
    }

    private static bool Disposed(CancellationToken token)
    {
        try
        {
            _ = token.WaitHandle;
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }
}
