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
    private readonly Lazy<Task> _created = new(() => createContainer ? container.CreateIfNotExistsAsync() : Task.CompletedTask);

    public async Task PutAsync(string name, string contentType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await _created.Value.WaitAsync(cancellationToken);
        var options = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } };
        await container.GetBlobClient(name).UploadAsync(new BinaryData(content), options, cancellationToken);
    }
}
