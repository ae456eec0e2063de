namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// A billing period [Start, End): from the account's billing day at local midnight in its time zone
/// to the same day of the next month. Includes its start, excludes its end.
/// </summary>
public readonly record struct BillingPeriod
{
    public BillingPeriod(DateTimeOffset start, DateTimeOffset end)
    {
        if (end <= start)
        {
            throw new ArgumentException($"A billing period must end after it starts ({start:O} → {end:O}).", nameof(end));
        }

        Start = start;
        End = end;
    }

    public DateTimeOffset Start { get; }

    public DateTimeOffset End { get; }

    /// <summary>The period's label, the year and month of its local start (e.g. "2026-11").</summary>
    public string Label(TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(Start, zone).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;

    public static BillingPeriod Containing(DateTimeOffset instant, int billingDay, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var month = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        var startLocal = month.AddDays(billingDay - 1);
        if (local.DateTime < startLocal)
        {
            startLocal = startLocal.AddMonths(-1);
        }

        return new BillingPeriod(ToInstant(startLocal, zone), ToInstant(startLocal.AddMonths(1), zone));
    }

    public static BillingPeriod Containing(DateTimeOffset instant, AccountSettings settings) =>
        Containing(instant, settings.BillingDay, FindTimeZone(settings.TimeZone));

    /// <summary>The period labelled <paramref name="yearMonth"/> ("2026-11"): the one starting on the billing day of that month.</summary>
    public static BillingPeriod ForMonth(int year, int month, int billingDay, TimeZoneInfo zone)
    {
        var startLocal = new DateTime(year, month, billingDay, 0, 0, 0, DateTimeKind.Unspecified);
        return new BillingPeriod(ToInstant(startLocal, zone), ToInstant(startLocal.AddMonths(1), zone));
    }

    public static TimeZoneInfo FindTimeZone(string id) =>
        TryFindTimeZone(id, out var zone) ? zone : throw new ArgumentException($"Unknown time zone '{id}'.", nameof(id));

    public static bool TryFindTimeZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id))
        {
            return false;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out zone!);
    }

    /// <summary>Local midnight as an instant; a midnight skipped by a DST change maps to the first valid moment after it.</summary>
    private static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }
}
