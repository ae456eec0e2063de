namespace ServerlessBilling.Api.Contracts;

public sealed record TaxBody(string? Treatment, decimal? Rate);

public sealed record AccountBody(
    string? Name,
    string? Mode,
    string? Currency,
    decimal? CreditLimit,
    bool? HardLimit,
    decimal? InitialBalance,
    string? RateDeckId,
    int? BillingDay,
    string? TimeZone,
    TaxBody? Tax,
    MonitoringBody? Monitoring = null,
    int? PaymentTermsDays = null);

/// <summary>Alert at these fractions of the limit; suspend at <see cref="SuspendAt"/> × the limit (null: alert only).</summary>
public sealed record MonitoringBody(IReadOnlyList<decimal>? Thresholds, decimal? SuspendAt);

public sealed record SuspendBody(string? Reason);

public sealed record TopUpBody(string? TopupId, decimal? Amount);

public sealed record BalanceResponse(
    string AccountId,
    string Mode,
    string Status,
    string Currency,
    decimal Balance,
    decimal Reserved,
    decimal? Available,
    decimal? CreditLimit,
    DateTimeOffset PeriodStart,
    decimal PeriodSpend,
    int ActiveSessions,
    MonitoringResponse Monitoring);

/// <summary>
/// Spend against the limit (pre-paid: against the last credit given) and in rolling windows by call start, and the
/// monitoring status: ok, over-limit or suspended.
/// </summary>
public sealed record MonitoringResponse(
    string Status,
    decimal? SpendOfLimit,
    decimal LastHour,
    decimal Last24Hours,
    decimal Last7Days,
    decimal? DailyBaseline,
    IReadOnlyList<decimal> Thresholds,
    decimal? SuspendAt);

public sealed record AlertResponse(
    string AlertId,
    string AccountId,
    string Type,
    string Severity,
    decimal? Threshold,
    decimal PeriodSpend,
    decimal? CreditLimit,
    string Currency,
    DateTimeOffset RaisedAt,
    string Message);

public sealed record AlertListResponse(IReadOnlyList<AlertResponse> Items);

public sealed record RateDeckResponse(string DeckId, int Rows);

public sealed record LineError(int Line, string Reason);

/// <summary>One account in the administrators' list: its name and the balance answer's figures.</summary>
public sealed record AccountSummaryResponse(
    string AccountId,
    string Name,
    string Mode,
    string Status,
    string Currency,
    decimal Balance,
    decimal Reserved,
    decimal? Available,
    decimal? CreditLimit,
    decimal PeriodSpend,
    int ActiveSessions);

/// <summary>A page of accounts by id; <see cref="Continuation"/> asks for the next page, null on the last.</summary>
public sealed record AccountListResponse(IReadOnlyList<AccountSummaryResponse> Accounts, string? Continuation);

/// <summary>
/// An account's settings in the shape PUT /api/accounts/{accountId} accepts (without the opening balance, which
/// only a create uses), plus its id and status: sent back unchanged, it changes nothing.
/// </summary>
public sealed record AccountSettingsResponse(
    string AccountId,
    string Name,
    string Mode,
    string Currency,
    decimal? CreditLimit,
    bool HardLimit,
    string RateDeckId,
    int BillingDay,
    string TimeZone,
    TaxBody Tax,
    MonitoringBody? Monitoring,
    int PaymentTermsDays,
    string Status);

public sealed record RateDeckListResponse(IReadOnlyList<RateDeckResponse> Decks);
