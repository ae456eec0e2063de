using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Money;

namespace ServerlessBilling.Core.Invoicing;

/// <summary>
/// Builds an invoice from a closed period's totals in the account document: a pure function, so that every
/// run that builds it (a retry, a concurrent run, the recovery of a crashed one) builds the same one.
/// </summary>
public static class InvoiceBuilder
{
    public const string ReverseChargeNote =
        "Reverse charge: VAT is to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC).";

    public const string ExemptNote = "Exempt from VAT.";

    /// <summary>
    /// The invoice of <paramref name="totals"/> (the period's own usage by destination, then each late section).
    /// Each line is its destination's charges (4 decimals each) summed exactly and rounded once to 2 decimals.
    /// </summary>
    public static Invoice Build(AccountState account, PeriodTotals totals, NumberReservation reservation, InvoiceIssuer? issuer = null)
    {
        var settings = account.Settings;
        var lines = Lines(totals);
        var late = totals.Late.Values.Select(Section).Where(s => s.Lines.Count > 0).ToList();
        var subtotal = lines.Sum(l => l.Amount) + late.Sum(s => s.Subtotal);
        var statement = ModeOf(account, totals) == AccountMode.Prepaid;

        // A statement reports what pre-paid credit paid for; it charges nothing, so it carries no tax.
        var rate = statement ? 0m : settings.Tax.EffectiveRate;
        var tax = Rounding.Invoice(subtotal * rate);
        var zone = BillingPeriod.FindTimeZone(settings.TimeZone);
        var issuedLocal = TimeZoneInfo.ConvertTime(reservation.IssuedAt, zone);
        return new Invoice
        {
            InvoiceId = reservation.InvoiceId,
            InvoiceNumber = reservation.Number,
            Kind = statement ? InvoiceKind.Statement : InvoiceKind.Invoice,
            Issuer = issuer is { IsSet: true } ? issuer : null,
            AccountId = account.AccountId,
            AccountName = settings.Name,
            Period = totals.Label,
            PeriodStart = totals.Start,
            PeriodEnd = totals.End,
            TimeZone = settings.TimeZone,
            Currency = settings.Currency.Code,
            Lines = lines,
            LateUsage = late,
            Subtotal = subtotal,
            TaxTreatment = settings.Tax.Treatment,
            TaxRate = rate,
            Tax = tax,
            Total = subtotal + tax,
            TaxNote = statement ? null : settings.Tax.Treatment switch
            {
                TaxTreatment.ReverseCharge => ReverseChargeNote,
                TaxTreatment.Exempt => ExemptNote,
                _ => null,
            },
            IssuedAt = reservation.IssuedAt,
            DueDate = statement ? null : DateOnly.FromDateTime(issuedLocal.DateTime).AddDays(settings.PaymentTermsDays),
            Balances = statement ? Balances(account, totals) : null,
        };
    }

    /// <summary>
    /// The mode the period (or part) of <paramref name="totals"/> ran under, which decides its document: the account's
    /// mode when it never changed (see <see cref="PeriodBook.ModeOf"/>).
    /// </summary>
    public static AccountMode ModeOf(AccountState account, PeriodTotals totals) => account.PeriodBook.ModeOf(totals, account.Settings);

    /// <summary>The balance moves by the exact (4-decimal) charges; the lines above show them rounded per destination.</summary>
    private static StatementBalances Balances(AccountState account, PeriodTotals totals)
    {
        var (opening, closing) = account.StatementBalances(totals.Label);
        return new StatementBalances(opening, totals.TopUps, totals.UsageAmount, closing);
    }

    private static LateUsageSection Section(PeriodTotals late)
    {
        var lines = Lines(late);
        return new LateUsageSection(late.Label, lines, lines.Sum(l => l.Amount));
    }

    /// <summary>A line per destination with usage, in <see cref="DestinationOrder"/> (the totals are in ordinal order).</summary>
    private static List<InvoiceLine> Lines(PeriodTotals totals) =>
        totals.ByDestination
            .Where(d => d.Value.Calls != 0 || d.Value.BilledSeconds != 0 || d.Value.Amount != 0m)
            .Select(d => new InvoiceLine(d.Key, d.Value.Calls, d.Value.BilledSeconds, Rounding.Invoice(d.Value.Amount)))
            .OrderBy(l => l.Destination, DestinationOrder.Instance)
            .ToList();
}
