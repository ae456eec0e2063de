using ServerlessBilling.Core;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Testing;

/// <summary>
/// An authorize that names an account that does not exist is answered ACCOUNT_NOT_FOUND and leaves no claim on its
/// session id: the id stays free for the call's real account (a switch that fixes its configuration and retries, or
/// a call id an attacker tried to take first), by authorize and by CDR, on every store.
/// </summary>
public abstract partial class StoreContract
{
    private const string Uk = "+447700900123"; // 1.00 per 60/60 minute in the fixture deck

    [Fact]
    public async Task An_authorize_for_an_unknown_account_leaves_the_session_id_to_the_real_account()
    {
        var harness = NewHarness();
        var account = await harness.OpenAsync(NewId("real"), Fixtures.Prepaid(NewId("deck")), 10m);
        var nobody = NewId("nobody");
        var session = NewId("misrouted");

        var unknown = (await harness.AuthorizeAsync(nobody, session, Uk, 120)).Answer!;
        Assert.Equal((ResultCode.AccountNotFound, 0, 0m), (unknown.ResultCode, unknown.GrantedSeconds, unknown.ReservedAmount));
        Assert.Null(await Sessions.FindAccountAsync(session, default));
        Assert.Equal(unknown, (await harness.AuthorizeAsync(nobody, session, Uk, 120)).Answer);

        // The switch's retry with the right account is a new call, granted as any other.
        var grant = (await harness.AuthorizeAsync(account, session, Uk, 120)).Answer!;
        Assert.Equal((ResultCode.Success, 120, 2.00m), (grant.ResultCode, grant.GrantedSeconds, grant.ReservedAmount));
        Assert.Equal(grant, (await harness.AuthorizeAsync(account, session, Uk, 120)).Answer);
        Assert.Equal(unknown, (await harness.AuthorizeAsync(nobody, session, Uk, 120)).Answer); // still unknown, and takes nothing
        Assert.Equal(account, await Sessions.FindAccountAsync(session, default));

        var end = (await harness.TerminateAsync(session, 1, 90)).Answer!;
        Assert.Equal(2.00m, end.Charge);
        Assert.Equal(end, (await harness.TerminateAsync(session, 1, 90)).Answer);

        // Its CDR is the call's, settled by the session: not another account's, and not charged again.
        var cdr = NewId("cdr");
        var result = await harness.IngestCsvAsync($"{Fixtures.CdrHeader}\n{cdr},{account},+441234,{Uk},{Fixtures.Now:O},90,ANSWERED,{session}");
        Assert.Empty(result.Quarantined);
        Assert.Equal(1, result.Accepted);
        Assert.Equal(Settlement.Session, (await Stores.Usage.FindExistingAsync(account, [cdr], default))[cdr].SettledBy);

        var state = await harness.StateAsync(account);
        Fixtures.AssertConserved(state);
        Assert.Equal((8.00m, 0m, 0), (state.Balance, state.Reserved, state.ActiveSessions));
    }

    [Fact]
    public async Task A_cdr_of_a_real_account_naming_a_call_id_an_unknown_account_was_refused_is_rated()
    {
        var harness = NewHarness();
        var account = await harness.OpenAsync(NewId("real"), Fixtures.Prepaid(NewId("deck")), 10m);
        var session = NewId("misrouted");
        Assert.Equal(ResultCode.AccountNotFound, (await harness.AuthorizeAsync(NewId("nobody"), session, Uk, 60)).Answer!.ResultCode);

        var cdr = NewId("cdr");
        var result = await harness.IngestCsvAsync($"{Fixtures.CdrHeader}\n{cdr},{account},+441234,{Uk},{Fixtures.Now:O},61,ANSWERED,{session}");

        Assert.Empty(result.Quarantined);
        Assert.Equal(1, result.Accepted);
        var record = (await Stores.Usage.FindExistingAsync(account, [cdr], default))[cdr];
        Assert.Equal((2.00m, Settlement.Cdr), (record.Charge, record.SettledBy));
        Assert.Equal(8.00m, (await harness.StateAsync(account)).Balance);
    }

    /// <summary>
    /// A claim in the name of a missing account that was never let go (an authorize cut short between its claim and its
    /// release, or data written before this rule) holds nothing either: whoever meets it lets it go.
    /// </summary>
    [Fact]
    public async Task A_claim_left_by_an_unknown_account_is_let_go_by_the_real_accounts_authorize_and_cdr()
    {
        var harness = NewHarness();
        var account = await harness.OpenAsync(NewId("real"), Fixtures.Prepaid(NewId("deck")), 10m);
        var nobody = NewId("nobody");
        var (byAuthorize, byCdr) = (NewId("left"), NewId("left"));
        Assert.True((await Sessions.ClaimAsync(byAuthorize, nobody, default)).IsNew);
        Assert.True((await Sessions.ClaimAsync(byCdr, nobody, default)).IsNew);

        Assert.Equal(OutcomeErrorKind.NotFound, (await harness.TerminateAsync(byAuthorize, 1, 60)).Error?.Kind);
        Assert.Null(await Sessions.FindAccountAsync(byAuthorize, default)); // the terminate let it go
        Assert.True((await Sessions.ClaimAsync(byAuthorize, nobody, default)).IsNew);
        Assert.Equal(ResultCode.AccountNotFound, (await harness.AuthorizeAsync(nobody, byAuthorize, Uk, 60)).Answer!.ResultCode);
        Assert.True((await Sessions.ClaimAsync(byAuthorize, nobody, default)).IsNew);

        var grant = (await harness.AuthorizeAsync(account, byAuthorize, Uk, 60)).Answer!;
        Assert.Equal(ResultCode.Success, grant.ResultCode);
        Assert.Equal(60, (await harness.InterimAsync(byAuthorize, 1, 60, 60)).Answer!.GrantedSeconds);
        Assert.Equal(2.00m, (await harness.TerminateAsync(byAuthorize, 2, 60)).Answer!.Charge);

        var cdr = NewId("cdr");
        var result = await harness.IngestCsvAsync($"{Fixtures.CdrHeader}\n{cdr},{account},+441234,{Uk},{Fixtures.Now:O},60,ANSWERED,{byCdr}");
        Assert.Empty(result.Quarantined);
        Assert.Equal(Settlement.Cdr, (await Stores.Usage.FindExistingAsync(account, [cdr], default))[cdr].SettledBy);

        var state = await harness.StateAsync(account);
        Fixtures.AssertConserved(state);
        Assert.Equal((7.00m, 0m), (state.Balance, state.Reserved));
    }

    [Fact]
    public async Task A_call_id_refused_for_an_account_not_yet_created_is_free_once_it_is()
    {
        var harness = NewHarness();
        var later = NewId("later");
        var other = await harness.OpenAsync(NewId("other"), Fixtures.Prepaid(NewId("deck")), 10m);
        var (retried, taken) = (NewId("call"), NewId("call"));
        Assert.Equal(ResultCode.AccountNotFound, (await harness.AuthorizeAsync(later, retried, Uk, 60)).Answer!.ResultCode);
        Assert.Equal(ResultCode.AccountNotFound, (await harness.AuthorizeAsync(later, taken, Uk, 60)).Answer!.ResultCode);

        await harness.OpenAsync(later, Fixtures.Prepaid(NewId("deck")), 10m);

        // The same account, now created, is granted; and another account may take an id the first never held.
        var grant = (await harness.AuthorizeAsync(later, retried, Uk, 60)).Answer!;
        Assert.Equal(ResultCode.Success, grant.ResultCode);
        Assert.Equal(grant, (await harness.AuthorizeAsync(later, retried, Uk, 60)).Answer);
        Assert.Equal(ResultCode.Success, (await harness.AuthorizeAsync(other, taken, Uk, 60)).Answer!.ResultCode);
        Assert.Equal(OutcomeErrorKind.Conflict, (await harness.AuthorizeAsync(later, taken, Uk, 60)).Error?.Kind);
        Assert.Equal(OutcomeErrorKind.Conflict, (await harness.AuthorizeAsync(other, retried, Uk, 60)).Error?.Kind);
        Assert.Equal((1.00m, 1.00m), ((await harness.StateAsync(later)).Reserved, (await harness.StateAsync(other)).Reserved));
    }

    /// <summary>
    /// Both authorizes of one call id at once, one naming a missing account and one the real account, many times over:
    /// the real one is always granted, the other always ACCOUNT_NOT_FOUND, and each call is charged once.
    /// </summary>
    [Fact]
    public async Task An_unknown_and_a_real_account_racing_for_one_call_id_leave_it_to_the_real_one()
    {
        var harness = NewRacingHarness(serialize: false);
        var account = await harness.OpenAsync(NewId("real"), Fixtures.Prepaid(NewId("deck")), 1000m);
        var nobody = NewId("nobody");
        var run = Guid.NewGuid().ToString("N")[..8];
        var calls = Math.Min(ConcurrentSessions, 100);

        var answers = await Task.WhenAll(Enumerable.Range(0, calls).Select(i => Task.Run(async () =>
        {
            var session = $"{run}-race-{i}";
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var racers = new[] { account, nobody }.Select(who => Task.Run(async () =>
            {
                await go.Task; // both continue on pool threads at once
                return await harness.AuthorizeAsync(who, session, Uk, 60);
            })).ToArray();
            go.SetResult();
            var outcomes = await Task.WhenAll(racers);
            return (Session: session, Real: outcomes[0], Unknown: outcomes[1]);
        })));

        foreach (var (session, real, unknown) in answers)
        {
            Assert.True(real.Answer is { ResultCode: ResultCode.Success }, $"{session}: the real account got {real.Answer?.ResultCode} {real.Error}");
            Assert.True(unknown.Answer is { ResultCode: ResultCode.AccountNotFound }, $"{session}: the unknown account got {unknown.Answer?.ResultCode} {unknown.Error}");
        }

        var ends = await Task.WhenAll(answers.Select(a => Task.Run(async () =>
        {
            Assert.Equal(a.Real.Answer, (await harness.AuthorizeAsync(account, a.Session, Uk, 60)).Answer);
            Assert.Equal(ResultCode.AccountNotFound, (await harness.AuthorizeAsync(nobody, a.Session, Uk, 60)).Answer!.ResultCode);
            var end = (await harness.TerminateAsync(a.Session, 1, 60)).Answer!;
            Assert.Equal(end, (await harness.TerminateAsync(a.Session, 1, 60)).Answer);
            return end.Charge;
        })));

        var state = await harness.StateAsync(account);
        Fixtures.AssertConserved(state);
        Assert.Equal(calls * 1.00m, ends.Sum());
        Assert.Equal((1000m - calls, 0m, 0), (state.Balance, state.Reserved, state.ActiveSessions));
    }

    [Fact]
    public async Task A_released_claim_frees_only_that_accounts_bare_claim()
    {
        var (bare, others, closed) = (NewId("bare"), NewId("others"), NewId("closed"));
        await Sessions.ClaimAsync(bare, "ghost", default);
        await Sessions.ClaimAsync(others, "owner", default);
        await Sessions.ClaimAsync(closed, "ghost", default);
        await Sessions.RecordClosedAsync(ClosedAt(closed, "ghost"), default);

        foreach (var id in new[] { bare, others, closed })
        {
            await Sessions.ReleaseAsync(id, "ghost", default);
        }

        Assert.Null(await Sessions.FindAccountAsync(bare, default));
        Assert.Equal(new SessionClaim("acme", IsNew: true), await Sessions.ClaimAsync(bare, "acme", default));
        Assert.Equal(new SessionClaim("acme", IsNew: false), await Sessions.ClaimAsync(bare, "ghost", default));
        Assert.Equal(new SessionClaim("owner", IsNew: false), await Sessions.ClaimAsync(others, "acme", default));
        Assert.Equal(closed, (await Sessions.FindClosedAsync(closed, default))?.SessionId);
        await Sessions.ReleaseAsync(NewId("never"), "ghost", default); // nothing to let go: changes nothing
    }
}
