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

/// <summary>A top-up; <see cref="Currency"/>, when given, must be the account's (amounts are always in it).</summary>
public sealed record TopUpBody(string? TopupId, decimal? Amount, string? Currency = null);

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

/// <summary>A page of alerts; <c>Continuation</c> is null on the last page, else passed back for the next one.</summary>
public sealed record AlertListResponse(IReadOnlyList<AlertResponse> Items, string? Continuation);

public sealed record RateDeckResponse(string DeckId, int Rows);

public sealed record LineError(int Line, string Reason);

/// <summary>A page of accounts by id; <see cref="Continuation"/> asks for the next page, null on the last.</summary>
public sealed record AccountListResponse(IReadOnlyList<Core.Accounts.BalanceView> Accounts, string? Continuation);

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
