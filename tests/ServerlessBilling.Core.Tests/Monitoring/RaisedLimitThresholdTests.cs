using System.Globalization;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Monitoring;

/// <summary>
/// A post-paid threshold alert was once per (account, period, threshold): its id held no limit. An operator who raised a
/// limit mid-period (5,000 to 20,000, on its 80% alert) never heard of the spend crossing 80% or 100% of the new limit in
/// that period, since those alerts had the ids of the ones already raised. Each threshold of each limit is now alerted
/// once per period, and a redelivery, a replay or a stale version of the same crossing still raises it once.
/// </summary>
public sealed class RaisedLimitThresholdTests
{
    [Fact]
    public async Task Crossing_a_threshold_of_a_limit_raised_mid_period_is_alerted_once()
    {
        var harness = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var alerts = new InMemoryAlertStore();
        var monitoring = new MonitoringService(new InMemoryMonitorStore(), alerts, new NoAlertSink(), harness.Admin, harness.Clock);
        var settings = Fixtures.Postpaid(10m, hard: false) with { Monitoring = new MonitoringSettings([0.5m, 0.8m, 1.0m], SuspendAt: null) };
        var account = await harness.OpenAsync("raised-limit", settings, 0m);

        await harness.IngestCsvAsync(UkCalls(account, 0, 9)); // 9.00 of 10: 50% and 80%
        await monitoring.HandleAsync([await harness.StateAsync(account)], default);
        Assert.Equal(["0.5 of 10", "0.8 of 10"], await ThresholdsAsync());

        Assert.Null((await harness.Admin.UpsertAsync(account, settings with { CreditLimit = 40m }, 0m, default)).Error);
        var raised = await harness.StateAsync(account);
        await monitoring.HandleAsync([raised], default); // 9.00 of 40: nothing
        Assert.Equal(2, (await ThresholdsAsync()).Count);

        await harness.IngestCsvAsync(UkCalls(account, 9, 24)); // 33.00 of 40: 50% and 80% of the new limit
        var crossed = await harness.StateAsync(account);
        await monitoring.HandleAsync([crossed], default);
        Assert.Equal(["0.5 of 10", "0.5 of 40", "0.8 of 10", "0.8 of 40"], await ThresholdsAsync());

        // The same crossing again: redelivered, replayed after an older version, judged afresh; each alert stays one.
        await monitoring.HandleAsync([crossed], default);
        await monitoring.HandleAsync([raised], default);
        await monitoring.HandleAsync([crossed], default);
        var raisedIds = (await alerts.ListAsync(account, 100, default)).Select(a => a.AlertId).ToList();
        Assert.DoesNotContain(MonitorRules.Judge(crossed, harness.Clock.GetUtcNow(), raisedIds).Alerts, a => a.Type == AlertType.ThresholdReached);
        Assert.Equal(4, (await ThresholdsAsync()).Count);

        // Back to the first limit: its thresholds were alerted this period already.
        Assert.Null((await harness.Admin.UpsertAsync(account, settings, 0m, default)).Error);
        await monitoring.HandleAsync([await harness.StateAsync(account)], default);
        Assert.Equal(["0.5 of 10", "0.5 of 40", "0.8 of 10", "0.8 of 40", "1 of 10"], await ThresholdsAsync());

        async Task<List<string>> ThresholdsAsync() =>
            [.. (await alerts.ListAsync(account, 100, default)).Where(a => a.Type == AlertType.ThresholdReached)
                .Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Threshold:0.##} of {a.CreditLimit:0.##}")).Order(StringComparer.Ordinal)];
    }

    /// <summary>CDRs of <paramref name="count"/> one-minute United Kingdom calls from the <paramref name="first"/>th: 1.00 each.</summary>
    private static string UkCalls(string account, int first, int count)
    {
        var csv = new System.Text.StringBuilder(Fixtures.CdrHeader + "\n");
        for (var i = first; i < first + count; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"uk-{i},{account},+441234,+447700900123,{Fixtures.Now.AddMinutes(-60 + i):O},60,ANSWERED,\n");
        }

        return csv.ToString();
    }
}
