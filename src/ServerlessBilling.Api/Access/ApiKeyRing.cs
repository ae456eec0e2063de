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
        var hash = Hash(presented);
        ApiCaller? found = null;
        foreach (var (entry, caller) in _entries)
        {
            var match = CryptographicOperations.FixedTimeEquals(hash, entry);
            found = match ? caller : found;
        }

        return found;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
