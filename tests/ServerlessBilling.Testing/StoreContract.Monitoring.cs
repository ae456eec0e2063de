using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Monitoring;

namespace ServerlessBilling.Testing;

/// <summary>What every <see cref="Core.Storage.IAlertStore"/> and <see cref="Core.Storage.IMonitorStore"/> must do.</summary>
public abstract partial class StoreContract
{
    private static Alert NewAlert(string account, string id, DateTimeOffset raisedAt) =>
        new(id, account, AlertType.ThresholdReached, 0.8m, 80m, 100m, raisedAt, "80% of the credit limit", "GBP");

    /// <summary>
    /// Suspend and resume cycles before monitoring looks: the lifted suspensions the document keeps (the newest, bounded)
    /// come back through the store as written, reasons included, and each is alerted once.
    /// </summary>
    [Fact]
    public async Task Lifted_suspensions_kept_by_the_document_come_back_through_the_store_and_are_each_alerted_once()
    {
        var harness = NewHarness();
        var account = await harness.OpenAsync(NewId("flap"), Fixtures.Postpaid(1000m, hard: false, NewId("deck")), 0m);
        var cycles = AccountState.EarlierLiftedSuspensionsKept + 2;
        for (var i = 0; i < cycles; i++)
        {
            harness.Clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Null((await harness.Admin.SuspendAsync(account, $"cycle {i} " + new string('x', 480), byPolicy: false, default)).Error);
            harness.Clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Null((await harness.Admin.ResumeAsync(account, default)).Error);
        }

        var read = await harness.StateAsync(account);
        Assert.Equal(AccountState.EarlierLiftedSuspensionsKept, read.EarlierLiftedSuspensions!.Count);
        Assert.StartsWith("cycle 1 ", read.EarlierLiftedSuspensions[0].Reason, StringComparison.Ordinal);
        Assert.StartsWith($"cycle {cycles - 2} ", read.EarlierLiftedSuspensions[^1].Reason, StringComparison.Ordinal);
        Assert.StartsWith($"cycle {cycles - 1} ", read.LiftedSuspensionReason, StringComparison.Ordinal);

        var monitoring = new MonitoringService(Stores.Monitors, Stores.Alerts, new NoAlertSink(), harness.Admin, harness.Clock);
        await monitoring.HandleAsync([read], default);
        await monitoring.HandleAsync([await harness.StateAsync(account)], default);
        var suspended = (await Stores.Alerts.ListAsync(account, 100, default)).Where(a => a.Type == AlertType.AccountSuspended).ToList();
        Assert.Equal(AccountState.EarlierLiftedSuspensionsKept + 1, suspended.Count);
    }

    /// <summary>
    /// A busy account's later calls push an overrun session out of its document (the count of closed sessions kept)
    /// before monitoring first sees it, as a change feed showing only the newest version does: the document keeps a
    /// note of it through the store, and the overrun is alerted from that version, once.
    /// </summary>
    [Fact]
    public async Task An_overrun_pushed_out_of_the_document_by_later_calls_is_alerted_from_the_newest_version_once()
    {
        var harness = NewHarness(new CreditControlOptions { ClosedSessionsKept = 3 });
        var account = await harness.OpenAsync(NewId("over"), Fixtures.Postpaid(1000m, hard: true, NewId("deck")), 0m);
        var run = NewId("s");
        await harness.AuthorizeAsync(account, $"{run}-over", "+447700900123", 60);
        Assert.Equal(540, (await harness.TerminateAsync($"{run}-over", 1, 600)).Answer!.OverrunSeconds);
        for (var i = 0; i < 5; i++)
        {
            await harness.AuthorizeAsync(account, $"{run}-{i}", "+447700900123", 60);
            await harness.TerminateAsync($"{run}-{i}", 1, 30);
        }

        var newest = await harness.StateAsync(account);
        Assert.False(newest.Sessions.ContainsKey($"{run}-over"));
        var note = Assert.Single(newest.PastOverruns!);
        Assert.Equal(($"{run}-over", 540, 600, 600), (note.SessionId, note.OverrunSeconds, note.ReportedSeconds, note.UsedSeconds));

        var monitoring = new MonitoringService(Stores.Monitors, Stores.Alerts, new NoAlertSink(), harness.Admin, harness.Clock);
        await monitoring.HandleAsync([newest], default);
        await monitoring.HandleAsync([await harness.StateAsync(account)], default);
        var overrun = Assert.Single(await Stores.Alerts.ListAsync(account, 100, default), a => a.Type == AlertType.GrantOverrun);
        Assert.Contains($"session '{run}-over' reported 540 s beyond its grants", overrun.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_alert_is_created_once_and_found_only_under_its_account()
    {
        var account = NewId("acc");
        var alert = NewAlert(account, NewId("alert"), Fixtures.Now);
        Assert.True(await Stores.Alerts.TryCreateAsync(alert, default));
        Assert.False(await Stores.Alerts.TryCreateAsync(alert with { Message = "again" }, default));

        Assert.Equal(alert, await Stores.Alerts.FindAsync(account, alert.AlertId, default));
        Assert.Null(await Stores.Alerts.FindAsync(NewId("other"), alert.AlertId, default));
    }

    [Fact]
    public async Task Alerts_list_newest_first_then_by_id_per_account_or_for_all_up_to_the_limit()
    {
        var account = NewId("acc");
        var tag = NewId("alert");
        Alert[] alerts =
        [
            NewAlert(account, $"{tag}-old", Fixtures.Now.AddMinutes(-5)),
            NewAlert(account, $"{tag}-b", Fixtures.Now),
            NewAlert(account, $"{tag}-a", Fixtures.Now),
            NewAlert(NewId("acc"), $"{tag}-other", Fixtures.Now.AddMinutes(1)),
        ];
        foreach (var alert in alerts)
        {
            await Stores.Alerts.TryCreateAsync(alert, default);
        }

        Assert.Equal([$"{tag}-a", $"{tag}-b", $"{tag}-old"], (await Stores.Alerts.ListAsync(account, 100, default)).Select(a => a.AlertId));
        Assert.Equal([$"{tag}-a"], (await Stores.Alerts.ListAsync(account, 1, default)).Select(a => a.AlertId));
        var all = (await Stores.Alerts.ListAsync(null, 10_000, default)).Where(a => a.AlertId.StartsWith(tag, StringComparison.Ordinal));
        Assert.Equal([$"{tag}-other", $"{tag}-a", $"{tag}-b", $"{tag}-old"], all.Select(a => a.AlertId));
    }

    [Fact]
    public async Task A_monitor_document_is_replaced_only_with_its_current_etag()
    {
        var account = NewId("acc");
        var figures = new SpendFigures(1m, 2m, 3m, null, 2m, 100m, 0.02m, "ok");
        var state = new MonitorState(account, 1, figures, Fixtures.Now, ["a-1"]);
        var first = await Stores.Monitors.TryCreateAsync(state, default);
        Assert.NotNull(first);
        Assert.Null(await Stores.Monitors.TryCreateAsync(state with { Revision = 9 }, default));

        var second = await Stores.Monitors.TryReplaceAsync(state with { Revision = 2, Raised = ["a-1", "a-2"] }, first, default);
        Assert.NotNull(second);
        Assert.Null(await Stores.Monitors.TryReplaceAsync(state with { Revision = 3 }, first, default));

        var read = await Stores.Monitors.GetAsync(account, default);
        Assert.NotNull(read);
        Assert.Equal((second, 2L, figures), (read.ETag, read.Value.Revision, read.Value.Figures));
        Assert.Equal(["a-1", "a-2"], read.Value.Raised);
        Assert.Null(await Stores.Monitors.GetAsync(NewId("none"), default));
    }
}
