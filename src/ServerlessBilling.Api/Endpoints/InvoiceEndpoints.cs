using Microsoft.AspNetCore.Http;
using ServerlessBilling.Api.Contracts;
using ServerlessBilling.Api.Http;
using ServerlessBilling.Core.Invoicing;

namespace ServerlessBilling.Api.Endpoints;

/// <summary>Handlers of the invoicing endpoints: the run, invoices by account and by id, and their documents.</summary>
public static class InvoiceEndpoints
{
    /// <summary>Runs what the timer runs, now; an empty body (or no period) runs as the timer does.</summary>
    public static async Task<IResult> Run(HttpRequest http, InvoiceRunService service, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestReader.ReadOptionalJsonAsync(http, new InvoiceRunBody(null), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var outcome = await service.RunAsync(body!.Period, cancellationToken);
        if (outcome.Error is { } error)
        {
            return Problems.From(error);
        }

        return Results.Ok(outcome.Answer!);
    }

    public static async Task<IResult> ListForAccount(string accountId, InvoiceReader reader, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckId(accountId, "accountId") is { } bad)
        {
            return bad;
        }

        var outcome = await reader.ListAsync(accountId, cancellationToken);
        return outcome.Error is { } error ? Problems.From(error) : Results.Ok(new InvoiceListResponse(accountId, outcome.Answer!.Select(ToResponse).ToList()));
    }

    public static async Task<IResult> Get(string invoiceId, InvoiceReader reader, CancellationToken cancellationToken)
    {
        var outcome = await reader.GetAsync(invoiceId, cancellationToken);
        return outcome.Error is { } error ? Problems.From(error) : Results.Ok(ToResponse(outcome.Answer!));
    }

    public static async Task<IResult> Document(string invoiceId, string? format, InvoiceReader reader, CancellationToken cancellationToken)
    {
        var outcome = await reader.RenderAsync(invoiceId, format ?? "html", cancellationToken);
        if (outcome.Error is { } error)
        {
            return Problems.From(error);
        }

        var document = outcome.Answer!;
        // PDFs download under their invoice's name; HTML shows in the browser.
        return Results.File(document.Content, document.ContentType, document.ContentType == "application/pdf" ? document.FileName : null);
    }

    public static InvoiceResponse ToResponse(Invoice i) =>
        new(
            i.InvoiceId,
            i.InvoiceNumber,
            i.Kind == InvoiceKind.Statement ? "statement" : "invoice",
            i.AccountId,
            i.AccountName,
            i.Period,
            i.PeriodStart,
            i.PeriodEnd,
            i.Currency,
            Lines(i.Lines),
            i.LateUsage.Select(s => new LateUsageResponse(s.Period, Lines(s.Lines), s.Subtotal)).ToList(),
            i.Subtotal,
            WireNames.Tax(i.TaxTreatment),
            i.TaxRate,
            i.Tax,
            i.Total,
            i.TaxNote,
            i.IssuedAt,
            i.DueDate,
            i.Balances is { } b ? new StatementBalancesResponse(b.OpeningBalance, b.TopUps, b.Usage, b.ClosingBalance) : null);

    private static List<InvoiceLineResponse> Lines(IReadOnlyList<InvoiceLine> lines) =>
        lines.Select(l => new InvoiceLineResponse(l.Destination, l.Calls, l.BilledSeconds, l.Amount)).ToList();
}
