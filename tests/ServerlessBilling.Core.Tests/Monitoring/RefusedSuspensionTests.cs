using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Monitoring;

/// <summary>
/// A suspension by policy whose write the account store refuses for good (Cosmos DB's 413, a document over 2 MB) failed
/// the judgment as a passing fault does, so the feed's batch failed. The SpendMonitor trigger retries a failed batch
/// without end: every account of that lease range went unmonitored for good, for a write that no retry can make.
/// </summary>
public sealed class RefusedSuspensionTests
{
    [Fact]
    public async Task A_suspension_the_store_refuses_for_good_fails_no_batch_and_its_alerts_are_raised()
    {
        var store = new RefusingAccountStore(new InMemoryAccountStore());
        var h = new CreditControlHarness(store, new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var policy = Fixtures.Postpaid(100m, hard: false) with { Monitoring = new MonitoringSettings([0.5m, 1.0m], 1.0m) };
        await h.OpenAsync("runaway", policy, 0m);
        await h.OpenAsync("quiet", Fixtures.Postpaid(100m, hard: false), 0m);
        var at = Fixtures.Now.AddHours(-2).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        await h.IngestCsvAsync($"{Fixtures.CdrHeader}\nr-1,runaway,+441234,+447700900123,{at},6000,ANSWERED,\n");
        var alerts = new InMemoryAlertStore();
        var monitors = new InMemoryMonitorStore();
        var monitoring = new MonitoringService(monitors, alerts, new NoAlertSink(), h.Admin, h.Clock);

        store.Refused = "runaway";
        await monitoring.HandleAsync([await h.StateAsync("runaway"), await h.StateAsync("quiet")], default);

        Assert.Equal(AccountStatus.Active, (await h.StateAsync("runaway")).Status);
        Assert.Equal(2, (await alerts.ListAsync("runaway", 10, default)).Count(a => a.Type == AlertType.ThresholdReached));
        Assert.NotNull(await monitors.GetAsync("runaway", default));
        Assert.NotNull(await monitors.GetAsync("quiet", default));

        // Once the store takes the write again, the account's next version is suspended as the policy says.
        store.Refused = null;
        await h.IngestCsvAsync($"{Fixtures.CdrHeader}\nr-2,runaway,+441234,+447700900123,{at},60,ANSWERED,\n");
        await monitoring.HandleAsync([await h.StateAsync("runaway")], default);
        Assert.Equal(AccountStatus.Suspended, (await h.StateAsync("runaway")).Status);
    }
}
