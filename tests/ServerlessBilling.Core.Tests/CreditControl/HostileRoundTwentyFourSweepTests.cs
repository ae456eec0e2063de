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
}
