using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests;

/// <summary>Round thirty-one of the hostile review, on spend monitoring's policy suspension, now written before the alerts.</summary>
public sealed class HostileRoundThirtyOneMonitoringTests
{
    /// <summary>
    /// Round thirty moved the policy suspension before the alerts' publication. A suspension that cannot be written (the
    /// account's partition throttled or unavailable, its document refused) then threw before any alert was published: the
    /// threshold alerts of an account past its limit, which told an operator that it was running away, were held back with
    /// the suspension, for as long as the account could not be written (every retry failed the same way first), where
    /// before they went out at once. They are published whatever the suspension does; the judgment still fails after them,
    /// so that the feed delivers the version again and the suspension is tried again (the alerts, stored, are not repeated).
    /// </summary>
    [Fact]
    public async Task The_alerts_go_out_when_the_policy_suspension_cannot_be_written_and_once_when_it_later_is()
    {
        var store = new FailingAccountStore(new InMemoryAccountStore());
        var h = await HostileRoundThirtyMonitoringTests.PastSuspendAtAsync(store, "unwritable"); // 60 of 100: past 0.5, the suspendAt
        var sink = new CountingSink();
        var monitoring = new MonitoringService(new InMemoryMonitorStore(), new InMemoryAlertStore(), sink, h.Admin, h.Clock);
        var judged = await h.StateAsync("unwritable");

        store.Fail("unwritable");
        await Assert.ThrowsAsync<StoreUnavailableException>(() => monitoring.HandleAsync([judged], default));

        var first = sink.Published;
        Assert.Contains("unwritable:THRESHOLD_REACHED", first);
        Assert.Equal(AccountStatus.Active, (await h.StateAsync("unwritable")).Status);

        // The feed delivers the version again once the account can be written: suspended, the threshold not published again.
        store.Fail(null);
        await monitoring.HandleAsync([judged], default);
        Assert.Equal(AccountStatus.Suspended, (await h.StateAsync("unwritable")).Status);
        Assert.Equal(first, sink.Published);
        await monitoring.HandleAsync([await h.StateAsync("unwritable")], default);
        Assert.Equal([.. first, "unwritable:ACCOUNT_SUSPENDED"], sink.Published);
    }

    private sealed class CountingSink : IAlertSink
    {
        private readonly List<string> _published = [];

        public IReadOnlyList<string> Published
        {
            get
            {
                lock (_published)
                {
                    return [.. _published];
                }
            }
        }

        public Task PublishAsync(Alert alert, CancellationToken cancellationToken)
        {
            lock (_published)
            {
                _published.Add($"{alert.AccountId}:{alert.Type.ToWire()}");
            }

            return Task.CompletedTask;
        }
    }
}
