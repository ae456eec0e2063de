namespace ServerlessBilling.Api.Contracts;

public sealed record InvoiceRunBody(string? Period);

public sealed record InvoiceLineResponse(string Destination, int Calls, long BilledSeconds, decimal Amount);

public sealed record LateUsageResponse(string Period, IReadOnlyList<InvoiceLineResponse> Lines, decimal Subtotal);

public sealed record StatementBalancesResponse(decimal OpeningBalance, decimal TopUps, decimal Usage, decimal ClosingBalance);

public sealed record InvoiceResponse(
    string InvoiceId,
    string InvoiceNumber,
    string Kind,
    string AccountId,
    string AccountName,
    string Period,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    string Currency,
    IReadOnlyList<InvoiceLineResponse> Lines,
    IReadOnlyList<LateUsageResponse> LateUsage,
    decimal Subtotal,
    string TaxTreatment,
    decimal TaxRate,
    decimal Tax,
    decimal Total,
    string? TaxNote,
    DateTimeOffset IssuedAt,
    DateOnly? DueDate,
    StatementBalancesResponse? Balances);

public sealed record InvoiceListResponse(string AccountId, IReadOnlyList<InvoiceResponse> Items);
