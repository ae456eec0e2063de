using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>
/// Round twenty-four of the hostile review, on the expiry sweep (the local host's sweeper and the Functions app's
/// <c>ReservationSweeper</c> timer). One account whose write fails (a throttled or unavailable Cosmos DB partition, a
/// document the store refuses) failed the whole sweep at that account, every tick: the lapsed reservations of every
/// account the store listed after it were never released, so their credit stayed held and their calls were denied.
/// </summary>
public sealed class HostileRoundTwentyFourSweepTests
{
    [Fact]
    public async Task An_account_whose_write_fails_holds_back_no_other_accounts_release_and_the_sweep_still_reports_the_fault()
    {
        var store = new FailingAccountStore(new InMemoryAccountStore());
        var h = new CreditControlHarness(store, new InMemorySessionIndex(), new InMemoryRateDeckStore());
        await h.OpenAsync("sweep-poisoned", Fixtures.Prepaid(), 10m);
        await h.OpenAsync("sweep-healthy", Fixtures.Prepaid(), 10m);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("sweep-poisoned", "call-poisoned")).Answer!.ResultCode);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("sweep-healthy", "call-healthy")).Answer!.ResultCode);
        Assert.Equal(0.65m, (await h.StateAsync("sweep-healthy")).Reserved);

        // Past the grant's validity and the grace: both reservations have lapsed. The first account listed cannot be written.
        h.Clock.Advance(TimeSpan.FromHours(1));
        store.Fail("sweep-poisoned");

        await Assert.ThrowsAsync<StoreUnavailableException>(() => h.CreditControl.ReleaseExpiredAsync(default));

        Assert.Equal(0m, (await h.StateAsync("sweep-healthy")).Reserved);
        Assert.Equal(10m, (await h.StateAsync("sweep-healthy")).Balance);
        Assert.Equal(0.65m, (await h.StateAsync("sweep-poisoned")).Reserved); // its own stays held until its store answers

        store.Fail(null);
        Assert.Equal(1, await h.CreditControl.ReleaseExpiredAsync(default));
        Assert.Equal(0m, (await h.StateAsync("sweep-poisoned")).Reserved);
    }

    /// <summary>
    /// Nor an account whose store call ends in a cancellation the sweep did not ask for (the TaskCanceledException of an
    /// HttpClient's timeout): it was let through as the sweep's own cancellation, ending the sweep at that account.
    /// </summary>
    [Fact]
    public async Task An_account_whose_write_is_cancelled_by_no_token_of_the_sweep_holds_back_no_other_accounts_release()
    {
        var store = new FailingAccountStore(new InMemoryAccountStore());
        var h = new CreditControlHarness(store, new InMemorySessionIndex(), new InMemoryRateDeckStore());
        await h.OpenAsync("sweep-cancelled", Fixtures.Prepaid(), 10m);
        await h.OpenAsync("sweep-healthy", Fixtures.Prepaid(), 10m);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("sweep-cancelled", "call-cancelled")).Answer!.ResultCode);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("sweep-healthy", "call-healthy")).Answer!.ResultCode);

        h.Clock.Advance(TimeSpan.FromHours(1));
        store.Fail("sweep-cancelled", fault: new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout elapsing. (injected)"));

        var fault = await Assert.ThrowsAsync<StoreUnavailableException>(() => h.CreditControl.ReleaseExpiredAsync(default));

        Assert.Contains("sweep-cancelled", fault.Message, StringComparison.Ordinal);
        Assert.Equal(0m, (await h.StateAsync("sweep-healthy")).Reserved);
        Assert.Equal(0.65m, (await h.StateAsync("sweep-cancelled")).Reserved);
    }
}
