using System.Security.Cryptography;
using System.Text;
using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Cosmos;

/// <summary>
/// The document id of a session. A Cosmos DB id cannot hold <c>/ \ ? #</c> and is at most 255 characters, while a
/// session id (a SIP Call-ID) may hold the first three and be 256 long. A session id that the general id rule
/// accepts (the session rule before it widened) is its own document id, so documents written before keep their
/// ids; any other is hashed. The hashed form is one character longer than any id the general rule accepts, so the
/// two forms can never meet.
/// </summary>
public static class CosmosSessionIds
{
    private const char HashedMark = '~';

    public static string DocumentId(string sessionId) =>
        Identifiers.IsPlain(sessionId)
            ? sessionId
            : HashedMark + Convert.ToHexStringLower(SHA512.HashData(Encoding.UTF8.GetBytes(sessionId)));
}
