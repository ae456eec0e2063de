namespace ServerlessBilling.Core.Invoicing;

[Flags]
public enum DocumentFormats
{
    None = 0,
    Html = 1,
    Pdf = 2,
    All = Html | Pdf,
}

/// <summary>Settings of the invoice run (section "Invoicing").</summary>
public sealed class InvoiceRunOptions : IValidatedOptions
{
    public const string Section = "Invoicing";

    static string IValidatedOptions.Section => Section;

    /// <summary>
    /// Which renderings the run files through the document sink. A PDF costs milliseconds where the rest of an
    /// invoice costs microseconds; with None, documents are still rendered on request (GET …/document).
    /// </summary>
    public DocumentFormats Documents { get; set; } = DocumentFormats.All;

    /// <summary>How many accounts one run works on at once.</summary>
    public int Parallelism { get; set; } = 8;

    /// <summary>Who issues the invoices, printed at the head of each document.</summary>
    public InvoiceIssuer Issuer { get; set; } = new();

    public IReadOnlyList<string> Validate() =>
        (Parallelism is < 1 or > 256 ? ["Invoicing:Parallelism must be from 1 to 256"] : Array.Empty<string>())
            .Concat(Issuer.Validate())
            .ToList();
}
