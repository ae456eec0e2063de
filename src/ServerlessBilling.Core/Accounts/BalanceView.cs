namespace ServerlessBilling.Core.Accounts;

/// <summary>The balance answer of API.md.</summary>
public sealed record BalanceView(
    string AccountId,
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
    Monitoring.SpendFigures Monitoring,
    Monitoring.MonitoringSettings MonitoringPolicy)
{
    public static BalanceView Of(AccountState account, DateTimeOffset now)
    {
        var current = account.RollPeriod(now);
        return new BalanceView(
            current.AccountId,
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
            ServerlessBilling.Core.Monitoring.MonitorRules.FiguresOf(current, now),
            current.Settings.EffectiveMonitoring);
    }
}
