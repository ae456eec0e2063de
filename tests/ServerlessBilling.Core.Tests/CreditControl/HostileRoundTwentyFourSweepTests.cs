using System.Runtime.CompilerServices;
using ServerlessBilling.Core.Accounts;
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
        var store = new OneAccountFailsStore(new InMemoryAccountStore());
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

    /// <summary>Lists the failing account first among those expiring; every write of it fails as a store fault.</summary>
    private sealed class OneAccountFailsStore(IAccountStore inner) : IAccountStore
    {
        private volatile string? _failing;

        public void Fail(string? accountId) => _failing = accountId;

        public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) => inner.GetAsync(accountId, cancellationToken);

        public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken) => inner.TryCreateAsync(account, cancellationToken);

        public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken) =>
            account.AccountId == _failing
                ? throw new StoreUnavailableException($"account '{account.AccountId}' cannot be written (injected)") { Store = "account store" }
                : inner.TryReplaceAsync(account, ifMatch, cancellationToken);

        public async IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var ids = new List<string>();
            await foreach (var id in inner.FindExpiringAsync(instant, cancellationToken))
            {
                ids.Add(id);
            }

            foreach (var id in ids.OrderBy(id => id == _failing ? 0 : 1))
            {
                yield return id;
            }
        }
    }
}
