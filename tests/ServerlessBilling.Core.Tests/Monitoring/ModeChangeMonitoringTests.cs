using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Monitoring;

/// <summary>Spend monitoring on an account whose change of mode split its billing period into parts.</summary>
public sealed class ModeChangeMonitoringTests
{
    // November is GMT in Europe/London: local time and UTC agree.
    private static DateTimeOffset Utc(int day, int hour) => new(2026, 11, day, hour, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Velocity_after_a_late_switch_to_postpaid_is_judged_against_the_month_not_the_short_part()
    {
        // Switched to post-paid (limit 1,000 a month) on the 28th: the part left runs 2.6 days. A window's share of the limit
        // is the limit pro rata over the billing period; taken over the part, it was 11.6 times the month's, and 600 spent
        // in six hours raised nothing, where the same spend in a month not split raises all three windows.
        var postpaid = Fixtures.Postpaid(1_000m, hard: false);
        var split = await SpendAsync("split", switchAt: Utc(28, 10), postpaid);
        var whole = await SpendAsync("whole", switchAt: null, postpaid);

        Assert.Equal(["1h", "24h", "7d"], whole);
        Assert.Equal(whole, split);
    }

    [Fact]
    public async Task A_prepaid_credit_is_alerted_once_across_the_parts_of_a_period()
    {
        // 60 of a 100 credit spent, the 50% alert raised; then post-paid for an hour and pre-paid again: the same credit, the
        // same period, so no second 50% alert (the alert's id named the part, and the new part raised it again).
        var h = InvoicingHarness.InMemory(Utc(10, 9));
        var prepaid = Fixtures.Prepaid();
        var account = await h.OpenAsync("credit", prepaid, 100m);
        h.Core.Clock.SetUtcNow(Utc(10, 10));
        Assert.Equal(ResultCode.Success, (await h.Core.AuthorizeAsync(account, "call", "+441234567")).Answer!.ResultCode);
        Assert.Equal(60m, (await h.Core.TerminateAsync("call", 1, 3_600)).Answer!.Charge);
        var first = MonitorRules.Judge(await h.Core.StateAsync(account), h.Core.Clock.GetUtcNow());
        var raised = first.Alerts.Where(a => a.Type == AlertType.ThresholdReached).Select(a => a.AlertId).ToArray();
        Assert.Single(raised);

        h.Core.Clock.SetUtcNow(Utc(12, 10));
        Assert.Null((await h.Core.Admin.UpsertAsync(account, Fixtures.Postpaid(1_000m, hard: false) with { Name = prepaid.Name }, 0m, default)).Error);
        h.Core.Clock.SetUtcNow(Utc(12, 11));
        Assert.Null((await h.Core.Admin.UpsertAsync(account, prepaid, 0m, default)).Error);

        var state = await h.Core.StateAsync(account);
        Assert.Equal("2026-11.03", state.PeriodLabel);
        var again = MonitorRules.Judge(state, h.Core.Clock.GetUtcNow(), raised);
        Assert.DoesNotContain(again.Alerts, a => a.Type == AlertType.ThresholdReached);
    }

    /// <summary>The velocity windows raised after ten calls of 60.00, one an hour from 11:00 on the 28th.</summary>
    private static async Task<string[]> SpendAsync(string prefix, DateTimeOffset? switchAt, AccountSettings postpaid)
    {
        var h = InvoicingHarness.InMemory(Utc(27, 10));
        var account = await h.OpenAsync(prefix, switchAt is null ? postpaid : Fixtures.Prepaid() with { Name = postpaid.Name }, 0m);
        if (switchAt is { } at)
        {
            h.Core.Clock.SetUtcNow(at);
            Assert.Null((await h.Core.Admin.UpsertAsync(account, postpaid, 0m, default)).Error);
        }

        for (var hour = 11; hour <= 20; hour++)
        {
            h.Core.Clock.SetUtcNow(Utc(28, hour));
            var session = $"{prefix}-{hour}";
            Assert.Equal(ResultCode.Success, (await h.Core.AuthorizeAsync(account, session, "+441234567")).Answer!.ResultCode);
            h.Core.Clock.SetUtcNow(Utc(28, hour).AddMinutes(59));
            Assert.Equal(60m, (await h.Core.TerminateAsync(session, 1, 3_600)).Answer!.Charge);
        }

        var state = await h.Core.StateAsync(account);
        Assert.Equal(600m, state.PeriodSpend);
        return MonitorRules.Judge(state, h.Core.Clock.GetUtcNow()).Alerts
            .Where(a => a.Type == AlertType.VelocityAnomaly)
            .Select(a => a.Message.Split(' ')[4])
            .Order(StringComparer.Ordinal)
            .ToArray();
    }
}
