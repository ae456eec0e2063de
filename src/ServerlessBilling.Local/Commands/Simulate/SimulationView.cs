using System.Globalization;
using Spectre.Console;

namespace ServerlessBilling.Local.Commands.Simulate;

/// <summary>The figures the views show, read from the stats at one moment.</summary>
public sealed record ProgressSnapshot(
    TimeSpan Elapsed,
    long Started,
    long Active,
    double CallsPerSecond,
    long Grants,
    IReadOnlyDictionary<string, int> Denials,
    long Cut,
    long Interims,
    long TopUps,
    long CdrsPosted,
    long HistoryPosted,
    double? AuthorizeP50,
    double? AuthorizeP99,
    IReadOnlyList<AlertSeen> Alerts,
    Core.Accounts.BalanceView? Runaway,
    long Errors)
{
    public long DenialCount => Denials.Values.Sum();

    public string Latency => AuthorizeP50 is { } p50 && AuthorizeP99 is { } p99
        ? string.Create(CultureInfo.InvariantCulture, $"p50 {p50:0.0} ms, p99 {p99:0.0} ms")
        : "-";

    public string RunawayText => Runaway is { } r
        ? string.Create(CultureInfo.InvariantCulture, $"spend {r.PeriodSpend:#,0.00} of {r.CreditLimit:#,0} {r.Currency} ({r.Monitoring.SpendOfLimit * 100:0}%), {r.Status.ToString().ToLowerInvariant()}")
        : "-";

    public string DenialText => DenialCount == 0 ? "0" : $"{DenialCount} ({string.Join(", ", Denials.Select(d => $"{d.Key} {d.Value}"))})";
}

/// <summary>Shows the run's progress until it ends: live on a terminal, or as plain lines.</summary>
public abstract class SimulationView(SimulationStats stats, TimeProvider time)
{
    private long _lastStarted;
    private long _lastAt;

    /// <summary>Shows progress until <paramref name="stop"/> is cancelled.</summary>
    public abstract Task ShowAsync(CancellationToken stop);

    protected ProgressSnapshot Snapshot(long runStarted)
    {
        var now = time.GetTimestamp();
        var started = stats.Started;
        var seconds = _lastAt == 0 ? time.GetElapsedTime(runStarted, now).TotalSeconds : time.GetElapsedTime(_lastAt, now).TotalSeconds;
        var rate = seconds > 0 ? (started - _lastStarted) / seconds : 0;
        (_lastStarted, _lastAt) = (started, now);
        var latency = stats.AuthorizePercentiles(0.5, 0.99);
        return new ProgressSnapshot(
            time.GetElapsedTime(runStarted, now), started, stats.Active, rate, stats.Grants, stats.DenialsByCode, stats.CutByFinalUnit,
            stats.Interims, stats.TopUps, stats.CdrsPosted, stats.HistoryPosted, latency[0], latency[1],
            stats.Alerts, stats.Runaway, stats.ErrorCount);
    }

    protected static async Task TickAsync(TimeSpan interval, TimeProvider time, CancellationToken stop)
    {
        try
        {
            await Task.Delay(interval, time, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run has ended: show the last figures.
        }
    }
}

/// <summary>One line every <see cref="Interval"/>, for logs and CI (output that is not a terminal).</summary>
public sealed class PlainProgressView(TextWriter output, SimulationStats stats, TimeProvider time) : SimulationView(stats, time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly TimeProvider _time = time;

    public override async Task ShowAsync(CancellationToken stop)
    {
        var started = _time.GetTimestamp();
        var alertsShown = 0;
        while (!stop.IsCancellationRequested)
        {
            await TickAsync(Interval, _time, stop);
            var s = Snapshot(started);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{s.Elapsed.TotalSeconds,4:0}s] calls {s.Started} ({s.CallsPerSecond:0.0}/s), active {s.Active}, granted {s.Grants}, denied {s.DenialText}, cut {s.Cut}, interims {s.Interims}, top-ups {s.TopUps}, CDRs {s.CdrsPosted}+{s.HistoryPosted}, authorize {s.Latency}, alerts {s.Alerts.Count}, errors {s.Errors}"));
            foreach (var alert in s.Alerts.Skip(alertsShown))
            {
                output.WriteLine($"       alert {alert.Type} on {alert.AccountId}: {alert.Message}");
            }

            alertsShown = s.Alerts.Count;
            output.Flush();
        }
    }
}

/// <summary>A live table on a terminal, redrawn twice a second.</summary>
public sealed class LiveConsoleView(IAnsiConsole console, SimulateOptions options, SimulationStats stats, TimeProvider time) : SimulationView(stats, time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private readonly TimeProvider _time = time;

    public override Task ShowAsync(CancellationToken stop)
    {
        var started = _time.GetTimestamp();
        return console.Live(Render(Snapshot(started))).AutoClear(false).StartAsync(async context =>
        {
            while (!stop.IsCancellationRequested)
            {
                await TickAsync(Interval, _time, stop);
                context.UpdateTarget(Render(Snapshot(started)));
                context.Refresh();
            }
        });
    }

    private Table Render(ProgressSnapshot s)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"switch simulator → {options.Url}  (seed {options.Seed}, ids {options.IdPrefix}-*)"));
        table.AddColumn("what").AddColumn("now");
        var c = CultureInfo.InvariantCulture;
        table.AddRow("elapsed", string.Create(c, $"{s.Elapsed.TotalSeconds:0} s (calls arrive for {options.Duration.TotalSeconds:0} s, then run to their end)"));
        table.AddRow("calls/s", string.Create(c, $"[bold]{s.CallsPerSecond:0.0}[/] (target {options.Rate:0.#})"));
        table.AddRow("calls", string.Create(c, $"{s.Started} placed, {s.Active} in progress"));
        table.AddRow("grants", string.Create(c, $"[green]{s.Grants}[/], {s.Interims} interims, {s.Cut} cut by finalUnit"));
        table.AddRow("denials", s.DenialCount == 0 ? "0" : $"[yellow]{Markup.Escape(s.DenialText)}[/]");
        table.AddRow("top-ups", s.TopUps.ToString(c));
        table.AddRow("authorize", Markup.Escape(s.Latency));
        table.AddRow("CDRs posted", string.Create(c, $"{s.CdrsPosted} live, {s.HistoryPosted} past"));
        var runaway = s.Runaway?.Status == Core.Accounts.AccountStatus.Suspended ? $"[red]{Markup.Escape(s.RunawayText)}[/]" : Markup.Escape(s.RunawayText);
        table.AddRow("runaway", runaway);
        var alerts = s.Alerts.Count == 0
            ? "none yet"
            : string.Join("\n", s.Alerts.TakeLast(6).Select(a => $"[{(a.Type is "VELOCITY_ANOMALY" or "ACCOUNT_SUSPENDED" ? "red" : "yellow")}]{Markup.Escape(a.Type)}[/] {Markup.Escape(a.AccountId)}"));
        table.AddRow(string.Create(c, $"alerts ({s.Alerts.Count})"), alerts);
        table.AddRow("errors", s.Errors == 0 ? "0" : string.Create(c, $"[red]{s.Errors}[/]"));
        return table;
    }
}
