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
    private const int PartSuffixLength = 11; // ".yyyy-MM.NN"

    public static string For(string accountId, string period) => accountId + "." + period;

    /// <summary>
    /// The account and period an invoice id names; false when it is not an invoice id. The period is a month, or a later
    /// part of one that a change of mode started ("acme.2026-11.02"): such an id ends in a digit where a month's has its dot.
    /// </summary>
    public static bool TryParse(string? invoiceId, out string accountId, out string period)
    {
        accountId = "";
        period = "";
        foreach (var suffix in (ReadOnlySpan<int>)[SuffixLength, PartSuffixLength])
        {
            if (invoiceId is not null && invoiceId.Length > suffix && invoiceId[^suffix] == '.'
                && Accounts.BillingPeriod.TryParsePartLabel(invoiceId[^(suffix - 1)..], out _, out var part) && (part > 1) == (suffix == PartSuffixLength))
            {
                period = invoiceId[^(suffix - 1)..];
                accountId = invoiceId[..^suffix];
                return Cdrs.Identifiers.IsValid(accountId);
            }
        }

        return false;
    }

    /// <summary>The series of invoice numbers.</summary>
    public const string InvoiceSeries = "INV";

    /// <summary>The series of pre-paid statement numbers: statements are not invoices and take no invoice number.</summary>
    public const string StatementSeries = "STM";

    /// <summary>"INV-2026-000042": numbers run per series and issuing year.</summary>
    public static string Number(string series, int year, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{series}-{year:0000}-{sequence:000000}");
}
