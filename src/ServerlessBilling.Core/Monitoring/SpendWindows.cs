namespace ServerlessBilling.Core.Monitoring;

/// <summary>
/// The spend figures monitoring reads from a <see cref="SpendHistory"/> at one instant, summed in one pass over each bucket
/// list: the same figures as <see cref="SpendHistory.Within"/> and <see cref="SpendHistory.DailyBaseline"/> give for the
/// windows of <see cref="MonitorRules.Windows"/> (hourly buckets for windows up to a day, daily ones beyond), without a
/// query per figure.
/// </summary>
internal readonly struct SpendWindows
{
    private readonly SpendHistory _history;
    private readonly DateTimeOffset _now;

    private SpendWindows(SpendHistory history, DateTimeOffset now, decimal lastHour, decimal last24Hours, decimal last7Days, decimal? dailyBaseline)
    {
        (_history, _now, LastHour, Last24Hours, Last7Days, DailyBaseline) = (history, now, lastHour, last24Hours, last7Days, dailyBaseline);
    }

    public decimal LastHour { get; }

    public decimal Last24Hours { get; }

    public decimal Last7Days { get; }

    /// <summary>Average spend per day over the <see cref="MonitorRules.BaselineDays"/> days before the last 7; null without that history.</summary>
    public decimal? DailyBaseline { get; }

    public static SpendWindows Of(SpendHistory history, DateTimeOffset now)
    {
        var hourNow = HourOf(now);
        var (fromHour, from24Hours) = (HourOf(now - TimeSpan.FromHours(1)), HourOf(now - TimeSpan.FromHours(24)));
        decimal lastHour = 0m, last24Hours = 0m;
        foreach (var (hour, amount) in history.Hours)
        {
            if (hour > hourNow)
            {
                break;
            }

            if (hour >= from24Hours)
            {
                last24Hours += amount;
                if (hour >= fromHour)
                {
                    lastHour += amount;
                }
            }
        }

        var dayNow = DayOf(now);
        var from7Days = DayOf(now - TimeSpan.FromDays(7));
        var (baselineLast, baselineFirst) = (dayNow - 7, dayNow - 7 - MonitorRules.BaselineDays + 1);
        decimal last7Days = 0m, baseline = 0m;
        long? oldest = null;
        foreach (var (day, amount) in history.Days)
        {
            oldest ??= day;
            if (day > dayNow)
            {
                break;
            }

            if (day >= from7Days)
            {
                last7Days += amount;
            }

            if (day >= baselineFirst && day <= baselineLast)
            {
                baseline += amount;
            }
        }

        var dailyBaseline = oldest is { } first && first <= baselineFirst ? baseline / MonitorRules.BaselineDays : (decimal?)null;
        return new SpendWindows(history, now, lastHour, last24Hours, last7Days, dailyBaseline);
    }

    /// <summary>Spend in one of the rules' windows (see <see cref="SpendHistory.Within"/>).</summary>
    public decimal Within(TimeSpan window) =>
        window == TimeSpan.FromHours(1) ? LastHour
        : window == TimeSpan.FromHours(24) ? Last24Hours
        : window == TimeSpan.FromDays(7) ? Last7Days
        : _history.Within(window, _now);

    private static long HourOf(DateTimeOffset instant) => instant.ToUnixTimeSeconds() / 3600;

    private static long DayOf(DateTimeOffset instant) => instant.ToUnixTimeSeconds() / 86400;
}
