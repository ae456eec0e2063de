using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Validation;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>
/// Round twenty-seven of the hostile review: a careless operator. CreditControl:MaxQuotaSeconds had no upper bound. Set
/// above a day ("no cap": 2147483647), a switch asking for int.MaxValue seconds was granted more than one report may
/// carry (usedSeconds is at most 86,400), so a call that used its grant could report it in no interim or terminate (400);
/// and the grant's arithmetic overflowed: a post-paid authorize on a 60/60 tariff threw (500 on every call), and a
/// pre-paid call's interim threw after its authorize had reserved, so its credit stayed held until the reservation
/// lapsed (a validity of 60,000 s: 50 hours) and the call could only be charged by its CDR.
/// </summary>
public sealed class HostileRoundTwentySevenCreditControlTests
{
    [Theory]
    [InlineData(Bounds.MaxReportSeconds + 1)]
    [InlineData(int.MaxValue)]
    public void A_largest_grant_beyond_what_one_report_may_carry_is_an_invalid_setting(int maxQuota)
    {
        var errors = new CreditControlOptions { MaxQuotaSeconds = maxQuota }.Validate();

        Assert.Contains("CreditControl:MaxQuotaSeconds must be at most 86400 (a report carries at most 24 hours of use)", errors);
    }

    [Fact]
    public async Task At_the_largest_valid_grant_a_call_asking_for_every_second_is_granted_reported_and_charged_in_full()
    {
        var options = new CreditControlOptions { MaxQuotaSeconds = Bounds.MaxReportSeconds };
        Assert.Empty(options.Validate());
        var h = new CreditControlHarness(new Core.Storage.InMemory.InMemoryAccountStore(), new Core.Storage.InMemory.InMemorySessionIndex(), new Core.Storage.InMemory.InMemoryRateDeckStore(), options);
        await h.OpenAsync("r27-quota", Fixtures.Postpaid(1_000_000m, hard: false), 0m);

        var grant = (await h.AuthorizeAsync("r27-quota", "s-1", "+447700900123", int.MaxValue)).Answer!;
        Assert.Equal((ResultCode.Success, Bounds.MaxReportSeconds, 1440m), (grant.ResultCode, grant.GrantedSeconds, grant.ReservedAmount));

        // The whole grant used is one report, and the next grant is as large.
        var next = (await h.InterimAsync("s-1", 1, grant.GrantedSeconds, int.MaxValue)).Answer!;
        Assert.Equal((ResultCode.Success, Bounds.MaxReportSeconds), (next.ResultCode, next.GrantedSeconds));
        var end = (await h.TerminateAsync("s-1", 2, next.GrantedSeconds)).Answer!;

        Assert.Equal((2 * Bounds.MaxReportSeconds, 2880m, 0), (end.TotalSeconds, end.Charge, end.OverrunSeconds)); // 48 h at 1.00/min
        var state = await h.StateAsync("r27-quota");
        Fixtures.AssertConserved(state);
        Assert.Equal((-2880m, 0m), (state.Balance, state.Reserved));
    }
}
