using System.Text;
using static ServerlessBilling.Core.Invoicing.Documents.InvoiceDocuments;

namespace ServerlessBilling.Core.Invoicing.Documents;

/// <summary>A self-contained HTML page (inline style, no script, no external resource) for an invoice or statement.</summary>
internal static class InvoiceHtml
{
    private const string Style = """
        body{font-family:"DejaVu Sans",Arial,sans-serif;color:#1d2733;max-width:46rem;margin:2rem auto;padding:0 1rem;font-size:14px}
        h1{font-size:1.6rem;margin:0 0 .2rem}h2{font-size:1.05rem;margin:1.6rem 0 .4rem}
        .meta{display:grid;grid-template-columns:auto 1fr;gap:.15rem 1rem;margin:1rem 0}.meta dt{color:#5b6673}.meta dd{margin:0}
        table{width:100%;border-collapse:collapse}th,td{padding:.35rem .4rem;border-bottom:1px solid #dde2e8}
        th{text-align:left;background:#f1f4f7;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
        .totals{margin-left:auto;width:20rem;margin-top:1rem}.totals td{border:none}.grand td{font-weight:700;border-top:2px solid #1d2733}
        .issuer{float:right;font-style:normal;text-align:right;line-height:1.35;margin:0 0 1rem 1rem}.issuer strong{font-size:1.05rem}
        .note{margin-top:1.2rem;padding:.6rem .8rem;background:#f7f3e8;border-left:3px solid #c9a227}.muted{color:#5b6673}
        """;

    public static string Render(Invoice invoice)
    {
        var html = new StringBuilder(4096);
        var title = Title(invoice);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(Encode($"{title} {invoice.InvoiceNumber}")).Append("</title><style>").Append(Style).Append("</style></head><body>\n");
        if (invoice.Issuer is { } issuer)
        {
            html.Append("<address class=\"issuer\"><strong>").Append(Encode(issuer.Name)).Append("</strong>");
            foreach (var line in issuer.DetailLines())
            {
                html.Append("<br>").Append(Encode(line));
            }

            html.Append("</address>\n");
        }

        html.Append("<h1>").Append(title).Append(' ').Append(Encode(invoice.InvoiceNumber)).Append("</h1>\n");
        html.Append("<p class=\"muted\">").Append(Encode(invoice.AccountName)).Append(" (account ").Append(Encode(invoice.AccountId)).Append(")</p>\n");
        html.Append("<dl class=\"meta\">");
        Meta(html, "Period", PeriodText(invoice));
        Meta(html, "Issued", Date(IssueDate(invoice)));
        if (invoice.DueDate is { } due)
        {
            Meta(html, "Due", Date(due));
        }

        Meta(html, "Currency", invoice.Currency);
        html.Append("</dl>\n");

        html.Append("<h2>Usage in the period</h2>\n");
        Lines(html, invoice.Lines, invoice.Currency);
        foreach (var late in invoice.LateUsage)
        {
            html.Append("<h2>Late usage from ").Append(Encode(late.Period)).Append("</h2>\n");
            html.Append("<p class=\"muted\">Calls of ").Append(Encode(late.Period)).Append(" that reached us after its invoice was issued.</p>\n");
            Lines(html, late.Lines, invoice.Currency);
        }

        html.Append("<table class=\"totals\">");
        Total(html, "Subtotal", Amount(invoice.Subtotal), false);
        if (invoice.Kind == InvoiceKind.Invoice)
        {
            Total(html, TaxLabel(invoice), Amount(invoice.Tax), false);
        }

        Total(html, invoice.Kind == InvoiceKind.Statement ? "Usage charged" : "Total due", $"{Amount(invoice.Total)} {invoice.Currency}", true);
        html.Append("</table>\n");
        if (invoice.Balances is { } b)
        {
            html.Append("<h2>Balance</h2>\n<table class=\"totals\">");
            Total(html, "Opening balance", Balance(b.OpeningBalance), false);
            Total(html, "Top-ups", Balance(b.TopUps), false);
            Total(html, "Usage", Balance(-b.Usage), false);
            Total(html, "Closing balance", $"{Balance(b.ClosingBalance)} {invoice.Currency}", true);
            html.Append("</table>\n<p class=\"muted\">Pre-paid account: nothing is due.</p>\n");
        }

        if (invoice.TaxNote is { } note)
        {
            html.Append("<p class=\"note\">").Append(Encode(note)).Append("</p>\n");
        }

        if (invoice.DueDate is { } payBy)
        {
            html.Append("<p>Please pay ").Append(Encode($"{Amount(invoice.Total)} {invoice.Currency}")).Append(" by ").Append(Date(payBy))
                .Append(", quoting ").Append(Encode(invoice.InvoiceNumber)).Append(".</p>\n");
        }

        return html.Append("</body></html>\n").ToString();
    }

    private static void Meta(StringBuilder html, string name, string value) =>
        html.Append("<dt>").Append(name).Append("</dt><dd>").Append(Encode(value)).Append("</dd>");

    private static void Lines(StringBuilder html, IReadOnlyList<InvoiceLine> lines, string currency)
    {
        if (lines.Count == 0)
        {
            html.Append("<p class=\"muted\">No calls.</p>\n");
            return;
        }

        html.Append("<table><thead><tr><th>Destination</th><th class=\"n\">Calls</th><th class=\"n\">Billed seconds</th><th class=\"n\">Amount (")
            .Append(Encode(currency)).Append(")</th></tr></thead><tbody>\n");
        foreach (var line in lines)
        {
            html.Append("<tr><td>").Append(Encode(line.Destination)).Append("</td><td class=\"n\">").Append(Count(line.Calls))
                .Append("</td><td class=\"n\">").Append(Count(line.BilledSeconds)).Append("</td><td class=\"n\">").Append(Amount(line.Amount)).Append("</td></tr>\n");
        }

        html.Append("</tbody></table>\n");
    }

    private static void Total(StringBuilder html, string name, string value, bool grand) =>
        html.Append(grand ? "<tr class=\"grand\">" : "<tr>").Append("<td>").Append(Encode(name)).Append("</td><td class=\"n\">").Append(Encode(value)).Append("</td></tr>");
}
