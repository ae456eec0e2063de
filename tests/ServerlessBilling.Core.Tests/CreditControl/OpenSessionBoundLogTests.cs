using Microsoft.Extensions.Logging;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>An authorize refused at the open-session bound is logged, so that an operator can tell it from credit spent.</summary>
public sealed class OpenSessionBoundLogTests
{
    [Fact]
    public async Task A_refusal_at_the_open_session_bound_is_a_warning_naming_the_account_and_the_setting_once_a_minute()
    {
        // A refusal at CreditControl:MaxOpenSessionsPerAccount is answered CREDIT_LIMIT_REACHED while credit is left, and
        // nothing was logged: an operator could not tell why an account's calls were refused.
        var logger = new ListLogger<CreditControlService>(LogLevel.Warning);
        var h = new CreditControlHarness(
            new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), new CreditControlOptions { MaxOpenSessionsPerAccount = 2 }, logger: logger);
        await h.OpenAsync("bound", Fixtures.Prepaid(), 100m);
        await h.OpenAsync("spent", Fixtures.Prepaid(), 0m);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("bound", "b-1")).Answer!.ResultCode);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("bound", "b-2")).Answer!.ResultCode);

        Assert.Equal(ResultCode.CreditLimitReached, (await h.AuthorizeAsync("bound", "b-3")).Answer!.ResultCode);
        Assert.Equal(ResultCode.CreditLimitReached, (await h.AuthorizeAsync("bound", "b-4")).Answer!.ResultCode);
        Assert.Equal(ResultCode.CreditLimitReached, (await h.AuthorizeAsync("spent", "s-1")).Answer!.ResultCode); // credit spent: not the bound

        var warning = Assert.Single(logger.Lines);
        Assert.Equal(LogLevel.Warning, warning.Level);
        foreach (var part in new[] { "session b-3", "account bound", "2 open sessions", "CreditControl:MaxOpenSessionsPerAccount (2)" })
        {
            Assert.Contains(part, warning.Message, StringComparison.Ordinal);
        }

        // At most once a minute per account: a switch retrying at call rate does not flood the log.
        h.Clock.Advance(TimeSpan.FromMinutes(1)); // CreditControlService.OpenSessionBoundWarningInterval
        Assert.Equal(ResultCode.CreditLimitReached, (await h.AuthorizeAsync("bound", "b-5")).Answer!.ResultCode);
        Assert.Equal(2, logger.Lines.Count);
        Assert.Contains("session b-5", logger.Lines[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_table_of_accounts_warned_about_keeps_no_more_than_its_bound_and_drops_what_is_past_the_interval()
    {
        // The table of when each account was last warned about was never pruned: every account ever refused at the bound
        // stayed in it for the life of the process, long after its entry could hold a warning back.
        var logger = new ListLogger<CreditControlService>(LogLevel.Warning);
        var h = new CreditControlHarness(
            new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), new CreditControlOptions { MaxOpenSessionsPerAccount = 1 }, logger: logger);
        async Task RefuseAsync(string account)
        {
            await h.OpenAsync(account, Fixtures.Prepaid(), 100m);
            Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync(account, account + "-1")).Answer!.ResultCode);
            Assert.Equal(DenialReasons.OpenSessions, (await h.AuthorizeAsync(account, account + "-2")).Answer!.Reason);
        }

        for (var i = 0; i <= CreditControlService.MaxWarnedAccounts; i++)
        {
            await RefuseAsync($"a{i}");
        }

        // Full of accounts warned within the minute: one more is answered (with its reason) but not logged.
        Assert.Equal(CreditControlService.MaxWarnedAccounts, h.CreditControl.WarnedAccounts);
        Assert.Equal(CreditControlService.MaxWarnedAccounts, logger.Lines.Count);

        // A minute on, those entries hold nothing back: the next account's warning makes room by dropping them.
        h.Clock.Advance(CreditControlService.OpenSessionBoundWarningInterval);
        await RefuseAsync("later");
        Assert.Equal(1, h.CreditControl.WarnedAccounts);
        Assert.Contains("account later", logger.Lines[^1].Message, StringComparison.Ordinal);
    }
}
