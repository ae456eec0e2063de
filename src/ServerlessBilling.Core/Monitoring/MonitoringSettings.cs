namespace ServerlessBilling.Core.Monitoring;

/// <summary>
/// Per-account monitoring policy (PUT /api/accounts/{id} "monitoring"): alert at these fractions of the credit
/// limit (of the last top-up for pre-paid accounts), and optionally suspend at <see cref="SuspendAt"/> × the limit.
/// </summary>
public sealed record MonitoringSettings(IReadOnlyList<decimal> Thresholds, decimal? SuspendAt)
{
    public static readonly MonitoringSettings Default = new([0.5m, 0.8m, 1.0m], null);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Thresholds.Count > 10)
        {
            errors.Add("monitoring.thresholds may list at most 10 fractions");
        }

        if (Thresholds.Any(t => t is <= 0m or > 10m))
        {
            errors.Add("monitoring.thresholds must be fractions above 0 and at most 10");
        }

        if (SuspendAt is <= 0m or > 10m)
        {
            errors.Add("monitoring.suspendAt must be above 0 and at most 10 (or null: alert only)");
        }

        return errors;
    }

    public bool Equals(MonitoringSettings? other) =>
        other is not null && SuspendAt == other.SuspendAt && Thresholds.SequenceEqual(other.Thresholds);

    public override int GetHashCode() => HashCode.Combine(SuspendAt, Thresholds.Count);
}
