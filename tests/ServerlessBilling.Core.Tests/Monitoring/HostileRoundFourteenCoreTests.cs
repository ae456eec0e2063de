using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Monitoring;

/// <summary>Round fourteen of the hostile review: monitoring rules at the edges of what an account's settings allow.</summary>
public sealed class HostileRoundFourteenCoreTests
{
    [Fact]
    public async Task Two_thresholds_that_differ_past_the_fourth_decimal_are_each_alerted()
    {
        // A threshold is any fraction above 0 and at most 10, but its alert id held it to 4 decimals: 0.5 and 0.50004
        // had one id, so the second was taken for the first, already raised, and never alerted.
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var settings = Fixtures.Postpaid(100m, hard: false) with { Monitoring = new MonitoringSettings([0.5m, 0.50004m], SuspendAt: null) };
        var account = await h.OpenAsync("fine-thresholds", settings, 0m);
        await h.AuthorizeAsync(account, "c-1", "+447700900123", 3000);
        await h.TerminateAsync("c-1", 1, 3000); // 50.00 of 100: the first threshold only

        var first = MonitorRules.Judge(await h.StateAsync(account), h.Clock.GetUtcNow());
        Assert.Equal([0.5m], Thresholds(first).Select(a => a.Threshold));

        await h.AuthorizeAsync(account, "c-2", "+447700900123", 60);
        await h.TerminateAsync("c-2", 1, 60); // 51.00: past 50.004
        var second = MonitorRules.Judge(await h.StateAsync(account), h.Clock.GetUtcNow(), [.. first.Alerts.Select(a => a.AlertId)]);

        var alert = Assert.Single(Thresholds(second));
        Assert.Equal(0.50004m, alert.Threshold);
        Assert.DoesNotContain(alert.AlertId, first.Alerts.Select(a => a.AlertId));
    }

    [Fact]
    public async Task The_ids_of_thresholds_of_up_to_four_decimals_stay_as_they_were()
    {
        // Alert ids are stored and deduplicated by: the usual thresholds keep the form they always had (0.5000 is 0.5), now
        // with the limit they were reached against (a raised limit's thresholds are alerted again, once).
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var settings = Fixtures.Postpaid(100m, hard: false) with { Monitoring = new MonitoringSettings([0.5000m, 0.8m, 0.1234m], SuspendAt: null) };
        var account = await h.OpenAsync("acme", settings, 0m);
        await h.AuthorizeAsync(account, "c-1", "+447700900123", 3600);
        await h.TerminateAsync("c-1", 1, 3600); // 60.00

        var ids = Thresholds(MonitorRules.Judge(await h.StateAsync(account), h.Clock.GetUtcNow())).ToDictionary(a => a.Threshold!.Value, a => a.AlertId);

        Assert.Equal(Expected("0.5"), ids[0.5m]);
        Assert.Equal(Expected("0.1234"), ids[0.1234m]);
        Assert.False(ids.ContainsKey(0.8m));

        string Expected(string text)
        {
            var period = h.StateAsync(account).Result.PeriodLabel;
            // The limit (100) is part of the id since a limit raised mid-period alerts its thresholds again (RaisedLimitThresholdTests).
            var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', "acme", "threshold", period, "limit:100", text)));
            return $"acme-threshold-{Convert.ToHexStringLower(hash.AsSpan(0, 8))}";
        }
    }

    /// <summary>The threshold alerts of a verdict (a fast spend also raises velocity alerts).</summary>
    private static IEnumerable<Alert> Thresholds(MonitorVerdict verdict) => verdict.Alerts.Where(a => a.Type == AlertType.ThresholdReached);
}
