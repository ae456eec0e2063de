using System.Globalization;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Monitoring;

/// <summary>Spend monitoring over the in-memory stores, fed the account documents the way the change feed is.</summary>
public sealed class MonitoringTests
{
    private readonly InMemoryAlertStore _alerts = new();
    private readonly InMemoryMonitorStore _monitors = new();
    private readonly RecordingSink _sink = new();

    [Fact]
    public async Task The_seed_case_a_5000_limit_with_12000_spent_in_a_week_raises_velocity_well_before_the_limit_and_each_threshold_once()
    {
        var h = NewHarness(out var monitoring);
        var account = await h.OpenAsync("runaway", Fixtures.Postpaid(5000m, hard: false), 0m);
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero); // a whole week inside one billing period
        h.Clock.SetUtcNow(start);
        var firstVelocityAt = -1m;
        var versions = new List<AccountState>();

        // 12,000 GBP of calls spread over one week, one batch of CDRs per simulated hour, judged after each.
        for (var hour = 0; hour < 7 * 24; hour++)
        {
            var csv = new System.Text.StringBuilder("cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\n");
            for (var i = 0; i < 12; i++)
            {
                // 1.00/min 60/60: 595 s bills 600 s = 10.00 GBP; 12 calls an hour ≈ 71.43/h ≈ 12,000 a week.
                csv.Append(CultureInfo.InvariantCulture, $"r-{hour}-{i},{account},+441234,+447700900123,{start.AddHours(hour).AddMinutes(i):O},595,ANSWERED,\n");
            }

            h.Clock.SetUtcNow(start.AddHours(hour + 1));
            await h.IngestCsvAsync(csv.ToString());
            var state = await h.StateAsync(account);
            versions.Add(state);
            await monitoring.HandleAsync([state], default);
            if (firstVelocityAt < 0m && (await _alerts.ListAsync(account, 100, default)).Any(a => a.Type == AlertType.VelocityAnomaly))
            {
                firstVelocityAt = state.PeriodSpend;
            }
        }

        var alerts = await _alerts.ListAsync(account, 100, default);
        Assert.Equal([0.5m, 0.8m, 1.0m], alerts.Where(a => a.Type == AlertType.ThresholdReached).Select(a => a.Threshold!.Value).Order());
        Assert.Contains(alerts, a => a.Type == AlertType.VelocityAnomaly);
        Assert.InRange(firstVelocityAt, 1m, 2500m); // well before the limit: within the first half of it
        Assert.Equal(alerts.Count, _sink.Published.Count);
        var half = alerts.Single(a => a.Type == AlertType.ThresholdReached && a.Threshold == 0.5m).Message;
        Assert.Matches(@"^spend this period \d+\.\d{2} GBP reached 50% of the credit limit 5000\.00 GBP$", half);

        // The feed delivered again, in any order, raises nothing more.
        await monitoring.HandleAsync(versions.AsEnumerable().Reverse(), default);
        foreach (var version in versions)
        {
            await monitoring.HandleAsync([version], default);
        }

        Assert.Equal(alerts.Count, (await _alerts.ListAsync(account, 100, default)).Count);
        Assert.Equal(alerts.Count, _sink.Published.Count);
    }

    [Fact]
    public async Task A_steady_customer_growing_10_percent_a_month_raises_no_velocity_alert()
    {
        var h = NewHarness(out var monitoring);
        var account = await h.OpenAsync("steady", Fixtures.Postpaid(5000m, hard: false), 0m);
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        h.Clock.SetUtcNow(start);
        for (var day = 0; day < 35; day++)
        {
            // About 2,400 a month (half the limit), growing 10% a month: one CDR a day of the day's spend.
            var daily = 80m * (decimal)Math.Pow(1.1, day / 30.0);
            var seconds = (int)(daily * 60m); // 1.00/min
            h.Clock.SetUtcNow(start.AddDays(day + 1));
            await h.IngestCsvAsync($"""
                cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id
                s-{day},{account},+441234,+447700900123,{start.AddDays(day).AddHours(10):O},{seconds},ANSWERED,
                """);
            await monitoring.HandleAsync([await h.StateAsync(account)], default);
        }

        Assert.DoesNotContain(await _alerts.ListAsync(account, 100, default), a => a.Type == AlertType.VelocityAnomaly);
    }

    [Fact]
    public async Task A_hard_limit_account_crossing_its_limit_through_terminates_alone_raises_the_full_threshold()
    {
        var h = NewHarness(out var monitoring);
        var account = await h.OpenAsync("hard", Fixtures.Postpaid(10m, hard: true), 0m);
        for (var i = 0; i < 20 && (await h.StateAsync(account)).PeriodSpend < 10m; i++)
        {
            var grant = (await h.AuthorizeAsync(account, $"call-{i}", "+447700900123", 300)).Answer!;
            if (grant.ResultCode != ResultCode.Success)
            {
                break;
            }

            await h.TerminateAsync($"call-{i}", 1, grant.GrantedSeconds);
            await monitoring.HandleAsync([await h.StateAsync(account)], default);
        }

        var alerts = await _alerts.ListAsync(account, 100, default);
        Assert.Contains(alerts, a => a is { Type: AlertType.ThresholdReached, Threshold: 1.0m });
    }

    [Fact]
    public async Task Suspension_by_policy_denies_new_calls_and_ends_running_ones_until_an_operator_resumes()
    {
        var h = NewHarness(out var monitoring);
        var settings = Fixtures.Postpaid(5m, hard: false) with { Monitoring = new MonitoringSettings([0.5m, 1.0m], SuspendAt: 1.0m) };
        var account = await h.OpenAsync("policy", settings, 0m);
        var running = (await h.AuthorizeAsync(account, "running", "+447700900123", 60)).Answer!;
        Assert.Equal(ResultCode.Success, running.ResultCode);
        await h.AuthorizeAsync(account, "big", "+447700900123", 600);
        await h.TerminateAsync("big", 1, 360); // 6.00 > 5.00

        await monitoring.HandleAsync([await h.StateAsync(account)], default);
        var suspended = await h.StateAsync(account);
        Assert.Equal(AccountStatus.Suspended, suspended.Status);
        await monitoring.HandleAsync([suspended], default);
        Assert.Contains(await _alerts.ListAsync(account, 100, default), a => a.Type == AlertType.AccountSuspended);

        Assert.Equal(ResultCode.AccountSuspended, (await h.AuthorizeAsync(account, "new", "+447700900123", 60)).Answer!.ResultCode);
        var interim = (await h.InterimAsync("running", 1, 30, 60)).Answer!;
        Assert.Equal((ResultCode.AccountSuspended, 0, true), (interim.ResultCode, interim.GrantedSeconds, interim.FinalUnit));

        Assert.Null((await h.Admin.ResumeAsync(account, default)).Error);
        await monitoring.HandleAsync([await h.StateAsync(account)], default);
        Assert.Equal(AccountStatus.Active, (await h.StateAsync(account)).Status); // the operator's word stands this period
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync(account, "after", "+447700900123", 60)).Answer!.ResultCode);
    }

    /// <summary>
    /// Monitoring sees the latest version of an account: the document held only the suspension the last resume lifted, so
    /// of several suspend and resume cycles between two passes only the last was alerted. The document keeps the ones
    /// before it too (a bounded few), and each is alerted once.
    /// </summary>
    [Fact]
    public async Task Each_suspension_lifted_between_two_passes_is_alerted_once()
    {
        var h = NewHarness(out var monitoring);
        var account = await h.OpenAsync("blinker", Fixtures.Postpaid(100m, hard: false), 0m);
        await monitoring.HandleAsync([await h.StateAsync(account)], default);

        await CyclesAsync(h, account, 3, "check");
        await monitoring.HandleAsync([await h.StateAsync(account)], default);
        await CyclesAsync(h, account, 1, "again");
        await monitoring.HandleAsync([await h.StateAsync(account)], default);

        var messages = (await _alerts.ListAsync(account, 100, default)).Where(a => a.Type == AlertType.AccountSuspended).Select(a => a.Message).Order();
        Assert.Equal(["account suspended: again 0", "account suspended: check 0", "account suspended: check 1", "account suspended: check 2"], messages);
        Assert.Equal(4, _sink.Published.Count(a => a.Type == AlertType.AccountSuspended));
    }

    [Fact]
    public async Task The_document_keeps_a_bounded_number_of_lifted_suspensions_the_newest()
    {
        var h = NewHarness(out var monitoring);
        var account = await h.OpenAsync("flapper", Fixtures.Postpaid(100m, hard: false), 0m);

        await CyclesAsync(h, account, AccountState.EarlierLiftedSuspensionsKept + 5, "cycle");
        var state = await h.StateAsync(account);
        await monitoring.HandleAsync([state], default);

        Assert.Equal(AccountState.EarlierLiftedSuspensionsKept, state.EarlierLiftedSuspensions!.Count);
        var alerted = (await _alerts.ListAsync(account, 100, default)).Where(a => a.Type == AlertType.AccountSuspended).ToList();
        Assert.Equal(AccountState.EarlierLiftedSuspensionsKept + 1, alerted.Count);
        Assert.DoesNotContain(alerted, a => a.Message == "account suspended: cycle 3");
        Assert.Contains(alerted, a => a.Message == "account suspended: cycle 4");
        var stored = System.Text.Json.JsonSerializer.Deserialize<AccountState>(System.Text.Json.JsonSerializer.Serialize(state, Core.Storage.StoredJson.Options), Core.Storage.StoredJson.Options)!;
        Assert.Equal(state.EarlierLiftedSuspensions, stored.EarlierLiftedSuspensions);
    }

    private static async Task CyclesAsync(CreditControlHarness h, string account, int count, string reason)
    {
        for (var i = 0; i < count; i++)
        {
            h.Clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Null((await h.Admin.SuspendAsync(account, $"{reason} {i}", byPolicy: false, default)).Error);
            h.Clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Null((await h.Admin.ResumeAsync(account, default)).Error);
        }
    }

    [Fact]
    public async Task A_pre_paid_account_is_warned_as_its_last_credit_runs_out()
    {
        var h = NewHarness(out var monitoring);
        var account = await h.OpenAsync("pre", Fixtures.Prepaid(), 0m);
        await h.Admin.TopUpAsync(new TopUpRequest(account, "t-1", 10m), default);
        await h.AuthorizeAsync(account, "c-1", "+447700900123", 600);
        await h.TerminateAsync("c-1", 1, 540); // 9.00 of 10.00

        await monitoring.HandleAsync([await h.StateAsync(account)], default);

        var thresholds = (await _alerts.ListAsync(account, 100, default)).Where(a => a.Type == AlertType.ThresholdReached).Select(a => a.Threshold).ToList();
        Assert.Equal([0.5m, 0.8m], thresholds.Order());
    }

    [Fact]
    public async Task Use_reported_beyond_the_grant_raises_an_overrun_alert_once()
    {
        var h = NewHarness(out var monitoring);
        var account = await h.OpenAsync("over", Fixtures.Postpaid(1000m, hard: true), 0m);
        await h.AuthorizeAsync(account, "c-1", "+447700900123", 60);
        await h.TerminateAsync("c-1", 1, 600);

        await monitoring.HandleAsync([await h.StateAsync(account)], default);
        await monitoring.HandleAsync([await h.StateAsync(account)], default);

        var overrun = Assert.Single(await _alerts.ListAsync(account, 100, default), a => a.Type == AlertType.GrantOverrun);
        Assert.Contains("540 s beyond", overrun.Message, StringComparison.Ordinal);
    }

    private CreditControlHarness NewHarness(out MonitoringService monitoring)
    {
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        monitoring = new MonitoringService(_monitors, _alerts, _sink, h.Admin, h.Clock);
        return h;
    }

    private sealed class RecordingSink : Core.Storage.IAlertSink
    {
        public List<Alert> Published { get; } = [];

        public Task PublishAsync(Alert alert, CancellationToken cancellationToken)
        {
            lock (Published)
            {
                Published.Add(alert);
            }

            return Task.CompletedTask;
        }
    }

    [Theory]
    [InlineData("90.0000", "90.00")]
    [InlineData("0.178", "0.178")]
    [InlineData("-0.0140", "-0.014")]
    [InlineData("5000", "5000.00")]
    [InlineData("0.00001", "0.00001")]
    public void Amounts_in_alert_messages_show_two_decimals_at_least_and_no_trailing_zeros_beyond(string amount, string shown) =>
        Assert.Equal(shown, MonitorRules.Shown(decimal.Parse(amount, CultureInfo.InvariantCulture)));
}
