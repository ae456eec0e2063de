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
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var sink = new HeldSink();
        var alerts = new InMemoryAlertStore();
        var monitoring = new MonitoringService(new InMemoryMonitorStore(), alerts, sink, h.Admin, h.Clock);
        var settings = Fixtures.Postpaid(100m, hard: false) with { Monitoring = new MonitoringSettings([0.5m, 0.8m], 0.5m) };
        await h.OpenAsync("slow-sink", settings, 0m);
        Assert.Equal(Core.CreditControl.ResultCode.Success, (await h.AuthorizeAsync("slow-sink", "slow-sink-call", "+447700900123", 3600)).Answer!.ResultCode);
        Assert.Equal(60m, (await h.TerminateAsync("slow-sink-call", 1, 3600)).Answer!.Charge); // 60 of 100: past 0.5, the suspendAt

        var judged = monitoring.HandleAsync([await h.StateAsync("slow-sink")], default);
        await sink.Entered.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(AccountStatus.Suspended, (await h.StateAsync("slow-sink")).Status);

        sink.Release();
        await judged.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(await alerts.ListAsync("slow-sink", 10, default), a => a.Type == AlertType.ThresholdReached);
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
