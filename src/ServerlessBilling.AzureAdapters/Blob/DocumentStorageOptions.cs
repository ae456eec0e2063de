namespace ServerlessBilling.AzureAdapters.Blob;

/// <summary>Blob storage for invoice documents (section "Documents"). In Azure: ServiceUri and a managed identity; locally: a connection string (Azurite).</summary>
public sealed class DocumentStorageOptions
{
    public const string Section = "Documents";

    /// <summary>A storage connection string: for Azurite and development only.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The Blob service endpoint, e.g. https://account.blob.core.windows.net/ (identity-based access).</summary>
    public string? ServiceUri { get; set; }

    /// <summary>Client id of a user-assigned managed identity; empty for the system-assigned one.</summary>
    public string? ManagedIdentityClientId { get; set; }

    public string Container { get; set; } = "invoice-documents";

    /// <summary>Create the container at first use (Azurite, development); in Azure, Bicep creates it.</summary>
    public bool CreateIfNotExists { get; set; }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString) == string.IsNullOrWhiteSpace(ServiceUri))
        {
            errors.Add("Documents: set exactly one of ConnectionString (Azurite, development) or ServiceUri (managed identity)");
        }

        if (!string.IsNullOrWhiteSpace(ServiceUri) && !Uri.TryCreate(ServiceUri, UriKind.Absolute, out _))
        {
            errors.Add("Documents:ServiceUri must be an absolute URL");
        }

        if (string.IsNullOrWhiteSpace(Container))
        {
            errors.Add("Documents:Container is required");
        }

        return errors;
    }
}
