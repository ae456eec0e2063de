using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Monitoring;

/// <summary>
/// Thresholds fire exactly once per period, whatever the feed does: versions delivered again, out of order, and
/// to several consumers at once (real parallelism).
/// </summary>
public sealed class MonitoringProperties
{
    [Property(MaxTest = 60)]
    public Property Thresholds_fire_exactly_once_under_replays_reorderings_and_concurrent_consumers() =>
        Prop.ForAll(
            Gen.Choose(1, 40).ListOf().Where(l => l.Count is > 0 and < 30).ToArbitrary(),
            Gen.Choose(0, int.MaxValue).ToArbitrary(),
            Gen.Choose(1, 4).ToArbitrary(),
            (minutes, seed, consumers) => Check(minutes, seed, consumers).GetAwaiter().GetResult());

    private static async Task<bool> Check(IReadOnlyList<int> callMinutes, int seed, int consumers)
    {
        var harness = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var account = await harness.OpenAsync("prop", Fixtures.Postpaid(100m, hard: false), 0m);
        var versions = new List<AccountState>();
        for (var i = 0; i < callMinutes.Count; i++)
        {
            await harness.IngestCsvAsync($"""
                cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id
                p-{i},{account},+441234,+447700900123,{Fixtures.Now:O},{callMinutes[i] * 60},ANSWERED,
                """);
            versions.Add(await harness.StateAsync(account));
        }

        // Every version at least once, some twice, shuffled, dealt to concurrent consumers sharing the stores.
        var random = new Random(seed);
        var feed = versions.Concat(versions.Where(_ => random.Next(3) == 0)).OrderBy(_ => random.Next()).ToList();
        var alerts = new InMemoryAlertStore();
        var monitors = new InMemoryMonitorStore();
        var sink = new CountingSink();
        await Task.WhenAll(Enumerable.Range(0, consumers).Select(c => Task.Run(async () =>
        {
            var monitoring = new MonitoringService(monitors, alerts, sink, harness.Admin, harness.Clock);
            foreach (var version in feed.Where((_, i) => i % consumers == c))
            {
                await monitoring.HandleAsync([version], default);
            }
        })));

        var spent = versions[^1].PeriodSpend;
        var expected = new[] { 0.5m, 0.8m, 1.0m }.Where(t => spent >= t * 100m).ToList();
        var thresholds = (await alerts.ListAsync(account, 100, default)).Where(a => a.Type == AlertType.ThresholdReached).ToList();
        return thresholds.Select(a => a.Threshold!.Value).Order().SequenceEqual(expected)
            && thresholds.Select(a => a.AlertId).Distinct().Count() == thresholds.Count
            && thresholds.All(a => sink.Count(a.AlertId) >= 1);
    }

    private sealed class CountingSink : IAlertSink
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _counts = new();

        public int Count(string alertId) => _counts.GetValueOrDefault(alertId);

        public Task PublishAsync(Alert alert, CancellationToken cancellationToken)
        {
            _counts.AddOrUpdate(alert.AlertId, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }
    }
}
