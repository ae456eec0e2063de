using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>
/// A top-up is recognised by the account document's window of recent ids and, once it has left the window, by its
/// history record. The record is written after the account: a crash (or a store fault) between the two left a credited
/// top-up with no record, and once <see cref="AccountState.RecentTopUpCapacity"/> more top-ups had pushed its id out of
/// the window, the payment system's replay of it credited the account a second time.
/// </summary>
public sealed class HostileRoundThirtyFiveTopUpTests
{
    [Fact]
    public async Task A_top_up_whose_record_was_lost_is_not_credited_again_by_a_replay_after_the_window_rolled_over()
    {
        var topUps = new RecordLosingTopUpStore("t-lost");
        var harness = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), topUps: topUps);
        var account = await harness.OpenAsync("acme", Fixtures.Prepaid(), 0m);
        var admin = harness.Admin;

        // The account is credited; the process dies before the history record is written.
        await Assert.ThrowsAsync<IOException>(() => admin.TopUpAsync(new TopUpRequest(account, "t-lost", 10m), default));
        Assert.Equal(10m, (await harness.StateAsync(account)).Balance);

        for (var i = 0; i < AccountState.RecentTopUpCapacity + 5; i++)
        {
            Assert.Null((await admin.TopUpAsync(new TopUpRequest(account, $"t-{i}", 1m), default)).Error);
        }

        var replay = await admin.TopUpAsync(new TopUpRequest(account, "t-lost", 10m), default);
        var altered = await admin.TopUpAsync(new TopUpRequest(account, "t-lost", 11m), default);

        Assert.Null(replay.Error);
        Assert.Equal(OutcomeErrorKind.Conflict, altered.Error?.Kind);
        var state = await harness.StateAsync(account);
        Assert.Equal(10m + AccountState.RecentTopUpCapacity + 5, state.Balance);
        Assert.Equal(10m, (await topUps.FindAsync(account, "t-lost", default))?.Amount);
        Assert.True(state.TopUpWindow.Count <= AccountState.RecentTopUpCapacity);
    }

    [Fact]
    public async Task Top_ups_whose_records_exist_leave_the_window_as_before()
    {
        var harness = CreditControlHarness.InMemory();
        var account = await harness.OpenAsync("acme", Fixtures.Prepaid(), 0m);
        for (var i = 0; i < AccountState.RecentTopUpCapacity * 2; i++)
        {
            Assert.Null((await harness.Admin.TopUpAsync(new TopUpRequest(account, $"t-{i}", 1m), default)).Error);
        }

        var state = await harness.StateAsync(account);
        Assert.Equal(AccountState.RecentTopUpCapacity, state.TopUpWindow.Count);
        Assert.Equal($"t-{AccountState.RecentTopUpCapacity}", state.RecentTopUps.First().TopUpId);
        Assert.Equal(AccountState.RecentTopUpCapacity * 2, state.Balance);
    }

    /// <summary>A top-up store that fails (as a crash would) to write the record of one id, once.</summary>
    private sealed class RecordLosingTopUpStore(string lostId) : ITopUpStore
    {
        private readonly InMemoryTopUpStore _inner = new();
        private bool _lost;

        public Task<TopUpRecord?> FindAsync(string accountId, string topUpId, CancellationToken cancellationToken) =>
            _inner.FindAsync(accountId, topUpId, cancellationToken);

        public Task<bool> TryCreateAsync(TopUpRecord record, CancellationToken cancellationToken)
        {
            if (record.TopUpId == lostId && !_lost)
            {
                _lost = true;
                throw new IOException("the process died before the top-up's record was written");
            }

            return _inner.TryCreateAsync(record, cancellationToken);
        }
    }
}
