using System.Globalization;
using System.Net;
using System.Text;
using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Core.Invoicing.Documents;

/// <summary>The human-readable renderings of an invoice (HTML and PDF) and where they are filed.</summary>
public static class InvoiceDocuments
{
    public const string HtmlContentType = "text/html; charset=utf-8";
    public const string PdfContentType = "application/pdf";

    /// <summary>"invoices/{accountId}/{invoiceId}": one folder per account, the extension added per format.</summary>
    public static string BaseName(Invoice invoice) => $"invoices/{invoice.AccountId}/{invoice.InvoiceId}";

    public static byte[] Html(Invoice invoice) => Encoding.UTF8.GetBytes(InvoiceHtml.Render(invoice));

    public static byte[] Pdf(Invoice invoice) => InvoicePdf.Render(invoice);

    internal static string Title(Invoice invoice) => invoice.Kind == InvoiceKind.Statement ? "Statement" : "Invoice";

    internal static string Amount(decimal amount) => amount.ToString("#,##0.00", CultureInfo.InvariantCulture);

    /// <summary>A balance moves by exact 4-decimal charges: show them, so that the statement's sums add up as printed.</summary>
    internal static string Balance(decimal amount) => amount.ToString("#,##0.00##", CultureInfo.InvariantCulture);

    internal static string Count(long value) => value.ToString("#,##0", CultureInfo.InvariantCulture);

    internal static string Date(DateOnly date) => date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>
    /// The period as the customer reads it: first and last local day, e.g. "1 October 2026 – 31 October 2026". The last
    /// day is that of the period's last moment (a period ends before its end): the day before a midnight, the day itself
    /// for a part a change of mode ended during it. A part of late usage alone has no time of its own: its one day.
    /// </summary>
    internal static string PeriodText(Invoice invoice)
    {
        var zone = BillingPeriod.FindTimeZone(invoice.TimeZone);
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(invoice.PeriodStart, zone).DateTime);
        var lastMoment = invoice.PeriodEnd > invoice.PeriodStart ? invoice.PeriodEnd.AddTicks(-1) : invoice.PeriodStart;
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(lastMoment, zone).DateTime);
        return $"{Date(first)} – {Date(last)}";
    }

    internal static DateOnly IssueDate(Invoice invoice) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(invoice.IssuedAt, BillingPeriod.FindTimeZone(invoice.TimeZone)).DateTime);

    /// <summary>
    /// The tax line's name: a standard rate as a percentage with every decimal it has (8.875%, not 8.88%), so the document
    /// states the rate its tax was computed with.
    /// </summary>
    internal static string TaxLabel(Invoice invoice) => invoice.TaxTreatment switch
    {
        TaxTreatment.ReverseCharge => "VAT (reverse charge)",
        TaxTreatment.Exempt => "VAT (exempt)",
        _ => "VAT " + (invoice.TaxRate * 100m).ToString("0.############################", CultureInfo.InvariantCulture) + "%",
    };

    internal static string Encode(string text) => WebUtility.HtmlEncode(text);
}
