using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.AzureAdapters.Blob;

public static class BlobRegistration
{
    /// <summary>The document sink on Blob storage, from configuration section "Documents".</summary>
    public static IServiceCollection AddBlobDocumentSink(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(DocumentStorageOptions.Section).Get<DocumentStorageOptions>() ?? new DocumentStorageOptions();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Documents settings are invalid: " + string.Join("; ", errors));
        }

        services.AddSingleton<IDocumentSink>(_ => new BlobDocumentSink(CreateContainer(options), options.CreateIfNotExists));
        return services;
    }

    public static BlobContainerClient CreateContainer(DocumentStorageOptions options) =>
        string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new BlobContainerClient(
                new Uri(new Uri(options.ServiceUri!), options.Container),
                new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = options.ManagedIdentityClientId }))
            : new BlobContainerClient(options.ConnectionString, options.Container);
}
