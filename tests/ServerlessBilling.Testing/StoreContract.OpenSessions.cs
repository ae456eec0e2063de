using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Testing;

/// <summary>
/// Open sessions per account are bounded (CreditControl:MaxOpenSessionsPerAccount). Unbounded, an authorize asking 0
/// seconds opened a session that stayed two days, so a buggy or hostile switch could open millions on one account and
/// grow its document, rewritten by every step, without end (on Cosmos DB, until the 2 MB item limit failed every write).
/// </summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task An_account_holding_the_most_open_sessions_is_denied_a_further_one_until_one_ends_or_is_dropped()
    {
        var harness = NewHarness(new CreditControlOptions { MaxOpenSessionsPerAccount = 3, ClosedSessionRetention = TimeSpan.FromMinutes(5) });
        var account = await harness.OpenAsync(NewId("open-cap"), Fixtures.Prepaid(NewId("deck")), 10m);
        string[] calls = [NewId("call"), NewId("call"), NewId("call")];
        var grants = new List<GrantAnswer>();
        foreach (var call in calls)
        {
            grants.Add((await harness.AuthorizeAsync(account, call, "+447700900123", 0)).Answer!);
        }

        Assert.All(grants, g => Assert.Equal(ResultCode.Success, g.ResultCode));

        // A fourth: denied, nothing reserved or stored, the credit still shown; the three open ones are answered as ever.
        var fourth = NewId("call");
        var denied = (await harness.AuthorizeAsync(account, fourth, "+447700900123", 60)).Answer!;
        Assert.Equal((ResultCode.CreditLimitReached, 0, 0m, 10m), (denied.ResultCode, denied.GrantedSeconds, denied.ReservedAmount, denied.AvailableAfter));
        var state = await harness.StateAsync(account);
        Assert.Equal((3, 0m), (state.Sessions.Count, state.Reserved));
        Assert.DoesNotContain(fourth, state.Sessions.Keys);
        Assert.Equal(grants[0], (await harness.AuthorizeAsync(account, calls[0], "+447700900123", 0)).Answer);

        // One call ends: room for one more.
        await harness.TerminateAsync(calls[0], 1, 60);
        Assert.Equal(ResultCode.Success, (await harness.AuthorizeAsync(account, fourth, "+447700900123", 60)).Answer!.ResultCode);
        Assert.Equal(ResultCode.CreditLimitReached, (await harness.AuthorizeAsync(account, NewId("call"), "+447700900123", 60)).Answer!.ResultCode);

        // Lapsed sessions still count (they stay in the document for the retention); dropped, they make room.
        harness.Clock.Advance(TimeSpan.FromHours(1));
        await harness.CreditControl.ReleaseExpiredAsync(default);
        Assert.Equal(ResultCode.CreditLimitReached, (await harness.AuthorizeAsync(account, NewId("call"), "+447700900123", 60)).Answer!.ResultCode);
        harness.Clock.Advance(TimeSpan.FromHours(1));
        await harness.CreditControl.ReleaseExpiredAsync(default);
        Assert.Equal(ResultCode.Success, (await harness.AuthorizeAsync(account, NewId("call"), "+447700900123", 60)).Answer!.ResultCode);
        Fixtures.AssertConserved(await harness.StateAsync(account));
    }
}
