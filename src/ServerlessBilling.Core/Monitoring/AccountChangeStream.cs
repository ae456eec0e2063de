using System.Collections.Concurrent;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Monitoring;

/// <summary>
/// The embedded stores' change feed: the newest written version of each account, coalesced. A busy account that is
/// written a thousand times between two reads is judged once, on its newest state, so monitoring keeps up with any
/// write rate with memory bounded by the number of accounts; the rules read state, so nothing is lost by coalescing.
/// </summary>
public sealed class AccountChangeStream
{
    private readonly ConcurrentDictionary<string, AccountState> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0);
    private int _signalled;

    public void Publish(AccountState account)
    {
        _pending.AddOrUpdate(account.AccountId, account, (_, old) => old.Revision > account.Revision ? old : account);
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _signal.Release();
        }
    }

    /// <summary>Waits for changes, then takes every pending account (newest version each).</summary>
    public async Task<IReadOnlyList<AccountState>> ReadAsync(CancellationToken cancellationToken)
    {
        await _signal.WaitAsync(cancellationToken);
        Interlocked.Exchange(ref _signalled, 0);
        var batch = new List<AccountState>(_pending.Count);
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var account))
            {
                batch.Add(account);
            }
        }

        return batch;
    }
}

/// <summary>An account store that tells the change stream about every document it wrote.</summary>
public sealed class ObservedAccountStore(IAccountStore inner, AccountChangeStream changes) : IAccountStore
{
    public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) => inner.GetAsync(accountId, cancellationToken);

    public async Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken)
    {
        var etag = await inner.TryCreateAsync(account, cancellationToken);
        if (etag is not null)
        {
            changes.Publish(account);
        }

        return etag;
    }

    public async Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
    {
        var etag = await inner.TryReplaceAsync(account, ifMatch, cancellationToken);
        if (etag is not null)
        {
            changes.Publish(account);
        }

        return etag;
    }

    public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) => inner.FindExpiringAsync(instant, cancellationToken);
}
