using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Accounts;

/// <summary>The one bounded window of recent ids, used for top-ups and for applied CDRs.</summary>
public sealed class IdWindowTests
{
    [Fact]
    public void The_window_keeps_the_newest_entries_oldest_first_and_never_more_than_its_capacity()
    {
        var window = IdWindow<string>.Empty;
        foreach (var id in new[] { "a", "b", "c", "d", "e" })
        {
            window = window.Add(id, capacity: 3);
            Assert.True(window.Count <= 3);
            Assert.Equal(window.Count, window.Items.Count());
        }

        Assert.Equal(["c", "d", "e"], window.Items);
    }

    [Fact]
    public void A_stored_window_reads_back_with_its_count_and_trims_from_there()
    {
        var window = IdWindow<string>.Of(["x", "y"]);

        Assert.Equal(2, window.Count);
        Assert.Equal(["y", "z"], window.Add("z", capacity: 2).Items);
        Assert.Equal(0, IdWindow<string>.Of(null).Count);
        Assert.Equal(0, default(IdWindow<string>).Count);
        Assert.Empty(default(IdWindow<string>).Items);
        Assert.Throws<ArgumentOutOfRangeException>(() => window.Add("w", capacity: 0));
    }

    [Fact]
    public void Top_ups_and_applied_cdrs_are_bounded_by_the_same_window()
    {
        var account = AccountState.Open("acme", Fixtures.Prepaid(), 0m, Fixtures.Now);
        for (var i = 0; i < AccountState.RecentTopUpCapacity + 5; i++)
        {
            account = account.RememberTopUp(new RecentTopUp($"t-{i}", 1m));
        }

        for (var i = 0; i < 7; i++)
        {
            account = account.RememberApplied($"c-{i}", capacity: 4);
        }

        Assert.Equal(AccountState.RecentTopUpCapacity, account.RecentTopUps.Count());
        Assert.Equal("t-5", account.RecentTopUps.First().TopUpId);
        Assert.Equal(["c-3", "c-4", "c-5", "c-6"], account.AppliedCdrs);
        Assert.Equal(4, account.AppliedCount);
    }
}
