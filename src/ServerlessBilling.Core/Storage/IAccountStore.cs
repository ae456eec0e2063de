using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Core.Storage;

/// <summary>Account documents with optimistic concurrency: every write names the ETag it read.</summary>
public interface IAccountStore
{
    Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>Creates the document; null when one with that id exists already.</summary>
    Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken);

    /// <summary>Replaces the document when its ETag is still <paramref name="ifMatch"/>; null when it is not (HTTP 412).</summary>
    Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken);

    /// <summary>Accounts holding a reservation that expires at or before <paramref name="instant"/>.</summary>
    IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken);
}
