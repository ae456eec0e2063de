using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Invoicing.Documents;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Invoicing;

/// <summary>A rendered document of an invoice.</summary>
public sealed record RenderedDocument(string FileName, string ContentType, byte[] Content);

/// <summary>Reads issued invoices and renders their documents (the same renderings the run files).</summary>
public sealed class InvoiceReader(IInvoiceStore invoices, IAccountStore accounts)
{
    public async Task<Outcome<Invoice>> GetAsync(string invoiceId, CancellationToken cancellationToken)
    {
        if (!InvoiceIds.TryParse(invoiceId, out var accountId, out _))
        {
            return OutcomeError.Invalid($"'{invoiceId}' is not an invoice id (accountId.yyyy-MM)");
        }

        return await invoices.GetAsync(accountId, invoiceId, cancellationToken) is { } invoice
            ? invoice
            : OutcomeError.NotFound($"invoice '{invoiceId}' does not exist");
    }

    public async Task<Outcome<IReadOnlyList<Invoice>>> ListAsync(string accountId, CancellationToken cancellationToken)
    {
        if (await accounts.GetAsync(accountId, cancellationToken) is null)
        {
            return OutcomeError.NotFound($"account '{accountId}' does not exist");
        }

        return new Outcome<IReadOnlyList<Invoice>>(await invoices.ListAsync(accountId, cancellationToken), null);
    }

    /// <summary>The document in <paramref name="format"/> ("html" or "pdf").</summary>
    public async Task<Outcome<RenderedDocument>> RenderAsync(string invoiceId, string? format, CancellationToken cancellationToken)
    {
        if (format is not ("html" or "pdf"))
        {
            return OutcomeError.Invalid($"format must be html or pdf, not '{format}'");
        }

        var found = await GetAsync(invoiceId, cancellationToken);
        if (found.Answer is not { } invoice)
        {
            return found.Error!;
        }

        return format == "pdf"
            ? new RenderedDocument(invoice.InvoiceId + ".pdf", InvoiceDocuments.PdfContentType, InvoiceDocuments.Pdf(invoice))
            : new RenderedDocument(invoice.InvoiceId + ".html", InvoiceDocuments.HtmlContentType, InvoiceDocuments.Html(invoice));
    }
}
