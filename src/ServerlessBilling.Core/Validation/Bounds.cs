using System.Globalization;

namespace ServerlessBilling.Core.Validation;

/// <summary>
/// The ranges every input must fall in, whichever door it comes through (HTTP, Event Hubs, a file). They keep
/// arithmetic and calendars far from their limits, so an extreme value is a clear 400 or a quarantined CDR,
/// never an overflow.
/// </summary>
public static class Bounds
{
    /// <summary>Earliest call start or report time accepted (inclusive).</summary>
    public static readonly DateTimeOffset EarliestTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Latest call start accepted (exclusive).</summary>
    public static readonly DateTimeOffset LatestTime = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The most use one interim or terminate may report: 24 hours. More is a buggy or hostile switch.</summary>
    public const int MaxReportSeconds = 24 * 3600;

    /// <summary>The longest call: 7 days, for CDR durations and the sum of a session's reports.</summary>
    public const int MaxCallSeconds = 7 * 24 * 3600;

    /// <summary>
    /// The largest single amount (a top-up, an opening balance, a credit limit, a rate deck's per-minute rate or
    /// connect fee). A 7-day call at the highest rate costs about 10^13, so charges and reservations stay far inside
    /// decimal's range (about 7.9 × 10^28).
    /// </summary>
    public const decimal MaxAmount = 1_000_000_000m;

    /// <summary>Amounts carry at most this many decimals, the precision of a rated charge.</summary>
    public const int MaxAmountDecimals = 4;

    public static string? CheckTime(DateTimeOffset value, string name) =>
        value < EarliestTime || value >= LatestTime
            ? $"{name} must lie from 2000-01-01 to 2099-12-31 (UTC); it was {value.ToString("O", CultureInfo.InvariantCulture)}"
            : null;

    /// <summary>
    /// How far ahead of the platform's clock a call may say it started: about one billing period. A call is charged
    /// when it is reported but invoiced with the period it started in, so a start in 2099 would leave its charge off
    /// every invoice for decades; within this bound it waits at most one run more.
    /// </summary>
    public static readonly TimeSpan MaxStartAhead = TimeSpan.FromDays(31);

    public static string? CheckNotAhead(DateTimeOffset start, DateTimeOffset now, string name) =>
        start > now + MaxStartAhead
            ? string.Create(CultureInfo.InvariantCulture, $"{name} {start:O} is in the future: a call may start at most {MaxStartAhead.TotalDays:0} days after the platform's clock ({now:O})")
            : null;

    public static string? CheckReportSeconds(int value, string name) =>
        value is < 0 or > MaxReportSeconds
            ? $"{name} must be from 0 to {MaxReportSeconds} seconds (24 hours) per report; it was {value}"
            : null;

    /// <summary>An amount from 0 (or above it when <paramref name="positive"/>) to <see cref="MaxAmount"/> with at most 4 decimals.</summary>
    public static string? CheckAmount(decimal value, string name, bool positive)
    {
        if (positive ? value <= 0m : value < 0m)
        {
            return positive ? $"{name} must be greater than 0" : $"{name} must not be negative";
        }

        if (value > MaxAmount)
        {
            return $"{name} must be at most {MaxAmount.ToString(CultureInfo.InvariantCulture)}";
        }

        return value.Scale > MaxAmountDecimals && decimal.Round(value, MaxAmountDecimals) != value
            ? $"{name} must have at most {MaxAmountDecimals} decimals"
            : null;
    }
}
