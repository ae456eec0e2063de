using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>
/// API.md lets a switch send <c>requestedSeconds: 0</c> (only negative values are refused): an interim that
/// reports use without asking for more, or an authorize that asks for nothing yet. Credit is not the reason
/// such a request gets no seconds, so the answer must not say CREDIT_LIMIT_REACHED.
/// </summary>
public sealed class ZeroSecondRequestTests
{
    [Fact]
    public async Task An_interim_that_only_reports_use_is_answered_success_when_credit_remains()
    {
        var s = await CreditControlScenario.PrepaidAsync(100m);
        await s.GrantAsync("call-1", Numbers.Uk, 60);

        var answer = (await s.InterimAsync("call-1", 1, 60, 0)).Answer!;

        Assert.Equal(0, answer.GrantedSeconds);
        Assert.Equal(0m, answer.ReservedAmount);
        var state = await s.StateAsync();
        Assert.Equal(99m, state.Balance);
        Assert.Equal(0m, state.Reserved);
        Assert.Equal(ResultCode.Success, answer.ResultCode); // today: CREDIT_LIMIT_REACHED with finalUnit false, on 99.00 of credit
    }

    [Fact]
    public async Task An_authorize_for_no_seconds_on_an_account_with_credit_is_not_refused_for_credit()
    {
        var s = await CreditControlScenario.PrepaidAsync(100m);

        var answer = (await s.AuthorizeAsync("call-1", Numbers.Uk, 0)).Answer!;

        Assert.Equal(0, answer.GrantedSeconds);
        Assert.Equal(0m, (await s.StateAsync()).Reserved);
        Assert.NotEqual(ResultCode.CreditLimitReached, answer.ResultCode);
    }

    [Fact]
    public async Task An_authorize_for_no_seconds_on_a_soft_limit_account_is_not_refused_for_credit()
    {
        // A soft limit never refuses for credit (API.md: "always otherwise").
        var s = await CreditControlScenario.OpenAsync(Fixtures.Postpaid(1000m, hard: false), 0m);

        var answer = (await s.AuthorizeAsync("call-1", Numbers.Uk, 0)).Answer!;

        Assert.NotEqual(ResultCode.CreditLimitReached, answer.ResultCode);
    }
}
