namespace ServerlessBilling.Core.Invoicing;

/// <summary>
/// Who issues the invoices (settings "Invoicing:Issuer"): printed at the head of every document. It is copied onto
/// each invoice when the invoice is issued, so that an issued document never changes when the settings do.
/// </summary>
public sealed record InvoiceIssuer
{
    public const int MaxAddressLines = 6;
    private const int MaxLength = 200;

    /// <summary>The legal name; empty = no issuer block (the documents carry only the customer's details).</summary>
    public string Name { get; init; } = "";

    /// <summary>Postal address, one entry per printed line.</summary>
    public IReadOnlyList<string> Address { get; init; } = [];

    /// <summary>A VAT or company registration number, printed as given (e.g. "VAT GB123456789").</summary>
    public string? TaxId { get; init; }

    /// <summary>Where customers ask about the invoice (an e-mail address or a phone number).</summary>
    public string? Contact { get; init; }

    public bool IsSet => !string.IsNullOrWhiteSpace(Name);

    /// <summary>The lines under the name, in print order: address, tax id, contact.</summary>
    public IEnumerable<string> DetailLines() =>
        Address.Where(l => !string.IsNullOrWhiteSpace(l))
            .Concat(new[] { TaxId, Contact }.Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l!));

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Name.Length > MaxLength)
        {
            errors.Add($"Invoicing:Issuer:Name must be at most {MaxLength} characters");
        }

        if (Address.Count > MaxAddressLines || Address.Any(l => l is null || l.Length > MaxLength))
        {
            errors.Add($"Invoicing:Issuer:Address must be at most {MaxAddressLines} lines of at most {MaxLength} characters");
        }

        if (TaxId?.Length > MaxLength || Contact?.Length > MaxLength)
        {
            errors.Add($"Invoicing:Issuer:TaxId and Invoicing:Issuer:Contact must be at most {MaxLength} characters");
        }

        if (!IsSet && (Address.Count > 0 || TaxId is { Length: > 0 } || Contact is { Length: > 0 }))
        {
            errors.Add("Invoicing:Issuer:Name is required when other Invoicing:Issuer settings are given");
        }

        return errors;
    }
}
