using System.Collections.Concurrent;

namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>Keeps documents in memory (tests, and hosts that serve documents only by rendering them on request).</summary>
public sealed class InMemoryDocumentSink : IDocumentSink
{
    private readonly ConcurrentDictionary<string, (string ContentType, byte[] Content)> _documents = new(StringComparer.Ordinal);

    public Task PutAsync(string name, string contentType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        _documents[name] = (contentType, content.ToArray());
        return Task.CompletedTask;
    }

    public IReadOnlyDictionary<string, (string ContentType, byte[] Content)> Documents => _documents;
}
