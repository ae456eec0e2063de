using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>Invariants 1-3 under real parallelism on one account, beyond the store contract suite.</summary>
public sealed class ConcurrencyTests
{
    private const int Sessions = 200;

    [Fact]
    public async Task Concurrent_sessions_on_a_hard_limit_account_never_exceed_the_limit()
    {
        // Limit 50 at 1.00 per 60/60 minute, every session asking 60 s: room for exactly 50 calls.
        var s = await CreditControlScenario.OpenAsync(Fixtures.Postpaid(50m, hard: true), 0m);
        using var done = new CancellationTokenSource();
        var monitor = WatchAsync(s, state => state.PeriodSpend + state.Reserved <= 50m, done.Token);

        var granted = 0;
        var charged = 0m;
        var gate = new object();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, Sessions),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(8, Environment.ProcessorCount * 2) },
            async (i, cancellationToken) =>
            {
                var session = $"hard-{i}";
                var grant = (await s.Service.AuthorizeAsync(s.Request(session, Numbers.Uk, 60), cancellationToken)).Answer!;
                if (grant.ResultCode != ResultCode.Success)
                {
                    Assert.Equal(ResultCode.CreditLimitReached, grant.ResultCode);
                    Assert.Equal(0, grant.GrantedSeconds);
                    return;
                }

                Assert.Equal(60, grant.GrantedSeconds);
                Assert.Equal(1m, grant.ReservedAmount);
                Assert.True(grant.AvailableAfter >= 0m, $"granted into {grant.AvailableAfter}");
                var end = (await s.Service.TerminateAsync(new TerminateRequest(session, 1, 1 + (i % 60)), cancellationToken)).Answer!;
                Assert.Equal(1m, end.Charge);
                lock (gate)
                {
                    granted++;
                    charged += end.Charge;
                }
            });

        await done.CancelAsync();
        Assert.True(await monitor > 0);
        var state = await s.StateAsync();
        Assert.Equal(50, granted);
        Assert.Equal(50m, charged);
        Assert.Equal(50m, state.PeriodSpend);
        Assert.Equal(-50m, state.Balance);
        Assert.Equal(0m, state.Reserved);
        Assert.Equal(0, state.ActiveSessions);
        Assert.True(state.PeriodSpend + state.Reserved <= 50m);
        Assert.Equal(ResultCode.CreditLimitReached, (await s.AuthorizeAsync("one-more", Numbers.Uk, 60)).Answer!.ResultCode);
    }

    [Fact]
    public async Task Concurrent_sessions_with_interims_on_a_hard_limit_account_stay_within_it()
    {
        // Each session asks 60 s, reports 60 and asks 60 more: calls race for the remaining minutes.
        var s = await CreditControlScenario.OpenAsync(Fixtures.Postpaid(50m, hard: true), 0m);
        using var done = new CancellationTokenSource();
        var monitor = WatchAsync(s, state => state.PeriodSpend + state.Reserved <= 50m, done.Token);

        var charges = await Task.WhenAll(Enumerable.Range(0, Sessions).Select(i => Task.Run(async () =>
        {
            var session = $"long-{i}";
            var grant = (await s.Service.AuthorizeAsync(s.Request(session, Numbers.Uk, 60), default)).Answer!;
            if (grant.ResultCode != ResultCode.Success)
            {
                return 0m;
            }

            var interim = (await s.Service.InterimAsync(new InterimRequest(session, 1, 60, 60), default)).Answer!;
            var used = interim.GrantedSeconds; // use all of what was granted, and no more
            var end = (await s.Service.TerminateAsync(new TerminateRequest(session, 2, used), default)).Answer!;
            Assert.Equal(Numbers.Price(Numbers.Uk, 60 + used), end.Charge);
            return end.Charge;
        })));

        await done.CancelAsync();
        Assert.True(await monitor > 0);
        var state = await s.StateAsync();
        Assert.Equal(50m, charges.Sum());
        Assert.Equal(50m, state.PeriodSpend);
        Assert.Equal(0m, state.Reserved);
    }

    [Fact]
    public async Task Concurrent_top_ups_and_calls_on_a_prepaid_account_apply_each_top_up_once_and_never_overspend()
    {
        var s = await CreditControlScenario.PrepaidAsync(0m);
        using var done = new CancellationTokenSource();
        var monitor = WatchAsync(s, state => state.Balance - state.Reserved >= 0m, done.Token);

        // 50 distinct top-ups of 1.00, each sent three times, racing 200 one-minute calls.
        var topUps = Enumerable.Range(0, 150).Select(i => Task.Run(async () =>
            Assert.Null((await s.Admin.TopUpAsync(new TopUpRequest(s.AccountId, $"t-{i % 50}", 1m), default)).Error)));
        var calls = Enumerable.Range(0, Sessions).Select(i => Task.Run(async () =>
        {
            var session = $"pre-{i}";
            var grant = (await s.Service.AuthorizeAsync(s.Request(session, Numbers.Uk, 60), default)).Answer!;
            if (grant.ResultCode != ResultCode.Success)
            {
                return 0m;
            }

            return (await s.Service.TerminateAsync(new TerminateRequest(session, 1, 60), default)).Answer!.Charge;
        }));
        await Task.WhenAll(topUps);
        var charges = await Task.WhenAll(calls);

        await done.CancelAsync();
        Assert.True(await monitor > 0);
        var state = await s.StateAsync();
        Assert.Equal(50m, state.TopUps);
        Assert.Equal(charges.Sum(), state.Committed);
        Assert.Equal(50m - charges.Sum(), state.Balance);
        Assert.True(state.Balance >= 0m);
        Assert.Equal(0m, state.Reserved);
    }

    [Fact]
    public async Task Concurrent_replays_of_every_step_charge_each_call_once()
    {
        var s = await CreditControlScenario.PrepaidAsync(100m);

        await Parallel.ForEachAsync(Enumerable.Range(0, 20), async (i, cancellationToken) =>
        {
            var session = $"dup-{i}";
            var request = s.Request(session, Numbers.London, 120);
            var grants = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => s.Service.AuthorizeAsync(request, cancellationToken), cancellationToken)));
            Assert.All(grants, g => Assert.Equal(grants[0], g));
            var interims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => s.Service.InterimAsync(new InterimRequest(session, 1, 100, 60), cancellationToken), cancellationToken)));
            Assert.All(interims, g => Assert.Equal(interims[0], g));
            var ends = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => s.Service.TerminateAsync(new TerminateRequest(session, 2, 42), cancellationToken), cancellationToken)));
            Assert.All(ends, e => Assert.Equal(ends[0], e));
            Assert.Equal(142, ends[0].Answer!.TotalSeconds);
        });

        var state = await s.StateAsync();
        var price = Numbers.Price(Numbers.London, 142);
        Assert.Equal(100m - (20 * price), state.Balance);
        Assert.Equal(0m, state.Reserved);
    }

    /// <summary>Reads the account over and over until cancelled, asserting conservation and <paramref name="holds"/> on every read.</summary>
    private static Task<int> WatchAsync(CreditControlScenario s, Func<AccountState, bool> holds, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            var reads = 0;
            while (!cancellationToken.IsCancellationRequested || reads == 0)
            {
                var state = (await s.Accounts.GetAsync(s.AccountId, default))!.Value;
                Fixtures.AssertConserved(state);
                Assert.True(holds(state), $"violated at read {reads}: balance {state.Balance}, spend {state.PeriodSpend}, reserved {state.Reserved}");
                reads++;
                await Task.Yield();
            }

            return reads;
        });
}
