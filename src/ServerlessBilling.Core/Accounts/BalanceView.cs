using ServerlessBilling.Core.Monitoring;

namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// The balance answer, as it goes on the wire: what the account holds and owes now, with its name and the spend
/// monitoring figures. The administrators' account list is a list of these.
/// </summary>
public sealed record BalanceView(
    string AccountId,
    string Name,
    AccountMode Mode,
    AccountStatus Status,
    string Currency,
    decimal Balance,
    decimal Reserved,
    decimal? Available,
    decimal? CreditLimit,
    DateTimeOffset PeriodStart,
    decimal PeriodSpend,
    int ActiveSessions,
    MonitoringView Monitoring)
{
    public static BalanceView Of(AccountState account, DateTimeOffset now)
    {
        var current = account.RollPeriod(now);
        var figures = MonitorRules.FiguresOf(current, now);
        var policy = current.Settings.EffectiveMonitoring;
        return new BalanceView(
            current.AccountId,
            current.Settings.Name,
            current.Settings.Mode,
            current.Status,
            current.Settings.Currency.Code,
            current.Balance,
            current.Reserved,
            current.DisplayAvailable,
            current.Settings.CreditLimit,
            current.PeriodStart,
            current.PeriodSpend,
            current.ActiveSessions,
            new MonitoringView(figures.Status, figures.SpendOfLimit, figures.LastHour, figures.Last24Hours, figures.Last7Days, figures.DailyBaseline, policy.Thresholds, policy.SuspendAt));
    }
}

/// <summary>
/// Spend against the limit (pre-paid: against the last credit given) and in rolling windows by call start, the
/// monitoring status (ok, over-limit or suspended), and the policy: alert at these fractions of the limit, suspend
/// at <see cref="SuspendAt"/> × the limit (null: alert only).
/// </summary>
public sealed record MonitoringView(
    string Status,
    decimal? SpendOfLimit,
    decimal LastHour,
    decimal Last24Hours,
    decimal Last7Days,
    decimal? DailyBaseline,
    IReadOnlyList<decimal> Thresholds,
    decimal? SuspendAt);
