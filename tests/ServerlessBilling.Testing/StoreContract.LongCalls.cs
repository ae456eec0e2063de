using ServerlessBilling.Core;
using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Testing;

/// <summary>
/// A call kept open by its interims for longer than the session index keeps an entry nobody writes (7 days on
/// memory and Cosmos): the session stays known to its switch, so its interims are granted, its terminate charges
/// the whole call once, and no other account can take its id.
/// </summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task A_call_kept_open_by_daily_interims_for_ten_days_is_charged_whole_by_its_terminate()
    {
        const int days = 10;
        var harness = NewHarness();
        var account = await harness.OpenAsync(NewId("long"), Fixtures.Prepaid(NewId("deck")), 100m);
        var other = await harness.OpenAsync(NewId("other"), Fixtures.Prepaid(NewId("deck")), 100m);
        var session = NewId("long-call");
        var grant = (await harness.AuthorizeAsync(account, session, Uk, 60)).Answer!;
        Assert.Equal((ResultCode.Success, 60), (grant.ResultCode, grant.GrantedSeconds));

        // One report a day of 60 s: the reservation lapses between reports, and each report is granted again.
        for (var day = 1; day <= days; day++)
        {
            harness.Clock.Advance(TimeSpan.FromDays(1));
            var interim = await harness.InterimAsync(session, day, 60, 60);
            Assert.True(
                interim.Answer is { ResultCode: ResultCode.Success, GrantedSeconds: 60 },
                $"day {day}: {interim.Answer?.ResultCode} {interim.Error}");
            Assert.Equal(interim.Answer, (await harness.InterimAsync(session, day, 60, 60)).Answer);
        }

        Assert.Equal(account, await Sessions.FindAccountAsync(session, default));
        Assert.Equal(OutcomeErrorKind.Conflict, (await harness.AuthorizeAsync(other, session, Uk, 60)).Error?.Kind);

        harness.Clock.Advance(TimeSpan.FromHours(1));
        var end = await harness.TerminateAsync(session, days + 1, 30);
        Assert.True(end.Answer is not null, $"terminate: {end.Error}");
        Assert.Equal((ResultCode.Success, days * 60 + 30, 11.00m), (end.Answer.ResultCode, end.Answer.TotalSeconds, end.Answer.Charge));
        Assert.Equal(end.Answer, (await harness.TerminateAsync(session, days + 1, 30)).Answer);
        Assert.Equal(grant, (await harness.AuthorizeAsync(account, session, Uk, 60)).Answer);

        var state = await harness.StateAsync(account);
        Fixtures.AssertConserved(state);
        Assert.Equal((89.00m, 0m, 0), (state.Balance, state.Reserved, state.ActiveSessions));
        Assert.Equal(100m, (await harness.StateAsync(other)).Balance);
    }
}
