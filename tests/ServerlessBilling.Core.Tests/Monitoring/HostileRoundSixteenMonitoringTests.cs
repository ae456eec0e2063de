using System.Globalization;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Monitoring;

/// <summary>
/// Round sixteen of the hostile review: suspension by policy racing an operator. Monitoring judges a version of the
/// account that the change feed delivered (on Cosmos DB, up to a poll or more after it was written); meanwhile the
/// operator tops the account up or raises its limit. The suspension is written to the account as it is by then.
/// </summary>
public sealed class HostileRoundSixteenMonitoringTests
{
    private static async Task<(CreditControlHarness Harness, MonitoringService Monitoring)> CreateAsync()
    {
        var harness = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var monitoring = new MonitoringService(new InMemoryMonitorStore(), new InMemoryAlertStore(), new NoAlertSink(), harness.Admin, harness.Clock);
        return (harness, monitoring);
    }

    /// <summary>CDRs of <paramref name="minutes"/> one-minute United Kingdom calls: 1.00 each.</summary>
    private static string UkCalls(string account, int minutes)
    {
        var csv = new System.Text.StringBuilder(Fixtures.CdrHeader + "\n");
        for (var i = 0; i < minutes; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"uk-{i},{account},+441234,+447700900123,{Fixtures.Now.AddMinutes(-30 + i):O},60,ANSWERED,\n");
        }

        return csv.ToString();
    }

    [Fact]
    public async Task A_post_paid_account_whose_limit_was_raised_after_the_version_judged_is_not_suspended()
    {
        // Monitoring suspended by policy on the version it judged, whatever the account had become: an operator who raised
        // the limit on the 100% alert found the account suspended a moment later, and its calls denied.
        var (h, monitoring) = await CreateAsync();
        var settings = Fixtures.Postpaid(5m, hard: false) with { Monitoring = new MonitoringSettings([0.5m, 1.0m], SuspendAt: 1.0m) };
        var account = await h.OpenAsync("raised", settings, 0m);
        await h.IngestCsvAsync(UkCalls(account, 6));
        var judged = await h.StateAsync(account);
        Assert.Null((await h.Admin.UpsertAsync(account, settings with { CreditLimit = 100m }, 0m, default)).Error);

        await monitoring.HandleAsync([judged], default);

        Assert.Equal(AccountStatus.Active, (await h.StateAsync(account)).Status);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync(account, "next", "+447700900123", 60)).Answer!.ResultCode);
    }

    [Fact]
    public async Task A_pre_paid_account_topped_up_after_the_version_judged_is_not_suspended()
    {
        var (h, monitoring) = await CreateAsync();
        var settings = Fixtures.Prepaid() with { Monitoring = new MonitoringSettings([0.5m], SuspendAt: 0.9m) };
        var account = await h.OpenAsync("topped", settings, 10m);
        await h.IngestCsvAsync(UkCalls(account, 10));
        var judged = await h.StateAsync(account);
        Assert.Null((await h.Admin.TopUpAsync(new TopUpRequest(account, "t-1", 50m), default)).Error);

        await monitoring.HandleAsync([judged], default);

        Assert.Equal(AccountStatus.Active, (await h.StateAsync(account)).Status);
    }

    [Fact]
    public async Task A_stale_version_still_suspends_when_the_account_as_it_is_meets_the_policy()
    {
        var (h, monitoring) = await CreateAsync();
        var settings = Fixtures.Postpaid(5m, hard: false) with { Monitoring = new MonitoringSettings([0.5m, 1.0m], SuspendAt: 1.0m) };
        var account = await h.OpenAsync("still", settings, 0m);
        await h.IngestCsvAsync(UkCalls(account, 6));
        var judged = await h.StateAsync(account);
        Assert.Null((await h.Admin.UpsertAsync(account, settings with { Name = "Renamed" }, 0m, default)).Error);

        await monitoring.HandleAsync([judged], default);

        Assert.Equal(AccountStatus.Suspended, (await h.StateAsync(account)).Status);
    }
}
