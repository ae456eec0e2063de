using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core;

namespace ServerlessBilling.Testing;

/// <summary>
/// Credit-control invariants (ARCHITECTURE.md 1-3) under real parallelism, run against every store.
/// </summary>
public abstract partial class StoreContract
{
    private CreditControlHarness NewRacingHarness(bool serialize = true) =>
        NewHarness(writes: new AccountWriteOptions { SerializeWritersInProcess = serialize, MaxConcurrencyRetries = 200 });

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

            var end = (await harness.TerminateAsync(session, i % 2 == 0 ? 2 : 1, i % 2 == 0 ? 25 : 55)).Answer!;
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

    [Fact]
    public async Task A_replay_long_after_the_session_left_the_account_document_is_answered_from_history_and_changes_nothing()
    {
        // Invariant 3, whatever the number of sessions closed since: the document keeps only the newest few.
        var harness = NewHarness(new CreditControlOptions { ClosedSessionsKept = 2 });
        var account = await harness.OpenAsync($"old-replay-{Guid.NewGuid():N}", Fixtures.Prepaid($"deck-{Guid.NewGuid():N}"), 100m);
        var first = $"first-{Guid.NewGuid():N}";
        var grant = (await harness.AuthorizeAsync(account, first, "+447700900123", 120)).Answer!;
        var interim = (await harness.InterimAsync(first, 1, 60, 60)).Answer!;
        var end = (await harness.TerminateAsync(first, 2, 30)).Answer!;
        for (var i = 0; i < 5; i++)
        {
            var later = $"later-{i}-{Guid.NewGuid():N}";
            await harness.AuthorizeAsync(account, later, "+447700900123", 60);
            await harness.TerminateAsync(later, 1, 60);
        }

        var before = await Accounts.GetAsync(account, default);
        Assert.DoesNotContain(first, before!.Value.Sessions.Keys);

        Assert.Equal(grant, (await harness.AuthorizeAsync(account, first, "+447700900123", 120)).Answer);
        Assert.Equal(OutcomeErrorKind.Conflict, (await harness.AuthorizeAsync(account, first, "+447700900999", 120)).Error?.Kind);
        Assert.Equal(OutcomeErrorKind.Conflict, (await harness.InterimAsync(first, 1, 60, 60)).Error?.Kind);
        Assert.Equal(end, (await harness.TerminateAsync(first, 2, 30)).Answer);
        Assert.Equal(end, (await harness.TerminateAsync(first, 3, 3000)).Answer);

        var after = await Accounts.GetAsync(account, default);
        Assert.Equal(before.ETag, after!.ETag);
        Assert.Equal(100m - end.Charge - 5m, after.Value.Balance);
        Assert.Equal(2.00m, end.Charge); // 90 s at 1.00/min, 60/60
        Assert.Equal(60, interim.GrantedSeconds);
    }

    [Fact]
    public async Task A_session_that_expired_and_was_dropped_is_never_granted_again_and_its_cdr_charges_it_once()
    {
        var harness = NewHarness(new CreditControlOptions { ClosedSessionRetention = TimeSpan.FromMinutes(5) });
        var account = await harness.OpenAsync($"dropped-{Guid.NewGuid():N}", Fixtures.Prepaid($"deck-{Guid.NewGuid():N}"), 10m);
        var session = $"dropped-{Guid.NewGuid():N}";
        var grant = (await harness.AuthorizeAsync(account, session, "+447700900123", 60)).Answer!;
        harness.Clock.Advance(TimeSpan.FromHours(1));
        await harness.CreditControl.ReleaseExpiredAsync(default);
        harness.Clock.Advance(TimeSpan.FromHours(1));
        await harness.CreditControl.ReleaseExpiredAsync(default);
        Assert.DoesNotContain(session, (await harness.StateAsync(account)).Sessions.Keys);

        Assert.Equal(grant, (await harness.AuthorizeAsync(account, session, "+447700900123", 60)).Answer);
        Assert.Equal(OutcomeErrorKind.Conflict, (await harness.TerminateAsync(session, 1, 60)).Error?.Kind);
        var state = await harness.StateAsync(account);
        Assert.Equal((10m, 0m), (state.Balance, state.Reserved));

        var csv = $"""
            cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id
            cdr-{session},{account},+441234,+447700900123,{Fixtures.Now:O},60,ANSWERED,{session}
            """;
        Assert.Equal(1, (await harness.IngestCsvAsync(csv)).Accepted);
        Assert.Equal(0, (await harness.IngestCsvAsync(csv)).Accepted);
        Assert.Equal(9m, (await harness.StateAsync(account)).Balance);
    }
}
