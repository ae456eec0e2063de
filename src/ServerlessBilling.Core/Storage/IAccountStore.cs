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

    /// <summary>
    /// As <see cref="GetAsync"/>, for the one conditional write of a step (<see cref="Accounts.AccountUpdater"/>): a store that
    /// answers at once (the embedded one) answers with no task.
    /// </summary>
    ValueTask<Versioned<AccountState>?> ReadForWriteAsync(string accountId, CancellationToken cancellationToken) => new(GetAsync(accountId, cancellationToken));

    /// <summary>As <see cref="TryReplaceAsync"/>, for the one conditional write of a step: a store that answers at once answers with no task.</summary>
    ValueTask<string?> TryReplaceNowAsync(AccountState account, string ifMatch, CancellationToken cancellationToken) => new(TryReplaceAsync(account, ifMatch, cancellationToken));

    /// <summary>
    /// As <see cref="GetAsync"/>, for a reader that goes through many accounts once each (spend monitoring): a store that
    /// keeps its most recently used documents parsed (the memory store) reads a packed one without making it one of them,
    /// so such a reader does not push out the documents credit control and ingestion are using.
    /// </summary>
    Task<Versioned<AccountState>?> PeekAsync(string accountId, CancellationToken cancellationToken) => GetAsync(accountId, cancellationToken);

    /// <summary>Accounts holding a reservation that expires at or before <paramref name="instant"/>.</summary>
    IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken);
}
