using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Testing;

/// <summary>
/// Credit-control invariants (ARCHITECTURE.md 1-3) under real parallelism, run against every store.
/// </summary>
public abstract partial class StoreContract
{
    private CreditControlHarness NewRacingHarness(bool serialize = true) =>
        NewHarness(new CreditControlOptions { SerializeWritersInProcess = serialize, MaxConcurrencyRetries = 200 });

    /// <param name="serialize">
    /// true: writers of this process queue per account (the default); false: every writer races on the ETag
    /// alone, as writers in different processes (Functions instances) do.
    /// </param>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Concurrent_sessions_on_one_prepaid_account_never_overspend_and_release_everything(bool serialize)
    {
        var harness = NewRacingHarness(serialize);
        var account = await harness.OpenAsync($"hot-{Guid.NewGuid():N}", Fixtures.Prepaid($"deck-{Guid.NewGuid():N}"), 50m);
        var run = Guid.NewGuid().ToString("N")[..8];

        // 44 is 1.00 per 60/60 minute and every session asks for 60 s: credit for exactly 50 calls.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, ConcurrentSessions).Select(i => Task.Run(async () =>
        {
            var session = $"{run}-call-{i}";
            var grant = (await harness.AuthorizeAsync(account, session, "+447700900123", 60)).Answer!;
            if (grant.ResultCode != ResultCode.Success)
            {
                return (Granted: false, Charge: 0m);
            }

            Assert.Equal(60, grant.GrantedSeconds);
            Fixtures.AssertConserved(await harness.StateAsync(account));
            if (i % 2 == 0)
            {
                var interim = (await harness.InterimAsync(session, 1, 30, 30)).Answer!;
                Assert.Equal(30, interim.GrantedSeconds); // the 60 s minimum already covers it: no more credit needed
            }

            var end = (await harness.TerminateAsync(session, 2, i % 2 == 0 ? 25 : 55)).Answer!;
            Assert.True(end.Balance >= 0m, $"balance went to {end.Balance}");
            return (Granted: true, end.Charge);
        })));

        var state = await harness.StateAsync(account);
        Fixtures.AssertConserved(state);
        Assert.Equal(50, outcomes.Count(o => o.Granted));
        Assert.Equal(50m, outcomes.Sum(o => o.Charge));
        Assert.Equal(0m, state.Balance);
        Assert.Equal(0m, state.Reserved);
        Assert.Equal(0, state.ActiveSessions);
    }

    [Fact]
    public async Task Replayed_requests_change_nothing_under_concurrency()
    {
        var harness = NewRacingHarness();
        var account = await harness.OpenAsync($"replay-{Guid.NewGuid():N}", Fixtures.Prepaid($"deck-{Guid.NewGuid():N}"), 10m);
        var session = $"replay-{Guid.NewGuid():N}";

        var grants = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => harness.AuthorizeAsync(account, session, "+447700900123"))));
        Assert.All(grants, g => Assert.Equal(grants[0].Answer, g.Answer));
        Assert.Equal(1m, (await harness.StateAsync(account)).Reserved);

        var ends = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => harness.TerminateAsync(session, 1, 42))));
        Assert.All(ends, e => Assert.Equal(ends[0].Answer, e.Answer));

        var state = await harness.StateAsync(account);
        Fixtures.AssertConserved(state);
        Assert.Equal(9m, state.Balance);
        Assert.Equal(0m, state.Reserved);
    }
}
