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
    int? PaymentTermsDays = null);

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
    int ActiveSessions);

public sealed record RateDeckResponse(string DeckId, int Rows);

public sealed record LineError(int Line, string Reason);
