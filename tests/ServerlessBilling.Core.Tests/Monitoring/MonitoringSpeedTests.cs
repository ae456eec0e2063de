using System.Collections.Immutable;
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
/// Monitoring judged cheaply: the change stream gathers writes, accounts are judged inline while the stores answer at
/// once and concurrently when they wait, the window sums are taken in one pass, and known alerts are not written again.
/// </summary>
public sealed class MonitoringSpeedTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 10, 13, 30, 0, TimeSpan.Zero);

    [Property(MaxTest = 200)]
    public Property The_one_pass_window_sums_are_the_histories_own_figures() =>
        Prop.ForAll(
            (from hoursAgo in Gen.Choose(-60 * 24, 60 * 24) from cents in Gen.Choose(1, 100_000) select (hoursAgo, cents)).ListOf().Where(l => l.Count < 200).ToArbitrary(),
            Gen.Choose(0, 3).ToArbitrary(),
            (calls, minutes) =>
            {
                // Calls from 60 days before to 60 days after the instant (future starts included), added as commits add them.
                var history = SpendHistory.Empty;
                var now = Now.AddMinutes(minutes * 17);
                foreach (var (hoursAgo, cents) in calls)
                {
                    history = history.Add(now.AddHours(-hoursAgo), cents / 100m, now);
                }

                var windows = SpendWindows.Of(history, now);
                return windows.LastHour == history.Within(TimeSpan.FromHours(1), now)
                    && windows.Last24Hours == history.Within(TimeSpan.FromHours(24), now)
                    && windows.Last7Days == history.Within(TimeSpan.FromDays(7), now)
                    && windows.DailyBaseline == history.DailyBaseline(now, skipDays: 7, days: MonitorRules.BaselineDays)
                    && MonitorRules.Windows.All(w => windows.Within(w.Window) == history.Within(w.Window, now))
                    && windows.Within(TimeSpan.FromHours(3)) == history.Within(TimeSpan.FromHours(3), now);
            });

    [Fact]
    public async Task A_verdict_leaves_out_the_alerts_already_raised_and_keeps_the_rest_as_they_were()
    {
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var account = await h.OpenAsync("known", Fixtures.Postpaid(10m, hard: false), 0m);
        await h.AuthorizeAsync(account, "c-1", "+447700900123", 60);
        await h.TerminateAsync("c-1", 1, 900); // 15.00 of 10.00, and an overrun
        var state = await h.StateAsync(account);

        var all = MonitorRules.Judge(state, h.Clock.GetUtcNow());
        Assert.Contains(all.Alerts, a => a.Type == AlertType.GrantOverrun);
        Assert.True(all.Alerts.Count >= 4);
        var known = all.Alerts.Where((_, i) => i % 2 == 0).Select(a => a.AlertId).ToList();

        var rest = MonitorRules.Judge(state, h.Clock.GetUtcNow(), known);
        Assert.Equal(all.Alerts.Where(a => !known.Contains(a.AlertId)), rest.Alerts);
        Assert.Equal(all.Figures, rest.Figures);
        Assert.Equal(all.SuspendReason, rest.SuspendReason);
    }

    [Fact]
    public async Task Writes_published_while_the_stream_gathers_are_read_in_one_batch_and_a_later_write_signals_again()
    {
        var stream = new AccountChangeStream();
        var a1 = Version("a", 1);
        stream.Publish(a1);
        var read = stream.ReadAsync(TimeSpan.FromMilliseconds(200), default);
        stream.Publish(Version("b", 1));
        stream.Publish(Version("a", 3));
        stream.Publish(Version("a", 2)); // the account is pending already: named once

        var batch = await read;
        Assert.Equal(["a", "b"], batch.Order());

        stream.Publish(Version("c", 1));
        var next = await stream.ReadAsync(TimeSpan.Zero, default).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("c", Assert.Single(next));
    }

    [Fact]
    public async Task Accounts_are_judged_concurrently_when_the_store_waits_and_each_alert_is_raised_once()
    {
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var versions = new List<AccountState>();
        for (var i = 0; i < 9; i++)
        {
            var account = await h.OpenAsync($"slow-{i}", Fixtures.Postpaid(10m, hard: false), 0m);
            await h.AuthorizeAsync(account, $"c-{i}", "+447700900123", 600);
            await h.TerminateAsync($"c-{i}", 1, 360); // 6.00 of 10.00: the 0.5 threshold
            versions.Add(await h.StateAsync(account));
        }

        var monitors = new WaitingMonitorStore(new InMemoryMonitorStore());
        var alerts = new InMemoryAlertStore();
        var monitoring = new MonitoringService(monitors, alerts, new NoAlertSink(), h.Admin, h.Clock);

        var first = await monitoring.HandleAsync([.. versions, .. versions], default);
        Assert.Equal(0, await monitoring.HandleAsync(versions, default));
        Assert.InRange(monitors.MostAtOnce, 2, 4);
        var raised = await alerts.ListAsync(null, 1000, default);
        Assert.Equal(first, raised.Count);
        Assert.Equal(raised.Count, raised.Select(a => a.AlertId).Distinct().Count());
        Assert.Equal(9, raised.Count(a => a is { Type: AlertType.ThresholdReached, Threshold: 0.5m }));
        Assert.Equal(9, raised.Select(a => a.AccountId).Distinct().Count());
    }

    [Fact]
    public async Task A_judgment_that_fails_fails_the_batch_once_the_others_in_flight_have_finished()
    {
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var versions = new List<AccountState>();
        for (var i = 0; i < 6; i++)
        {
            versions.Add(await h.StateAsync(await h.OpenAsync($"fail-{i}", Fixtures.Postpaid(10m, hard: false), 0m)));
        }

        var monitors = new WaitingMonitorStore(new InMemoryMonitorStore(), failing: versions[1].AccountId);
        var monitoring = new MonitoringService(monitors, new InMemoryAlertStore(), new NoAlertSink(), h.Admin, h.Clock);

        await Assert.ThrowsAsync<StoreUnavailableException>(() => monitoring.HandleAsync(versions, default));
        Assert.Equal(0, monitors.InFlight);
    }

    private static AccountState Version(string id, long revision)
    {
        var account = AccountState.Open(id, Fixtures.Postpaid(10m, hard: false), 0m, Now);
        return account.Publish(revision, null);
    }

    /// <summary>A monitor store whose reads take a little time, as a remote store's do; counts how many wait at once.</summary>
    private sealed class WaitingMonitorStore(IMonitorStore inner, string? failing = null) : IMonitorStore
    {
        private int _waiting;

        public int MostAtOnce { get; private set; }

        public int InFlight => Volatile.Read(ref _waiting);

        public async Task<Versioned<MonitorState>?> GetAsync(string accountId, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _waiting);
            lock (this)
            {
                MostAtOnce = Math.Max(MostAtOnce, now);
            }

            await Task.Delay(accountId == failing ? 5 : 50, cancellationToken);
            Interlocked.Decrement(ref _waiting);
            return accountId == failing
                ? throw new StoreUnavailableException($"monitor document of '{accountId}' could not be read")
                : await inner.GetAsync(accountId, cancellationToken);
        }

        public Task<string?> TryCreateAsync(MonitorState state, CancellationToken cancellationToken) => inner.TryCreateAsync(state, cancellationToken);

        public Task<string?> TryReplaceAsync(MonitorState state, string ifMatch, CancellationToken cancellationToken) => inner.TryReplaceAsync(state, ifMatch, cancellationToken);
    }
}
