using System.Globalization;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Core.Monitoring;

/// <summary>
/// The monitoring rules as a pure function of the account document: which alerts stand and whether to suspend.
/// They read state (totals, spend windows, sessions), not deltas, so a feed delivered twice, out of order or to two
/// consumers gives the same verdict; alert ids are deterministic, so each alert is raised once.
/// </summary>
public static class MonitorRules
{
    /// <summary>How far above the limit's pro-rata share a window may go, by window: bursts are normal in an hour.</summary>
    public static readonly IReadOnlyList<(string Name, TimeSpan Window, decimal ShareFactor)> Windows =
    [
        ("1h", TimeSpan.FromHours(1), 10m),
        ("24h", TimeSpan.FromHours(24), 4m),
        ("7d", TimeSpan.FromDays(7), 2m),
    ];

    /// <summary>A window must also exceed the account's own trailing baseline by this factor, when it has one.</summary>
    public const decimal BaselineFactor = 3m;

    /// <summary>The baseline: the 28 days before the last 7.</summary>
    public const int BaselineDays = 28;

    public static MonitorVerdict Judge(AccountState account, DateTimeOffset now) => Judge(account, now, []);

    /// <summary>
    /// As <see cref="Judge(AccountState, DateTimeOffset)"/>, leaving out the alerts whose ids are in <paramref name="known"/>
    /// (raised before): their messages are not even written.
    /// </summary>
    public static MonitorVerdict Judge(AccountState account, DateTimeOffset now, IReadOnlyList<string> known)
    {
        var current = account.RollPeriod(now);
        var policy = current.Settings.EffectiveMonitoring;
        var currency = current.Settings.Currency.Code;
        var (limit, spent, reference) = Exposure(current);
        var windows = SpendWindows.Of(current.Spend, now);
        var figures = Figures(current, windows, limit, spent);
        var alerts = new List<Alert>();
        var label = current.PeriodLabel ?? "";

        if (limit is > 0m)
        {
            // A pre-paid threshold is once per credit given and period: the parts of a period a change of mode split are one
            // period to it (the same credit is spent across them). Post-paid spend starts again with each part, so do its thresholds.
            var thresholdPeriod = current.Settings.Mode == AccountMode.Prepaid ? BillingPeriod.MonthOf(label) : label;
            foreach (var fraction in Ascending(policy.Thresholds))
            {
                if (spent >= fraction * limit.Value && New(Id(current.AccountId, "threshold", thresholdPeriod, reference, Text(fraction)), known) is { } id)
                {
                    alerts.Add(new Alert(
                        id, current.AccountId, AlertType.ThresholdReached, fraction,
                        current.PeriodSpend, current.Settings.CreditLimit, now,
                        current.Settings.Mode == AccountMode.Prepaid
                            ? Invariant($"{Percent(fraction)} of the last credit ({Shown(limit.Value)} {currency}) is spent; balance {Shown(current.Balance)} {currency}")
                            : Invariant($"spend this period {Shown(spent)} {currency} reached {Percent(fraction)} of the credit limit {Shown(limit.Value)} {currency}"),
                        currency));
                }
            }

            // Velocity is once per window per billing period, as its share is of the whole period: the parts a change of
            // mode splits it into are one period to it (a month's label is its own month, so ids of periods never split are as before).
            var periodDays = (decimal)(current.PeriodEnd - WholePeriodStart(current)).TotalDays;
            var velocityPeriod = BillingPeriod.MonthOf(label);
            foreach (var (name, window, factor) in Windows)
            {
                var inWindow = windows.Within(window);
                var share = limit.Value * (decimal)window.TotalDays / periodDays;
                var baseline = figures.DailyBaseline is { } perDay ? perDay * (decimal)window.TotalDays : (decimal?)null;
                if (inWindow > factor * share && (baseline is null || inWindow > BaselineFactor * baseline.Value)
                    && New(Id(current.AccountId, "velocity", velocityPeriod, name), known) is { } id)
                {
                    alerts.Add(new Alert(
                        id, current.AccountId, AlertType.VelocityAnomaly, null,
                        current.PeriodSpend, current.Settings.CreditLimit, now,
                        Invariant($"spend in the last {name} is {Shown(inWindow)} {currency}: {Ratio(inWindow, share)}x the limit's share for that time ({Shown(Round(share))} {currency})")
                            + (baseline is { } b ? Invariant($" and {Ratio(inWindow, b)}x the account's usual ({Shown(Round(b))} {currency})") : ""),
                        currency));
                }
            }
        }

        // The book counts its overruns: most documents hold none, and then their sessions are not looked at (nor put in id order).
        var overruns = current.SessionBook.OverrunCount;
        if (overruns > 0)
        {
            foreach (var (_, session) in current.Sessions)
            {
                if (!SessionBook.IsOverrun(session))
                {
                    continue;
                }

                Overrun(session.SessionId, session.OverrunSeconds, session.ReportedSeconds, session.UsedSeconds);
                if (--overruns == 0)
                {
                    break;
                }
            }
        }

        // Overrun sessions the later calls pushed out of the document before monitoring saw it: the same alert, once.
        foreach (var note in current.SessionBook.PastOverruns ?? [])
        {
            Overrun(note.SessionId, note.OverrunSeconds, note.ReportedSeconds, note.UsedSeconds);
        }

        var suspend = SuspendReason(current, limit, spent);

        // The suspension in force, and the ones resumes lifted (the last, and those before it the document keeps): a
        // suspension resumed before monitoring saw the account is alerted all the same, once (its id is the same either way).
        Suspended(current.Status == AccountStatus.Suspended ? current.SuspendedAt : null, current.SuspendReason);
        foreach (var lifted in current.EarlierLiftedSuspensions ?? [])
        {
            Suspended(lifted.At, lifted.Reason);
        }

        Suspended(current.LiftedSuspensionAt, current.LiftedSuspensionReason);

        return new MonitorVerdict(alerts, suspend, figures);

        void Overrun(string sessionId, int overrunSeconds, int reportedSeconds, int usedSeconds)
        {
            if (New(Id(current.AccountId, "overrun", sessionId), known) is { } id && !alerts.Exists(a => string.Equals(a.AlertId, id, StringComparison.Ordinal)))
            {
                alerts.Add(new Alert(
                    id, current.AccountId, AlertType.GrantOverrun, null,
                    current.PeriodSpend, current.Settings.CreditLimit, now,
                    Invariant($"session '{sessionId}' reported {overrunSeconds} s beyond its grants ({reportedSeconds} s in all, {usedSeconds} s charged)"),
                    currency));
            }
        }

        void Suspended(DateTimeOffset? since, string? reason)
        {
            if (since is { } began && New(Id(current.AccountId, "suspended", began.UtcTicks.ToString(CultureInfo.InvariantCulture)), known) is { } suspendedId
                && !alerts.Exists(a => string.Equals(a.AlertId, suspendedId, StringComparison.Ordinal)))
            {
                alerts.Add(new Alert(
                    suspendedId, current.AccountId, AlertType.AccountSuspended, policy.SuspendAt,
                    current.PeriodSpend, current.Settings.CreditLimit, began,
                    $"account suspended: {reason ?? "no reason given"}", currency));
            }
        }
    }

    /// <summary>
    /// Why the account as it is now calls for suspension by its policy (<c>monitoring.suspendAt</c>), or null when it
    /// does not. The suspension is written to the account as it is when written, not as monitoring judged it: the feed
    /// may deliver a version that a top-up or a raised limit has since made good.
    /// </summary>
    public static string? PolicySuspension(AccountState account, DateTimeOffset now)
    {
        var current = account.RollPeriod(now);
        var (limit, spent, _) = Exposure(current);
        return SuspendReason(current, limit, spent);
    }

    /// <summary>The reason to suspend an active account (rolled to now) whose spend reached its <c>suspendAt</c>; else null.</summary>
    private static string? SuspendReason(AccountState current, decimal? limit, decimal spent)
    {
        var currency = current.Settings.Currency.Code;
        return current.Status == AccountStatus.Active && current.Settings.EffectiveMonitoring.SuspendAt is { } at && limit is > 0m && spent >= at * limit.Value
            ? Invariant($"spend {Shown(spent)} {currency} reached {Percent(at)} of the limit {Shown(limit.Value)} {currency}")
            : null;
    }

    /// <summary>The id, unless it is among those raised before.</summary>
    private static string? New(string id, IReadOnlyList<string> known)
    {
        for (var i = 0; i < known.Count; i++)
        {
            if (string.Equals(known[i], id, StringComparison.Ordinal))
            {
                return null;
            }
        }

        return id;
    }

    /// <summary>The thresholds in ascending order; the list as it is when it already is (it usually is).</summary>
    private static IEnumerable<decimal> Ascending(IReadOnlyList<decimal> thresholds)
    {
        for (var i = 1; i < thresholds.Count; i++)
        {
            if (thresholds[i] < thresholds[i - 1])
            {
                return thresholds.Order();
            }
        }

        return thresholds;
    }

    /// <summary>
    /// What spend is measured against: the credit limit and this period's spend (post-paid), or the last credit given
    /// (the newest top-up, else the opening balance) and what has been spent since (pre-paid); and what a threshold's
    /// alert id names it by (each threshold of each limit or credit is alerted once a period).
    /// </summary>
    private static (decimal? Limit, decimal Spent, string Reference) Exposure(AccountState account)
    {
        if (account.Settings.Mode == AccountMode.Postpaid)
        {
            // The limit is part of the threshold's id: a limit raised mid-period (5,000 to 20,000) alerts the thresholds of
            // the new one as spend reaches them, where one id per threshold and period had already been raised.
            return (account.Settings.CreditLimit, account.PeriodSpend, account.Settings.CreditLimit is { } limit ? "limit:" + Text(limit) : "limit");
        }

        if (account.RecentTopUps.LastOrDefault() is { } topUp)
        {
            return (topUp.Amount, Math.Max(0m, topUp.Amount - account.Balance), "topup:" + topUp.TopUpId);
        }

        return (account.OpeningBalance, account.OpeningBalance - account.Balance, "opening");
    }

    /// <summary>
    /// Where the billing period the account's current part belongs to began. A change of mode ends the running period as
    /// a part (<see cref="BillingPeriod.NextPart"/>); a window's share of the limit is the limit pro rata over the whole
    /// period, which over a short part (a switch late in the month) would be many times the month's and silence velocity.
    /// </summary>
    private static DateTimeOffset WholePeriodStart(AccountState account) =>
        account.PeriodLabel is { Length: > 7 } label
        && BillingPeriod.TryForLabel(BillingPeriod.MonthOf(label), account.Settings.BillingDay, BillingPeriod.FindTimeZone(account.Settings.TimeZone), out var month)
        && month.Start < account.PeriodStart
            ? month.Start
            : account.PeriodStart;

    /// <summary>The spend figures of the account now: what the balance view shows.</summary>
    public static SpendFigures FiguresOf(AccountState account, DateTimeOffset now)
    {
        var current = account.RollPeriod(now);
        var (limit, spent, _) = Exposure(current);
        return Figures(current, SpendWindows.Of(current.Spend, now), limit, spent);
    }

    private static SpendFigures Figures(AccountState account, in SpendWindows windows, decimal? limit, decimal spent)
    {
        var status = account.Status == AccountStatus.Suspended ? "suspended"
            : limit is > 0m && spent >= limit.Value ? "over-limit"
            : "ok";
        return new SpendFigures(
            windows.LastHour,
            windows.Last24Hours,
            windows.Last7Days,
            windows.DailyBaseline is { } perDay ? Round(perDay) : null,
            account.PeriodSpend,
            limit,
            limit is > 0m ? decimal.Round(spent / limit.Value, 4) : null,
            status);
    }

    /// <summary>Readable (account and kind) and safe as a document id whatever the parts hold (a session id may hold '/').</summary>
    private static string Id(string accountId, string kind, params string[] parts)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', [accountId, kind, .. parts])));
        return $"{accountId}-{kind}-{Convert.ToHexStringLower(hash.AsSpan(0, 8))}";
    }

    /// <summary>
    /// A threshold (or a limit) as its alert id holds it: every decimal it has (0.5 and 0.50004 are two alerts), trailing
    /// zeros left out (0.5 and 0.50 are one, as are limits of 5000 and 5000.00).
    /// </summary>
    private static string Text(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    private static string Percent(decimal fraction) => (fraction * 100m).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static string Ratio(decimal value, decimal of) => of == 0m ? "∞" : decimal.Round(value / of, 1).ToString("0.0", CultureInfo.InvariantCulture);

    private static decimal Round(decimal value) => decimal.Round(value, 2, MidpointRounding.AwayFromZero);

    /// <summary>An amount as a person reads it: two decimals at least, more only when they are not zero (90.00, 0.178).</summary>
    internal static string Shown(decimal value) => value.ToString("0.00##########################", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}

/// <summary>The alerts that stand for an account, a reason to suspend it (null: none), and the figures judged.</summary>
public sealed record MonitorVerdict(IReadOnlyList<Alert> Alerts, string? SuspendReason, SpendFigures Figures);
