namespace ServerlessBilling.Core.Storage;

/// <summary>
/// Where rendered documents go (a local folder, Blob storage). Writing a name again replaces the content: a
/// document is a rendering of an immutable invoice, so a rewrite writes the same bytes.
/// </summary>
public interface IDocumentSink
{
    /// <summary>Writes <paramref name="content"/> under <paramref name="name"/> (a relative path such as "invoices/acme/acme.2026-10.pdf").</summary>
    Task PutAsync(string name, string contentType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);
}
