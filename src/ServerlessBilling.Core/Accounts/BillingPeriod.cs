namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// A billing period [Start, End): from the account's billing day at local midnight in its time zone
/// to the same day of the next month. Includes its start, excludes its end. A billing day past the end of a
/// short month falls on that month's last day (31 → 28 February, 30 April), so every month has one period start.
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

    /// <summary>
    /// The period that contains <paramref name="instant"/>: found from its local reading, then checked against the
    /// period's bounds, which decide, so that it always does contain it (where a time zone's clocks jump over local
    /// midnight, the local reading of an instant and the bound can disagree for up to the length of the jump).
    /// </summary>
    public static BillingPeriod Containing(DateTimeOffset instant, int billingDay, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var month = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        if (local.DateTime < StartOf(local.Year, local.Month, billingDay))
        {
            month = month.AddMonths(-1);
        }

        var period = Of(StartOf(month.Year, month.Month, billingDay), billingDay, zone);
        if (instant < period.Start)
        {
            month = month.AddMonths(-1);
            period = Of(StartOf(month.Year, month.Month, billingDay), billingDay, zone);
        }
        else if (instant >= period.End)
        {
            month = month.AddMonths(1);
            period = Of(StartOf(month.Year, month.Month, billingDay), billingDay, zone);
        }

        return period;
    }

    public static BillingPeriod Containing(DateTimeOffset instant, AccountSettings settings) =>
        Containing(instant, settings.BillingDay, FindTimeZone(settings.TimeZone));

    /// <summary>The period labelled year-month ("2026-11"): the one starting on the billing day of that month.</summary>
    public static BillingPeriod ForMonth(int year, int month, int billingDay, TimeZoneInfo zone) =>
        Of(StartOf(year, month, billingDay), billingDay, zone);

    /// <summary>The period with the label <paramref name="label"/> ("yyyy-MM") for these settings; false when the label is malformed.</summary>
    public static bool TryForLabel(string? label, int billingDay, TimeZoneInfo zone, out BillingPeriod period)
    {
        period = default;
        if (!TryParseLabel(label, out var year, out var month))
        {
            return false;
        }

        period = ForMonth(year, month, billingDay, zone);
        return true;
    }

    /// <summary>
    /// The label of the earliest period a call can fall in: the earliest call start accepted is 2000-01-01 UTC
    /// (<see cref="Validation.Bounds.EarliestTime"/>), which is still December 1999 west of UTC, and in the period that
    /// began on a billing day in December 1999 wherever the billing day is after the 1st.
    /// </summary>
    public const string EarliestLabel = "1999-12";

    /// <summary>Reads a period label "yyyy-MM" (from <see cref="EarliestLabel"/> to 9998-12, so that the next month always exists).</summary>
    public static bool TryParseLabel(string? label, out int year, out int month)
    {
        year = 0;
        month = 0;
        return label is { Length: 7 } && label[4] == '-'
            && int.TryParse(label.AsSpan(0, 4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out year)
            && int.TryParse(label.AsSpan(5, 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out month)
            && year is >= 1999 and <= 9998 && month is >= 1 and <= 12 && string.CompareOrdinal(label, EarliestLabel) >= 0;
    }

    /// <summary>How many parts a billing period may have (a change of mode ends one part and starts the next).</summary>
    public const int MaxParts = 20;

    /// <summary>
    /// The month of a period label: "2026-11" for "2026-11" and for its later parts ("2026-11.02"). Labels of one month
    /// sort together, the parts in the order they ran, before the next month's.
    /// </summary>
    public static string MonthOf(string label) => label.Length > 7 ? label[..7] : label;

    /// <summary>Reads a period label: a month ("2026-11", its first part) or a later part of one ("2026-11.02" to "2026-11.20").</summary>
    public static bool TryParsePartLabel(string? label, out string month, out int part)
    {
        month = "";
        part = 0;
        if (label is null || !TryParseLabel(label[..Math.Min(label.Length, 7)], out _, out _))
        {
            return false;
        }

        month = label[..7];
        if (label.Length == 7)
        {
            part = 1;
            return true;
        }

        return label.Length == 10 && label[7] == '.'
            && int.TryParse(label.AsSpan(8, 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out part)
            && part is >= 2 and <= MaxParts;
    }

    /// <summary>The label of the part after <paramref name="label"/> in the same billing period ("2026-11" → "2026-11.02"); null after the last.</summary>
    public static string? NextPart(string label) =>
        TryParsePartLabel(label, out var month, out var part) && part < MaxParts
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{month}.{part + 1:00}")
            : null;

    /// <summary>The label of the month after <paramref name="label"/> ("2026-12" → "2027-01").</summary>
    public static string NextLabel(string label) =>
        TryParseLabel(label, out var year, out var month)
            ? new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(1).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture)
            : throw new ArgumentException($"'{label}' is not a period label (yyyy-MM).", nameof(label));

    /// <summary>The label of the month before <paramref name="label"/> ("2027-01" → "2026-12"); null when there is none (before <see cref="EarliestLabel"/>).</summary>
    public static string? PreviousLabel(string label) =>
        TryParseLabel(label, out var year, out var month)
        && new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(-1).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture) is var before
        && TryParseLabel(before, out _, out _)
            ? before
            : null;

    public static TimeZoneInfo FindTimeZone(string id) =>
        TryFindTimeZone(id, out var zone) ? zone : throw new ArgumentException($"Unknown time zone '{id}'.", nameof(id));

    /// <summary>
    /// Whether <paramref name="id"/> is a zone this machine knows by a name the tz database gives it. The system's zone
    /// folder answers more names than that: <c>localtime</c> (whatever zone the machine is set to, so periods would move
    /// with the host), <c>posixrules</c>, <c>posix/…</c> and <c>right/…</c> copies (the latter count leap seconds, which no
    /// clock does: right/Europe/London starts December an hour early), and paths with an empty segment
    /// (<c>Europe//London</c>). An account's zone must be one a store can be moved to another machine with. And the name
    /// must be the zone's own: a zone .NET has read before is found by its name in any case ("ASIA/TOKYO"), but the zone
    /// folder is not, so such a name would be unknown to the next process (a restart: the account's CDRs a 500).
    /// </summary>
    public static bool IsTimeZoneName(string? id) =>
        TryFindTimeZone(id, out var zone)
        && string.Equals(zone.Id, id, StringComparison.Ordinal)
        && id is not ("localtime" or "posixrules")
        && !id!.StartsWith("posix/", StringComparison.Ordinal)
        && !id.StartsWith("right/", StringComparison.Ordinal)
        && !id.Contains("//", StringComparison.Ordinal);

    /// <summary>
    /// The zone <paramref name="id"/> names, in any case: an account stored before <see cref="IsTimeZoneName"/> asked for
    /// the zone's own name ("ASIA/TOKYO", accepted while the process had read Asia/Tokyo) keeps its zone after a restart,
    /// when the zone folder, whose names are case-sensitive, no longer finds it. Its billing periods, CDRs, invoices and
    /// monitoring would otherwise fail (Unknown time zone) until an operator renamed it.
    /// </summary>
    public static bool TryFindTimeZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id))
        {
            return false;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out zone!)
            || (s_namesInAnyCase.Value.TryGetValue(id, out var own) && TimeZoneInfo.TryFindSystemTimeZoneById(own, out zone!));
    }

    /// <summary>The names of this machine's zones, found by a name in any case: the system's list, and the zone folder's files.</summary>
    private static readonly Lazy<Dictionary<string, string>> s_namesInAnyCase = new(() =>
    {
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var zone in TimeZoneInfo.GetSystemTimeZones())
        {
            names.TryAdd(zone.Id, zone.Id);
        }

        var folder = Environment.GetEnvironmentVariable("TZDIR") is { Length: > 0 } tzdir ? tzdir : "/usr/share/zoneinfo";
        try
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                var name = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
                names.TryAdd(name, name);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No zone folder (Windows) or part of it unreadable: the system's list is what there is.
        }

        return names;
    });

    /// <summary>Local midnight of the billing day in that month, the day moved back to the month's last day when the month is shorter.</summary>
    private static DateTime StartOf(int year, int month, int billingDay) =>
        new(year, month, Math.Min(billingDay, DateTime.DaysInMonth(year, month)), 0, 0, 0, DateTimeKind.Unspecified);

    private static BillingPeriod Of(DateTime startLocal, int billingDay, TimeZoneInfo zone)
    {
        var nextMonth = new DateTime(startLocal.Year, startLocal.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(1);
        return new BillingPeriod(ToInstant(startLocal, zone), ToInstant(StartOf(nextMonth.Year, nextMonth.Month, billingDay), zone));
    }

    /// <summary>
    /// Local midnight as an instant; a midnight skipped by a clock change maps to the first valid moment after it (in
    /// steps of 15 minutes). Valid means that the instant reads back as that local time: <see cref="TimeZoneInfo.IsInvalidTime"/>
    /// misses some skipped times (Pacific/Apia skipped all of 30 December 2011; America/Asuncion's midnight changes
    /// before it kept summer time), and an offset taken for them gives an instant of the day before.
    /// </summary>
    private static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        // A day and a half of steps covers any jump a zone has made; past it, the instant is taken as it is.
        for (var step = 0; ; step++, local = local.AddMinutes(15))
        {
            var last = step == 36 * 4;
            if (zone.IsInvalidTime(local) && !last)
            {
                continue;
            }

            var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
            var instant = new DateTimeOffset(local, offset);
            if (last || TimeZoneInfo.ConvertTime(instant, zone).DateTime == local)
            {
                return instant;
            }
        }
    }
}
