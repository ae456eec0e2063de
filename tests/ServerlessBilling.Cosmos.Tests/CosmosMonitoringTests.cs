using System.Diagnostics;
using System.Globalization;
using System.Text;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Cosmos.Tests;

/// <summary>The seed case through the SDK's change feed processor on the accounts container of the emulator.</summary>
[Collection(CosmosCollection.Name)]
public sealed class CosmosMonitoringTests(CosmosFixture cosmos)
{
    [Fact]
    public async Task The_seed_case_raises_three_thresholds_and_velocity_through_the_change_feed_once()
    {
        var (options, alerts, monitors, harness) = Setup();
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        harness.Clock.SetUtcNow(start);
        var account = await harness.OpenAsync($"feed-{Guid.NewGuid():N}", Fixtures.Postpaid(5000m, hard: false, $"deck-{Guid.NewGuid():N}"), 0m);
        var monitoring = new MonitoringService(monitors, alerts, new NoAlertSink(), harness.Admin, harness.Clock);
        var processor = await new CosmosMonitoringFeed(cosmos.Database, options).StartAsync(monitoring, $"test-{Guid.NewGuid():N}", default);
        try
        {
            // 12,000 GBP over a week in 28 batches of 6-hour CDRs (1.00/min; 10-minute calls).
            for (var batch = 0; batch < 28; batch++)
            {
                var csv = new StringBuilder("cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\n");
                for (var i = 0; i < 43; i++)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"f-{batch}-{i},{account},+441234,+447700900123,{start.AddHours(batch * 6).AddMinutes(i * 8):O},600,ANSWERED,\n");
                }

                harness.Clock.SetUtcNow(start.AddHours((batch + 1) * 6));
                await harness.IngestCsvAsync(csv.ToString());
            }

            var posted = Stopwatch.StartNew();
            IReadOnlyList<Alert> raised;
            while (true)
            {
                raised = await alerts.ListAsync(account, 100, default);
                if (raised.Count(a => a.Type == AlertType.ThresholdReached) == 3 && raised.Any(a => a.Type == AlertType.VelocityAnomaly))
                {
                    break;
                }

                Assert.True(posted.Elapsed < TimeSpan.FromSeconds(30), "alerts did not arrive: " + string.Join(", ", raised.Select(a => a.Type)));
                await Task.Delay(50);
            }

            Assert.Equal([0.5m, 0.8m, 1.0m], raised.Where(a => a.Type == AlertType.ThresholdReached).Select(a => a.Threshold!.Value).Order());

            // Replaying the whole batch set changes no document, so the feed has nothing new and nothing more is raised.
            var count = raised.Count;
            await Task.Delay(1000);
            Assert.Equal(count, (await alerts.ListAsync(account, 100, default)).Count);
            var monitor = await monitors.GetAsync(account, default);
            Assert.Equal((await harness.StateAsync(account)).Revision, monitor!.Value.Revision);
        }
        finally
        {
            await processor.StopAsync();
        }
    }

    [Fact]
    public async Task Accounts_written_before_the_feed_ever_started_are_judged_when_it_starts()
    {
        // Cosmos DB's change feed processor reads from "now" on its first start unless told otherwise: an account charged past
        // its thresholds before monitoring was first started (deployed after the data, or on a new lease container) was not
        // judged until its next write. (The emulator reads a new processor's feed from the beginning either way, so here
        // this guards the behaviour rather than showing the old one.)
        var (options, alerts, monitors, harness) = Setup();
        harness.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
        var account = await harness.OpenAsync($"before-{Guid.NewGuid():N}", Fixtures.Postpaid(100m, hard: false, $"deck-{Guid.NewGuid():N}"), 0m);
        await harness.IngestCsvAsync("cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\n"
            + $"b-1,{account},+441234,+447700900123,2026-12-01T10:00:00Z,7200,ANSWERED,\n"); // 120.00 on a 100.00 limit

        var monitoring = new MonitoringService(monitors, alerts, new NoAlertSink(), harness.Admin, harness.Clock);
        var processor = await new CosmosMonitoringFeed(cosmos.Database, options).StartAsync(monitoring, $"test-{Guid.NewGuid():N}", default, processorName: $"first-{Guid.NewGuid():N}");
        try
        {
            var started = Stopwatch.StartNew();
            while ((await alerts.ListAsync(account, 100, default)).Count(a => a.Type == AlertType.ThresholdReached) < 3)
            {
                Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), "the account written before the feed started was not judged");
                await Task.Delay(50);
            }
        }
        finally
        {
            await processor.StopAsync();
        }
    }

    /// <summary>The emulator's containers for monitoring, and a harness over its stores.</summary>
    private (CosmosOptions Options, CosmosAlertStore Alerts, CosmosMonitorStore Monitors, CreditControlHarness Harness) Setup()
    {
        var options = cosmos.Options;
        return (
            options,
            new CosmosAlertStore(cosmos.Database.GetContainer(options.AlertsContainer)),
            new CosmosMonitorStore(cosmos.Database.GetContainer(options.MonitorsContainer)),
            new CreditControlHarness(cosmos.Accounts, cosmos.Sessions, cosmos.Decks, usage: cosmos.Usage, quarantine: cosmos.Quarantine, topUps: cosmos.TopUps));
    }
}
