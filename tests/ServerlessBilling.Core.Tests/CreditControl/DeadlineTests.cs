using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>
/// A frozen store must give the switch a fast "unavailable", never a late grant; a write that lands after the
/// caller was answered leaves only a reservation, which expires and is released.
/// </summary>
public sealed class DeadlineTests
{
    private readonly StallingAccountStore _store = new(new InMemoryAccountStore());
    private readonly CreditControlHarness _harness;

    public DeadlineTests()
    {
        _harness = new CreditControlHarness(_store, new InMemorySessionIndex(), new InMemoryRateDeckStore(), new CreditControlOptions { StoreDeadline = TimeSpan.FromSeconds(2) });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Authorize_against_a_frozen_store_is_unavailable_at_the_deadline_and_never_a_grant(bool writesOnly)
    {
        var account = await _harness.OpenAsync("acc", Fixtures.Prepaid(), 10m);
        _store.Freeze(writesOnly);

        var authorize = _harness.AuthorizeAsync(account, "call-1");
        await _store.Stalled.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(authorize.IsCompleted);
        _harness.Clock.Advance(TimeSpan.FromSeconds(2));

        var fault = await Assert.ThrowsAsync<StoreUnavailableException>(() => authorize.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("2000 ms", fault.Message, StringComparison.Ordinal);

        // Another request on the same account queues behind the frozen one and is answered at its deadline too.
        // Its deadline timers start when the call is made, so advancing the clock now times it out while it queues.
        var second = _harness.AuthorizeAsync(account, "call-2");
        _harness.Clock.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => second.WaitAsync(TimeSpan.FromSeconds(10)));

        // The store comes back. Whatever landed late is at most a reservation, and the sweeper releases it.
        _store.Thaw();
        await LandedAsync(account, "call-1");
        var state = await _harness.StateAsync(account);
        Fixtures.AssertConserved(state);
        Assert.Equal(10m, state.Balance);

        // The queued second request may still land after the first one did; each sweep releases what has landed.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            _harness.Clock.Advance(TimeSpan.FromHours(1));
            await _harness.CreditControl.ReleaseExpiredAsync(default);
            state = await _harness.StateAsync(account);
        }
        while (state.Reserved != 0m && waited.Elapsed < TimeSpan.FromSeconds(5));

        Assert.Equal((10m, 0m, 0m), (state.Balance, state.Reserved, state.Committed));
    }

    [Fact]
    public async Task A_switch_that_retries_after_a_503_gets_the_grant_that_landed_late_and_nothing_more()
    {
        var account = await _harness.OpenAsync("acc", Fixtures.Prepaid(), 10m);
        _store.Freeze(writesOnly: true);
        var authorize = _harness.AuthorizeAsync(account, "call-1");
        await _store.Stalled.WaitAsync(TimeSpan.FromSeconds(10));
        _harness.Clock.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => authorize.WaitAsync(TimeSpan.FromSeconds(10)));
        _store.Thaw();
        await LandedAsync(account, "call-1");
        var reserved = (await _harness.StateAsync(account)).Reserved;

        var retry = (await _harness.AuthorizeAsync(account, "call-1")).Answer!;
        var end = (await _harness.TerminateAsync("call-1", 1, 42)).Answer!;

        Assert.Equal(ResultCode.Success, retry.ResultCode);
        Assert.Equal(reserved, retry.ReservedAmount);
        var state = await _harness.StateAsync(account);
        Assert.Equal((10m - end.Charge, 0m), (state.Balance, state.Reserved));
    }

    [Fact]
    public async Task Terminate_and_interim_against_a_frozen_store_are_unavailable_and_charge_nothing()
    {
        var account = await _harness.OpenAsync("acc", Fixtures.Prepaid(), 10m);
        await _harness.AuthorizeAsync(account, "call-1");
        _store.Freeze();

        var interim = _harness.InterimAsync("call-1", 1, 30);
        await _store.Stalled.WaitAsync(TimeSpan.FromSeconds(10));
        _harness.Clock.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => interim.WaitAsync(TimeSpan.FromSeconds(10)));

        var terminate = _harness.TerminateAsync("call-1", 1, 30);
        _harness.Clock.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => terminate.WaitAsync(TimeSpan.FromSeconds(10)));

        // The frozen interim lands once the store is back (the terminate gave up while queued); the switch's retry of
        // interim 1 is answered from what landed, and the call ends with its true total.
        _store.Thaw();
        await LandedAsync(account, "call-1", s => s.LastRequestNumber == 1);
        Assert.Null((await _harness.InterimAsync("call-1", 1, 30)).Error);
        var end = (await _harness.TerminateAsync("call-1", 2, 12)).Answer!;
        Assert.Equal(42, end.TotalSeconds);
        var state = await _harness.StateAsync(account);
        Fixtures.AssertConserved(state);
        Assert.Equal((10m - end.Charge, 0m), (state.Balance, state.Reserved));
    }

    [Fact]
    public async Task Admin_calls_against_a_frozen_store_are_unavailable_at_the_admin_deadline_and_a_retried_top_up_credits_once()
    {
        var account = await _harness.OpenAsync("acc", Fixtures.Prepaid(), 10m);
        _store.Freeze();

        var topUp = _harness.Admin.TopUpAsync(new TopUpRequest(account, "t-1", 5m), default);
        await _store.Stalled.WaitAsync(TimeSpan.FromSeconds(10));
        _harness.Clock.Advance(TimeSpan.FromSeconds(2)); // the credit-control deadline is not the admin one
        await Task.Delay(50);
        Assert.False(topUp.IsCompleted);
        _harness.Clock.Advance(TimeSpan.FromSeconds(8));
        var fault = await Assert.ThrowsAsync<StoreUnavailableException>(() => topUp.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("top-up: the store did not answer within 10000 ms", fault.Message, StringComparison.Ordinal);

        var suspend = _harness.Admin.SuspendAsync(account, "by policy", byPolicy: true, default);
        var balance = _harness.Admin.GetBalanceAsync(account, default);
        _harness.Clock.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => balance.WaitAsync(TimeSpan.FromSeconds(10)));
        _harness.Clock.Advance(TimeSpan.FromSeconds(8));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => suspend.WaitAsync(TimeSpan.FromSeconds(10)));

        // Back: the retried top-up credits 5 once, whether or not the abandoned one landed.
        _store.Thaw();
        await Task.Delay(100);
        Assert.Null((await _harness.Admin.TopUpAsync(new TopUpRequest(account, "t-1", 5m), default)).Error);
        Assert.Null((await _harness.Admin.TopUpAsync(new TopUpRequest(account, "t-1", 5m), default)).Error);
        Assert.Equal(15m, (await _harness.StateAsync(account)).Balance);
    }

    /// <summary>Waits (in real time, bounded) for the write held by the frozen store to land once it is thawed.</summary>
    private async Task LandedAsync(string account, string sessionId, Func<Session, bool>? until = null)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await _harness.StateAsync(account)).Sessions.GetValueOrDefault(sessionId) is not { } session || !(until?.Invoke(session) ?? true))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the late write never landed");
            await Task.Delay(10);
        }
    }
}
