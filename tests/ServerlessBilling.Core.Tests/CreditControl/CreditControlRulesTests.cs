using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>The rules as pure functions of (document, request, now): what they decide, and that denials and replays write nothing.</summary>
public sealed class CreditControlRulesTests
{
    private static readonly CreditControlRules Rules = new(new CreditControlOptions());

    private static readonly DateTimeOffset Now = Fixtures.Now;

    private static AccountState Account(decimal balance = 10m) => AccountState.Open("acme", Fixtures.Prepaid(), balance, Now);

    private static AuthorizeRequest Request(string session = "call-1", string called = Numbers.Uk, int? seconds = 60) =>
        new(session, "acme", Numbers.Caller, called, null, seconds);

    [Fact]
    public void A_missing_account_is_a_denial_that_writes_nothing()
    {
        var decision = Rules.Authorize(null, Fixtures.Deck(), Request(), Now);

        Assert.Null(decision.Next);
        Assert.Null(decision.Error);
        Assert.Equal(ResultCode.AccountNotFound, decision.Answer!.ResultCode);
    }

    [Fact]
    public void A_missing_rate_deck_rates_nothing()
    {
        var decision = Rules.Authorize(Account(), null, Request(), Now);

        Assert.Null(decision.Next);
        Assert.Equal(ResultCode.DestinationNotRated, decision.Answer!.ResultCode);
    }

    [Theory]
    [InlineData(0.99, ResultCode.CreditLimitReached)]
    [InlineData(1.00, ResultCode.Success)]
    public void Only_a_grant_changes_the_document(decimal balance, ResultCode expected)
    {
        var account = Account(balance);

        var decision = Rules.Authorize(account, Fixtures.Deck(), Request(), Now);

        Assert.Equal(expected, decision.Answer!.ResultCode);
        Assert.Equal(expected == ResultCode.Success, decision.Next is not null);
        Assert.Empty(account.Sessions); // the input document is never changed
    }

    [Fact]
    public void A_grant_records_the_session_with_its_tariff_reservation_and_expiry()
    {
        var next = Rules.Authorize(Account(), Fixtures.Deck(), Request(seconds: 90), Now).Next!;

        var session = next.Sessions["call-1"];
        Assert.Equal((SessionStatus.Active, 90, 2.00m, 0, 0), (session.Status, session.GrantedSeconds, session.Reserved, session.UsedSeconds, session.LastRequestNumber));
        Assert.Equal(Numbers.TariffOf(Numbers.Uk), session.Tariff);
        Assert.Equal(("44", "United Kingdom"), (session.Prefix, session.Destination));
        Assert.Equal(Now, session.StartTime);
        Assert.Equal(Now.AddSeconds(300 + 600), session.ExpiresAt);
        Assert.Equal(session.ExpiresAt, next.NextExpiry);
        Fixtures.AssertConserved(next);
    }

    [Fact]
    public void A_replayed_authorize_is_decided_without_a_write()
    {
        var first = Rules.Authorize(Account(), Fixtures.Deck(), Request(), Now);

        var replay = Rules.Authorize(first.Next!, Fixtures.Deck(), Request(), Now.AddSeconds(30));

        Assert.Null(replay.Next);
        Assert.Equal(first.Answer, replay.Answer);
    }

    [Fact]
    public void Interim_and_terminate_replays_are_decided_without_a_write()
    {
        var account = Rules.Authorize(Account(), Fixtures.Deck(), Request(), Now).Next!;
        var interim = Rules.Interim(account, new InterimRequest("call-1", 1, 60, 60), Now);
        var terminate = Rules.Terminate(interim.Next!, new TerminateRequest("call-1", 2, 10), Now);

        var interimReplay = Rules.Interim(interim.Next!, new InterimRequest("call-1", 1, 60, 60), Now);
        var terminateReplay = Rules.Terminate(terminate.Next!, new TerminateRequest("call-1", 2, 10), Now);

        Assert.Null(interimReplay.Next);
        Assert.Equal(interim.Answer, interimReplay.Answer);
        Assert.Null(terminateReplay.Next);
        Assert.Equal(terminate.Answer, terminateReplay.Answer);
        Assert.Equal(2.00m, terminate.Answer!.Charge);
        Fixtures.AssertConserved(terminate.Next!);
    }

    [Fact]
    public void The_sweep_changes_nothing_until_a_reservation_expires()
    {
        var account = Rules.Authorize(Account(), Fixtures.Deck(), Request(), Now).Next!;

        Assert.Null(Rules.ReleaseExpired(account, Now.AddSeconds(899)));
        var swept = Rules.ReleaseExpired(account, Now.AddSeconds(900))!;

        Assert.Equal(SessionStatus.Expired, swept.Sessions["call-1"].Status);
        Assert.Equal(0m, swept.Reserved);
        Assert.Equal(Now.AddSeconds(900) + TimeSpan.FromDays(2), swept.NextExpiry); // when the expired session is dropped
        Assert.Null(Rules.ReleaseExpired(swept, Now.AddDays(1)));
        Fixtures.AssertConserved(swept);
    }

    [Fact]
    public void Default_options_are_valid_and_each_bad_option_is_named()
    {
        Assert.Empty(new CreditControlOptions().Validate());

        var errors = new CreditControlOptions { DefaultQuotaSeconds = 0, ValiditySeconds = 0, GraceSeconds = -1 }.Validate();
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("DefaultQuotaSeconds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ValiditySeconds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("GraceSeconds", StringComparison.Ordinal));
        Assert.Empty(new AccountWriteOptions().Validate());
        Assert.Contains(new AccountWriteOptions { MaxConcurrencyRetries = 0 }.Validate(), e => e.Contains("CreditControl:MaxConcurrencyRetries", StringComparison.Ordinal));
        Assert.Contains(new CreditControlOptions { DefaultQuotaSeconds = 600, MaxQuotaSeconds = 300 }.Validate(), e => e.Contains("MaxQuotaSeconds", StringComparison.Ordinal));
    }
}
