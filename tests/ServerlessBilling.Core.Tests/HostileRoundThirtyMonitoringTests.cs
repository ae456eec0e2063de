using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests;

/// <summary>
/// Round thirty of the hostile review, on spend monitoring: how fast a policy suspension lands when the alert sink is slow.
/// </summary>
public sealed class HostileRoundThirtyMonitoringTests
{
    /// <summary>
    /// Monitoring published an account's alerts one after the other and only then wrote its policy suspension. The local
    /// host's webhook sink retries an alert for up to 15 s when the webhook is down (3 attempts of a 5 s timeout; up to
    /// 10 attempts by setting), so an account whose spend had reached its suspendAt kept being granted calls for a quarter
    /// of a minute per alert raised with it (thresholds, velocity): the suspension that stops the loss waited on a
    /// best-effort notification. The suspension is written first.
    /// </summary>
    [Fact]
    public async Task A_policy_suspension_does_not_wait_for_a_slow_alert_sink()
    {
        var h = await PastSuspendAtAsync(new InMemoryAccountStore(), "slow-sink");
        var sink = new HeldSink();
        var alerts = new InMemoryAlertStore();
        var monitoring = new MonitoringService(new InMemoryMonitorStore(), alerts, sink, h.Admin, h.Clock);

        var judged = monitoring.HandleAsync([await h.StateAsync("slow-sink")], default);
        await sink.Entered.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(AccountStatus.Suspended, (await h.StateAsync("slow-sink")).Status);

        sink.Release();
        await judged.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(await alerts.ListAsync("slow-sink", 10, default), a => a.Type == AlertType.ThresholdReached);
    }

    /// <summary>
    /// A velocity alert is once per window per billing period (docs/api.md), its share of the limit taken over the whole
    /// period, parts together. Its id named the part, though: a post-paid account that ran away (all three windows raised)
    /// and was switched to pre-paid and back within minutes (an operator cutting it off, then undoing it) raised the three
    /// velocity alerts again in the new part, for the same spend in the same windows of the same month.
    /// </summary>
    [Fact]
    public async Task A_velocity_alert_is_not_raised_again_by_the_parts_a_change_of_mode_makes()
    {
        static DateTimeOffset Utc(int day, int hour, int minute = 0) => new(2026, 11, day, hour, minute, 0, TimeSpan.Zero);
        var h = InvoicingHarness.InMemory(Utc(27, 10));
        var postpaid = Fixtures.Postpaid(1_000m, hard: false);
        var account = await h.OpenAsync("velocity-parts", postpaid, 0m);
        for (var hour = 11; hour <= 20; hour++)
        {
            h.Core.Clock.SetUtcNow(Utc(28, hour));
            Assert.Equal(Core.CreditControl.ResultCode.Success, (await h.Core.AuthorizeAsync(account, $"vp-{hour}", "+441234567")).Answer!.ResultCode);
            h.Core.Clock.SetUtcNow(Utc(28, hour, 59));
            Assert.Equal(60m, (await h.Core.TerminateAsync($"vp-{hour}", 1, 3_600)).Answer!.Charge);
        }

        var first = MonitorRules.Judge(await h.Core.StateAsync(account), h.Core.Clock.GetUtcNow());
        var raised = first.Alerts.Select(a => a.AlertId).ToList();
        Assert.Equal(3, first.Alerts.Count(a => a.Type == AlertType.VelocityAnomaly));

        h.Core.Clock.SetUtcNow(Utc(28, 21));
        Assert.Null((await h.Core.Admin.UpsertAsync(account, Fixtures.Prepaid() with { Name = postpaid.Name }, 0m, default)).Error);
        h.Core.Clock.SetUtcNow(Utc(28, 21, 5));
        Assert.Null((await h.Core.Admin.UpsertAsync(account, postpaid, 0m, default)).Error);

        var state = await h.Core.StateAsync(account);
        Assert.Equal("2026-11.03", state.PeriodLabel);
        var again = MonitorRules.Judge(state, h.Core.Clock.GetUtcNow(), raised);
        Assert.DoesNotContain(again.Alerts, a => a.Type == AlertType.VelocityAnomaly);
    }

    /// <summary>A post-paid account of 100 GBP with a suspendAt of 0.5 (thresholds 0.5, 0.8) that has spent 60 in one call.</summary>
    internal static async Task<CreditControlHarness> PastSuspendAtAsync(IAccountStore store, string accountId)
    {
        var h = new CreditControlHarness(store, new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var settings = Fixtures.Postpaid(100m, hard: false) with { Monitoring = new MonitoringSettings([0.5m, 0.8m], 0.5m) };
        await h.OpenAsync(accountId, settings, 0m);
        Assert.Equal(Core.CreditControl.ResultCode.Success, (await h.AuthorizeAsync(accountId, accountId + "-call", "+447700900123", 3600)).Answer!.ResultCode);
        Assert.Equal(60m, (await h.TerminateAsync(accountId + "-call", 1, 3600)).Answer!.Charge);
        return h;
    }

    /// <summary>A sink that holds every publish until released, as a webhook that does not answer does.</summary>
    private sealed class HeldSink : IAlertSink
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        public async Task PublishAsync(Alert alert, CancellationToken cancellationToken)
        {
            _entered.TrySetResult();
            await _released.Task.WaitAsync(cancellationToken);
        }
    }
}
