using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ServerlessBilling.AzureAdapters.Blob;

namespace ServerlessBilling.AzureAdapters.Tests;

/// <summary>
/// Round thirty-two of the hostile review, on the Blob document sink with Documents:CreateIfNotExists (Azurite,
/// development). The container was created once, behind a Lazy of the creating task: when storage was not reachable at
/// the first document (Azurite started after the Functions app, a network blip), the Lazy kept the failed task, and every
/// later document of every account failed with that first fault until the process restarted: each day's invoice run
/// counted every account as failed, with storage long back.
/// </summary>
public sealed class HostileRoundThirtyTwoBlobTests
{
    [Fact]
    public async Task A_container_creation_that_failed_is_tried_again_by_the_next_document()
    {
        var container = new FlakyContainer(failures: 1);
        var sink = new BlobDocumentSink(container, createContainer: true);

        await Assert.ThrowsAsync<RequestFailedException>(() => sink.PutAsync("invoices/a/a.2026-10.html", "text/html", "<p>1</p>"u8.ToArray(), default));
        await sink.PutAsync("invoices/a/a.2026-10.html", "text/html", "<p>1</p>"u8.ToArray(), default);
        await sink.PutAsync("invoices/b/b.2026-10.html", "text/html", "<p>2</p>"u8.ToArray(), default);

        Assert.Equal(["invoices/a/a.2026-10.html", "invoices/b/b.2026-10.html"], container.Uploaded);
        Assert.Equal(2, container.Creations); // once created, not asked again
    }

    /// <summary>A container whose first creations fail as an unreachable account does; uploads are recorded.</summary>
    private sealed class FlakyContainer(int failures) : BlobContainerClient
    {
        private int _failures = failures;

        public int Creations { get; private set; }

        public List<string> Uploaded { get; } = [];

        public override Task<Response<BlobContainerInfo>> CreateIfNotExistsAsync(
            PublicAccessType publicAccessType = PublicAccessType.None,
            IDictionary<string, string>? metadata = null,
            BlobContainerEncryptionScopeOptions? encryptionScopeOptions = null,
            CancellationToken cancellationToken = default)
        {
            Creations++;
            return _failures-- > 0
                ? Task.FromException<Response<BlobContainerInfo>>(new RequestFailedException("connection refused (127.0.0.1:10000)"))
                : Task.FromResult(Response.FromValue(BlobsModelFactory.BlobContainerInfo(new ETag("1"), DateTimeOffset.UnixEpoch), null!));
        }

        public override Task<Response<BlobContainerInfo>> CreateIfNotExistsAsync(PublicAccessType publicAccessType, IDictionary<string, string> metadata, CancellationToken cancellationToken) =>
            CreateIfNotExistsAsync(publicAccessType, metadata, null, cancellationToken);

        public override BlobClient GetBlobClient(string blobName) => new RecordingBlob(this, blobName);

        private sealed class RecordingBlob(FlakyContainer container, string name) : BlobClient
        {
            public override Task<Response<BlobContentInfo>> UploadAsync(BinaryData content, BlobUploadOptions options, CancellationToken cancellationToken = default)
            {
                container.Uploaded.Add(name);
                return Task.FromResult<Response<BlobContentInfo>>(null!);
            }
        }
    }
}
