using System.Security.Cryptography;
using System.Text;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Local.Hosting;

/// <summary>
/// Rendered documents as files under one folder (Local:DocumentsPath). A file is written to a temporary name
/// and moved into place, so a reader never sees half a PDF; a name that would leave the folder is refused.
/// A part of the name longer than a file system takes (an account id of 128 characters outside ASCII is up to
/// 512 bytes; file names stop at 255) is shortened, ending with a hash of the whole part so that it stays unique.
/// </summary>
public sealed class FolderDocumentSink(string root) : IDocumentSink
{
    /// <summary>The most UTF-8 bytes of one part of a path, leaving room for the temporary name's suffix under 255.</summary>
    internal const int MaxPartBytes = 200;

    private readonly string _root = Path.GetFullPath(root);

    public async Task PutAsync(string name, string contentType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(Path.Combine(_root, Shorten(name)));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"document name '{name}' points outside the documents folder", nameof(name));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllBytesAsync(temporary, content.ToArray(), cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The name with each overlong part cut to its start, '~' and 16 hex digits of its hash (the file keeps its extension).</summary>
    internal static string Shorten(string name)
    {
        var parts = name.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (Encoding.UTF8.GetByteCount(part) <= MaxPartBytes)
            {
                continue;
            }

            var extension = i == parts.Length - 1 && Path.GetExtension(part) is { Length: <= 8 } kept ? kept : "";
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(part)).AsSpan(0, 8));
            var budget = MaxPartBytes - Encoding.UTF8.GetByteCount(extension) - 1 - hash.Length;
            var keep = 0;
            for (var bytes = 0; keep < part.Length; )
            {
                var width = char.IsHighSurrogate(part[keep]) && keep + 1 < part.Length ? 2 : 1;
                var size = Encoding.UTF8.GetByteCount(part.AsSpan(keep, width));
                if (bytes + size > budget)
                {
                    break;
                }

                bytes += size;
                keep += width;
            }

            parts[i] = string.Concat(part.AsSpan(0, keep), "~", hash, extension);
        }

        return string.Join('/', parts);
    }
}
