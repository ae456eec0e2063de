using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ServerlessBilling.Api.Access;

/// <summary>
/// The configured keys, held as SHA-256 hashes. A presented key is hashed and compared with every entry in constant
/// time, without stopping at a match, so that neither the time taken nor the lengths of the keys say how close a guess was.
/// </summary>
public sealed class ApiKeyRing
{
    private readonly (byte[] Hash, ApiCaller Caller)[] _entries;

    public ApiKeyRing(IOptions<AuthOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var auth = options.Value;
        _entries =
        [
            .. auth.SwitchKeyList.Select((key, i) => (Hash(key), new ApiCaller($"switch key {i + 1}", ApiRole.Switch))),
            .. auth.AdminKeyList.Select((key, i) => (Hash(key), new ApiCaller($"admin key {i + 1}", ApiRole.Admin))),
        ];
    }

    public bool HasKeys => _entries.Length > 0;

    public int Count(ApiRole role) => _entries.Count(e => e.Caller.Role == role);

    /// <summary>The caller that key belongs to, or null for an unknown key.</summary>
    public ApiCaller? Find(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Hash(presented, hash);
        ApiCaller? found = null;
        foreach (var (entry, caller) in _entries)
        {
            var match = CryptographicOperations.FixedTimeEquals(hash, entry);
            found = match ? caller : found;
        }

        return found;
    }

    private static byte[] Hash(string key)
    {
        var hash = new byte[SHA256.HashSizeInBytes];
        Hash(key, hash);
        return hash;
    }

    /// <summary>The key's SHA-256 without a heap copy of its bytes (a request's key is hashed on every call); the copy is wiped.</summary>
    private static void Hash(string key, Span<byte> hash)
    {
        const int OnStack = 256;
        var length = Encoding.UTF8.GetMaxByteCount(key.Length);
        var rented = length > OnStack ? ArrayPool<byte>.Shared.Rent(length) : null;
        var bytes = rented is null ? stackalloc byte[OnStack] : rented.AsSpan();
        var written = Encoding.UTF8.GetBytes(key, bytes);
        SHA256.HashData(bytes[..written], hash);
        CryptographicOperations.ZeroMemory(bytes[..written]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
