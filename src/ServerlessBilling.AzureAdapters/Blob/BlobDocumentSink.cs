using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.AzureAdapters.Blob;

/// <summary>
/// Rendered documents as block blobs in one container, named by the document's path
/// ("invoices/{accountId}/{invoiceId}.pdf") with its content type. A rewrite replaces the blob with the same bytes.
/// </summary>
public sealed class BlobDocumentSink(BlobContainerClient container, bool createContainer = false) : IDocumentSink
{
    private readonly Lock _gate = new();

    /// <summary>The container's creation, shared by the documents that wait for it; one that failed is not kept.</summary>
    private Task? _created;

    public async Task PutAsync(string name, string contentType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await CreatedAsync().WaitAsync(cancellationToken);
        var options = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } };
        await container.GetBlobClient(name).UploadAsync(new BinaryData(content), options, cancellationToken);
    }

    /// <summary>
    /// The creation of the container (when asked to create it): started by the first document, and again by the next one
    /// after a creation that failed. Kept failed, it failed every later document with its fault (storage not yet reachable
    /// at the first document) until the process restarted.
    /// </summary>
    private Task CreatedAsync()
    {
        if (!createContainer)
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            if (_created is null || _created.IsFaulted || _created.IsCanceled)
            {
                _created = container.CreateIfNotExistsAsync();
            }

            return _created;
        }
    }
}
