using System.Globalization;

namespace ServerlessBilling.Core.Invoicing;

/// <summary>
/// Deterministic invoice ids and the numbering format. The id is "{accountId}.{yyyy-MM}": account ids carry no
/// '/', '\', '?' or '#', so it is a valid document id and URL segment, and the fixed-length suffix makes it
/// unambiguous (the account is everything before the last 8 characters), which also gives the partition key.
/// </summary>
public static class InvoiceIds
{
    private const int SuffixLength = 8; // ".yyyy-MM"

    public static string For(string accountId, string period) => accountId + "." + period;

    /// <summary>The account and period an invoice id names; false when it is not an invoice id.</summary>
    public static bool TryParse(string? invoiceId, out string accountId, out string period)
    {
        accountId = "";
        period = "";
        if (invoiceId is null || invoiceId.Length <= SuffixLength || invoiceId[^SuffixLength] != '.')
        {
            return false;
        }

        period = invoiceId[^(SuffixLength - 1)..];
        accountId = invoiceId[..^SuffixLength];
        return Accounts.BillingPeriod.TryParseLabel(period, out _, out _) && Cdrs.Identifiers.IsValid(accountId);
    }

    /// <summary>The series of invoice numbers.</summary>
    public const string InvoiceSeries = "INV";

    /// <summary>The series of pre-paid statement numbers: statements are not invoices and take no invoice number.</summary>
    public const string StatementSeries = "STM";

    /// <summary>"INV-2026-000042": numbers run per series and issuing year.</summary>
    public static string Number(string series, int year, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{series}-{year:0000}-{sequence:000000}");
}
