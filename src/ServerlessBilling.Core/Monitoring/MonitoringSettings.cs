namespace ServerlessBilling.Core.Monitoring;

/// <summary>
/// Per-account monitoring policy (PUT /api/accounts/{id} "monitoring"): alert at these fractions of the credit
/// limit (of the last top-up for pre-paid accounts), and optionally suspend at <see cref="SuspendAt"/> × the limit.
/// </summary>
public sealed record MonitoringSettings(IReadOnlyList<decimal> Thresholds, decimal? SuspendAt)
{
    public static readonly MonitoringSettings Default = new([0.5m, 0.8m, 1.0m], null);

    /// <summary>
    /// The smallest fraction (0.01 %). Spend is compared with fraction × limit: below it, that product with the smallest
    /// limit or credit (0.0001) could fall below the smallest decimal and come out 0, which no spend at all reaches already
    /// (an alert and a suspension by policy with nothing spent).
    /// </summary>
    public const decimal MinFraction = 0.0001m;

    public const decimal MaxFraction = 10m;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Thresholds.Count > 10)
        {
            errors.Add("monitoring.thresholds may list at most 10 fractions");
        }

        if (Thresholds.Any(t => t is < MinFraction or > MaxFraction))
        {
            errors.Add("monitoring.thresholds must be fractions from 0.0001 (0.01 %) to 10");
        }

        if (SuspendAt is < MinFraction or > MaxFraction)
        {
            errors.Add("monitoring.suspendAt must be from 0.0001 (0.01 %) to 10 (or null: alert only)");
        }

        return errors;
    }

    public bool Equals(MonitoringSettings? other) =>
        other is not null && SuspendAt == other.SuspendAt && Thresholds.SequenceEqual(other.Thresholds);

    public override int GetHashCode() => HashCode.Combine(SuspendAt, Thresholds.Count);
}
