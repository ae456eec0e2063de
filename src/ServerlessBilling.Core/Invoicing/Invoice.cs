using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Core.Invoicing;

public enum InvoiceKind
{
    /// <summary>A post-paid invoice: an amount due.</summary>
    Invoice,

    /// <summary>A pre-paid monthly statement: the money's movements, nothing due.</summary>
    Statement,
}

/// <summary>One destination's usage: calls, billed seconds and the amount, rounded once to 2 decimals.</summary>
public sealed record InvoiceLine(string Destination, int Calls, long BilledSeconds, decimal Amount);

/// <summary>Usage of an earlier, already invoiced period that arrived after its invoice ("late usage from 2026-10").</summary>
public sealed record LateUsageSection(string Period, IReadOnlyList<InvoiceLine> Lines, decimal Subtotal);

/// <summary>What a pre-paid statement adds: the balance at the period's close and what moved it.</summary>
public sealed record StatementBalances(decimal OpeningBalance, decimal TopUps, decimal Usage, decimal ClosingBalance);

/// <summary>
/// An issued invoice (or statement); immutable once created. The amounts follow the rounding rules:
/// each line is rounded once, <c>Subtotal = Σ line amounts</c> (late sections included), <c>Tax =
/// round2(Subtotal × TaxRate)</c>, <c>Total = Subtotal + Tax</c>.
/// </summary>
public sealed record Invoice
{
    public required string InvoiceId { get; init; }

    public required string InvoiceNumber { get; init; }

    public InvoiceKind Kind { get; init; } = InvoiceKind.Invoice;

    /// <summary>Who issued it, as configured when it was issued; null when no issuer was configured.</summary>
    public InvoiceIssuer? Issuer { get; init; }

    public required string AccountId { get; init; }

    public required string AccountName { get; init; }

    public required string Period { get; init; }

    public required DateTimeOffset PeriodStart { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }

    public required string TimeZone { get; init; }

    public required string Currency { get; init; }

    public required IReadOnlyList<InvoiceLine> Lines { get; init; }

    public IReadOnlyList<LateUsageSection> LateUsage { get; init; } = [];

    public required decimal Subtotal { get; init; }

    public required TaxTreatment TaxTreatment { get; init; }

    public required decimal TaxRate { get; init; }

    public required decimal Tax { get; init; }

    public required decimal Total { get; init; }

    /// <summary>The legal mention the tax treatment requires (reverse charge, exemption); null for standard tax.</summary>
    public string? TaxNote { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>The last day for payment, in the account's time zone; null on a statement.</summary>
    public DateOnly? DueDate { get; init; }

    public StatementBalances? Balances { get; init; }
}
