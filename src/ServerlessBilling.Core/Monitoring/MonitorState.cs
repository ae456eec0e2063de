namespace ServerlessBilling.Core.Monitoring;

/// <summary>
/// Monitoring's own per-account document, written with its own conditional write and never on the credit-control
/// path: the newest account revision it has judged, and the figures it saw then (shown with the balance).
/// </summary>
public sealed record MonitorState(string AccountId, long Revision, SpendFigures Figures, DateTimeOffset UpdatedAt, IReadOnlyList<string> Raised)
{
    /// <summary>How many raised alert ids the document remembers (older ones are found in the alert store).</summary>
    public const int RaisedKept = 200;
}

/// <summary>Spend in the rolling windows (by call start) and against the limit, as monitoring last judged it.</summary>
public sealed record SpendFigures(
    decimal LastHour,
    decimal Last24Hours,
    decimal Last7Days,
    decimal? DailyBaseline,
    decimal PeriodSpend,
    decimal? Limit,
    decimal? SpendOfLimit,
    string Status);
