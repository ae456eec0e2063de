using System.Runtime.CompilerServices;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Testing;

/// <summary>
/// An account store whose writes of one account fail as a store fault does (a throttled or unavailable partition),
/// every time or only the next; the expiring accounts are listed with the failing one first.
/// </summary>
public sealed class FailingAccountStore(IAccountStore inner) : IAccountStore
{
    private volatile string? _failing;
    private volatile bool _once;
    private volatile Exception? _fault;

    /// <summary>True while a write of the account named last is still to fail.</summary>
    public bool Armed => _failing is not null;

    /// <summary>
    /// Every write of <paramref name="accountId"/> fails from now on (null: none does), or only the next with <paramref name="once"/>;
    /// with <paramref name="fault"/> (thrown as is) instead of a <see cref="StoreUnavailableException"/>.
    /// </summary>
    public void Fail(string? accountId, bool once = false, Exception? fault = null)
    {
        _once = once;
        _fault = fault;
        _failing = accountId;
    }

    public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) => inner.GetAsync(accountId, cancellationToken);

    public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken) => inner.TryCreateAsync(account, cancellationToken);

    public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
    {
        if (account.AccountId == _failing)
        {
            if (_once)
            {
                _failing = null;
            }

            throw _fault ?? new StoreUnavailableException($"account '{account.AccountId}' cannot be written (injected)") { Store = "account store" };
        }

        return inner.TryReplaceAsync(account, ifMatch, cancellationToken);
    }

    public async IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        await foreach (var id in inner.FindExpiringAsync(instant, cancellationToken))
        {
            ids.Add(id);
        }

        foreach (var id in ids.OrderBy(id => id == _failing ? 0 : 1))
        {
            yield return id;
        }
    }
}
