namespace ServerlessBilling.Core.Monitoring;

public enum AlertType
{
    /// <summary>Spend reached a fraction of the credit limit (post-paid) or of the last top-up (pre-paid).</summary>
    ThresholdReached,

    /// <summary>Spend in a rolling window far above the limit's share and the account's own baseline.</summary>
    VelocityAnomaly,

    /// <summary>The account was suspended (by monitoring policy or by an operator).</summary>
    AccountSuspended,

    /// <summary>A switch reported use beyond the grant it had (a buggy or hostile switch, or a late cut-off).</summary>
    GrantOverrun,
}

public static class AlertTypeNames
{
    public static string ToWire(this AlertType type) => type switch
    {
        AlertType.ThresholdReached => "THRESHOLD_REACHED",
        AlertType.VelocityAnomaly => "VELOCITY_ANOMALY",
        AlertType.AccountSuspended => "ACCOUNT_SUSPENDED",
        AlertType.GrantOverrun => "GRANT_OVERRUN",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static string Severity(this AlertType type) => type switch
    {
        AlertType.AccountSuspended or AlertType.VelocityAnomaly => "critical",
        _ => "warning",
    };
}

/// <summary>
/// An alert. Its id is deterministic (account, kind, period or cause), so raising it again — a replayed feed, a
/// second consumer — finds it already stored: each alert exists, and is published, once.
/// </summary>
public sealed record Alert(
    string AlertId,
    string AccountId,
    AlertType Type,
    decimal? Threshold,
    decimal PeriodSpend,
    decimal? CreditLimit,
    DateTimeOffset RaisedAt,
    string Message,
    string Currency);
