using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Local.Hosting;

/// <summary>
/// Rendered documents as files under one folder (Local:DocumentsPath). A file is written to a temporary name
/// and moved into place, so a reader never sees half a PDF; a name that would leave the folder is refused.
/// </summary>
public sealed class FolderDocumentSink(string root) : IDocumentSink
{
    private readonly string _root = Path.GetFullPath(root);

    public async Task PutAsync(string name, string contentType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(Path.Combine(_root, name));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"document name '{name}' points outside the documents folder", nameof(name));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllBytesAsync(temporary, content.ToArray(), cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }
}
