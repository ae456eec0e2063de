using System.Runtime.CompilerServices;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Testing;

/// <summary>An account store that refuses every replace of one account (<see cref="Refused"/>) as the Cosmos adapter refuses a document over 2 MB.</summary>
public sealed class RefusingAccountStore(IAccountStore inner, string? refused = null) : IAccountStore
{
    private volatile string? _refused = refused;

    /// <summary>The account whose replaces are refused from now on; null: none.</summary>
    public string? Refused
    {
        get => _refused;
        set => _refused = value;
    }

    public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) => inner.GetAsync(accountId, cancellationToken);

    public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken) => inner.TryCreateAsync(account, cancellationToken);

    public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken) =>
        account.AccountId == _refused
            ? throw new StoreRefusedException("replace account: the document is larger than Cosmos DB holds (2 MB) (413 RequestEntityTooLarge)") { Store = "account store" }
            : inner.TryReplaceAsync(account, ifMatch, cancellationToken);

    public async IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var id in inner.FindExpiringAsync(instant, cancellationToken))
        {
            yield return id;
        }
    }
}
