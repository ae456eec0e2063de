using System.Collections.Concurrent;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Monitoring;

/// <summary>
/// The embedded stores' change feed: the newest written version of each account, coalesced. A busy account that is
/// written a thousand times between two reads is judged once, on its newest state, so monitoring keeps up with any
/// write rate with memory bounded by the number of accounts; the rules read state, so nothing is lost by coalescing
/// (an overrun session that later calls push out of the document leaves a note in it: <see cref="Accounts.SessionBook.PastOverruns"/>).
/// </summary>
public sealed class AccountChangeStream
{
    private readonly ConcurrentDictionary<string, AccountState> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0);
    private int _signalled;

    public void Publish(AccountState account)
    {
        // A write on the credit-control path pays a look-up and an update in place once the account is pending: no
        // delegate, and no AddOrUpdate<TArg> (a generic method, looked up at run time on every call from shared code).
        var id = account.AccountId;
        while (true)
        {
            if (_pending.TryGetValue(id, out var pending))
            {
                if (pending.Revision > account.Revision || _pending.TryUpdate(id, account, pending))
                {
                    break;
                }
            }
            else if (_pending.TryAdd(id, account))
            {
                break;
            }

            // Taken or written by another meanwhile: look again.
        }

        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _signal.Release();
        }
    }

    /// <summary>Waits for changes, then takes every pending account (newest version each).</summary>
    public Task<IReadOnlyList<AccountState>> ReadAsync(CancellationToken cancellationToken) => ReadAsync(TimeSpan.Zero, cancellationToken);

    /// <summary>
    /// Waits for changes, lets more gather for <paramref name="gather"/> (the writes in that time coalesce, and the reader
    /// wakes once for them instead of once per write), then takes every pending account (newest version each).
    /// </summary>
    public async Task<IReadOnlyList<AccountState>> ReadAsync(TimeSpan gather, CancellationToken cancellationToken)
    {
        await _signal.WaitAsync(cancellationToken);
        if (gather > TimeSpan.Zero)
        {
            await Task.Delay(gather, cancellationToken);
        }

        // Reset before taking: a change published from here on signals again, so none is left behind.
        Interlocked.Exchange(ref _signalled, 0);
        var batch = new List<AccountState>();
        foreach (var (id, _) in _pending)
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

    public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken) =>
        PublishWritten(inner.TryCreateAsync(account, cancellationToken), account);

    public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken) =>
        PublishWritten(inner.TryReplaceAsync(account, ifMatch, cancellationToken), account);

    /// <summary>As the store observed: the updater's read with no task when the store answers at once.</summary>
    public ValueTask<Versioned<AccountState>?> ReadForWriteAsync(string accountId, CancellationToken cancellationToken) =>
        inner.ReadForWriteAsync(accountId, cancellationToken);

    /// <summary>As <see cref="TryReplaceAsync"/>, with no task when the store answers at once.</summary>
    public ValueTask<string?> TryReplaceNowAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
    {
        var write = inner.TryReplaceNowAsync(account, ifMatch, cancellationToken);
        if (!write.IsCompletedSuccessfully)
        {
            return new(PublishWhenWrittenAsync(write.AsTask(), account));
        }

        if (write.Result is not null)
        {
            changes.Publish(account);
        }

        return write;
    }

    /// <summary>
    /// Publishes <paramref name="account"/> once <paramref name="write"/> has written it, and answers as the write does: the
    /// write's own task when it has finished (the embedded stores answer at once), with no state machine and no second task.
    /// </summary>
    private Task<string?> PublishWritten(Task<string?> write, AccountState account)
    {
        if (!write.IsCompletedSuccessfully)
        {
            return PublishWhenWrittenAsync(write, account);
        }

        if (write.Result is not null)
        {
            changes.Publish(account);
        }

        return write;
    }

    private async Task<string?> PublishWhenWrittenAsync(Task<string?> write, AccountState account)
    {
        var etag = await write;
        if (etag is not null)
        {
            changes.Publish(account);
        }

        return etag;
    }

    public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) => inner.FindExpiringAsync(instant, cancellationToken);
}
