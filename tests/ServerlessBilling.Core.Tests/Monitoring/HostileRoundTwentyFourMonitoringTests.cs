using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Monitoring;

/// <summary>
/// Round twenty-four of the hostile review, on a change-feed batch in which one account cannot be judged (its monitor
/// document's partition throttled or unavailable). The batch failed at that account, and the accounts after it in the
/// batch were not judged at all: with the batch delivered again until it succeeds, an account whose monitoring store
/// stays away held back every other account's alerts and suspension in its batch. Each account is judged, then the fault
/// fails the batch.
/// </summary>
public sealed class HostileRoundTwentyFourMonitoringTests
{
    [Fact]
    public async Task An_account_that_cannot_be_judged_holds_back_no_other_account_of_the_batch()
    {
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var monitors = new OneAccountFailsMonitorStore(new InMemoryMonitorStore());
        var alerts = new InMemoryAlertStore();
        var monitoring = new MonitoringService(monitors, alerts, new NoAlertSink(), h.Admin, h.Clock);
        foreach (var account in new[] { "mon-poisoned", "mon-healthy" })
        {
            await h.OpenAsync(account, Fixtures.Postpaid(100m, hard: false), 0m);
            Assert.Equal(Core.CreditControl.ResultCode.Success, (await h.AuthorizeAsync(account, $"{account}-call", "+447700900123", 3600)).Answer!.ResultCode);
            Assert.Equal(60m, (await h.TerminateAsync($"{account}-call", 1, 3600)).Answer!.Charge); // 60 of 100: the 50 % threshold
        }

        monitors.Fail("mon-poisoned");
        var batch = new[] { await h.StateAsync("mon-poisoned"), await h.StateAsync("mon-healthy") };
        await Assert.ThrowsAsync<StoreUnavailableException>(() => monitoring.HandleAsync(batch, default));

        var raised = await alerts.ListAsync("mon-healthy", 10, default);
        Assert.Equal([0.5m], raised.Where(a => a.Type == AlertType.ThresholdReached).Select(a => a.Threshold));

        // Delivered again once the store is back: the other account's alert is not raised twice.
        monitors.Fail(null);
        await monitoring.HandleAsync(batch, default);
        Assert.Single(await alerts.ListAsync("mon-healthy", 10, default), a => a.Type == AlertType.ThresholdReached);
        Assert.Single(await alerts.ListAsync("mon-poisoned", 10, default), a => a.Type == AlertType.ThresholdReached);
    }

    private sealed class OneAccountFailsMonitorStore(IMonitorStore inner) : IMonitorStore
    {
        private volatile string? _failing;

        public void Fail(string? accountId) => _failing = accountId;

        public Task<Versioned<MonitorState>?> GetAsync(string accountId, CancellationToken cancellationToken) =>
            accountId == _failing
                ? throw new StoreUnavailableException($"monitor of '{accountId}' cannot be read (injected)") { Store = "monitor store" }
                : inner.GetAsync(accountId, cancellationToken);

        public Task<string?> TryCreateAsync(MonitorState state, CancellationToken cancellationToken) => inner.TryCreateAsync(state, cancellationToken);

        public Task<string?> TryReplaceAsync(MonitorState state, string ifMatch, CancellationToken cancellationToken) => inner.TryReplaceAsync(state, ifMatch, cancellationToken);
    }
}
