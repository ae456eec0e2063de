using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>
/// An account document as the memory store keeps it when it is not in use: its version and next expiry (read without
/// parsing, by conditional writes and the sweeper), then its stored JSON (<see cref="StoredJson"/>, the same as SQLite
/// and Cosmos DB keep) packed by <see cref="PackedJson"/>. Parsing it gives back the document that was packed.
/// </summary>
internal sealed class PackedAccount
{
    private readonly PackedJson _json = new();

    /// <summary>How many names and values the packed documents share.</summary>
    public int SharedCount => _json.SharedCount;

    public byte[] Pack(AccountState account, long version) =>
        _json.PackDocument(account, (ulong)version, account.NextExpiry is { } next ? (ulong)next.UtcTicks + 1 : 0);

    public (AccountState Account, long Version) Unpack(byte[] packed)
    {
        var at = 0;
        var version = (long)PackedJson.ReadVarint(packed, ref at);
        _ = PackedJson.ReadVarint(packed, ref at);
        return (_json.UnpackDocument<AccountState>(packed.AsSpan(at)), version);
    }

    public static long Version(byte[] packed)
    {
        var at = 0;
        return (long)PackedJson.ReadVarint(packed, ref at);
    }

    public static long? NextExpiryUtcTicks(byte[] packed)
    {
        var at = 0;
        _ = PackedJson.ReadVarint(packed, ref at);
        var next = PackedJson.ReadVarint(packed, ref at);
        return next == 0 ? null : (long)(next - 1);
    }
}
