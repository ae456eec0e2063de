namespace ServerlessBilling.Core.Invoicing;

/// <summary>
/// What one invoice run did. <see cref="Invoices"/> and <see cref="Statements"/> count documents issued by this
/// run (a run that repeats an earlier one issues none); <see cref="Recovered"/> counts those an interrupted run
/// had numbered and this one finished.
/// </summary>
public sealed record InvoiceRunSummary(
    string? Period,
    DateTimeOffset RanAt,
    int Accounts,
    int Invoices,
    int Statements,
    int Recovered,
    int NothingDue,
    int Failed,
    IReadOnlyList<string> Failures);
