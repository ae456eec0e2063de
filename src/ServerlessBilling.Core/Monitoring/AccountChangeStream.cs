using System.Collections.Concurrent;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Monitoring;

/// <summary>
/// The embedded stores' change feed: the ids of the accounts written since the last read, each once. A busy account that
/// is written a thousand times between two reads is judged once, on its newest state, which the reader takes from the
/// store (<see cref="ReadNewestAsync"/>), so monitoring keeps up with any write rate; the rules read state, so nothing is
/// lost by coalescing (an overrun session that later calls push out of the document leaves a note in it:
/// <see cref="Accounts.SessionBook.PastOverruns"/>). The stream holds ids, not documents: while monitoring is behind
/// (a busy machine, a slow alert sink), the documents written meanwhile are not kept alive beside the store's own
/// (which may hold most of its accounts packed), so the memory it takes is a few bytes an account, whatever their size.
/// </summary>
public sealed class AccountChangeStream
{
    /// <summary>How many documents <see cref="ReadNewestAsync"/> reads from the store at a time.</summary>
    public const int ReadPage = 200;

    private readonly ConcurrentDictionary<string, byte> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0);
    private int _signalled;

    /// <summary>How many accounts are pending (for diagnostics: it takes every lock of the stream's map).</summary>
    public int Pending => _pending.Count;

    /// <summary>Tells the stream that <paramref name="account"/> was written.</summary>
    public void Publish(AccountState account) => Publish(account.AccountId);

    /// <summary>Tells the stream that the account was written (or must be judged again).</summary>
    public void Publish(string accountId)
    {
        // Once the account is pending, a write pays one look-up: nothing is updated or allocated.
        if (!_pending.ContainsKey(accountId))
        {
            _pending.TryAdd(accountId, 0);
        }

        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _signal.Release();
        }
    }

    /// <summary>Waits for changes, then takes the ids of every account written since the last read.</summary>
    public Task<IReadOnlyList<string>> ReadAsync(CancellationToken cancellationToken) => ReadAsync(TimeSpan.Zero, cancellationToken);

    /// <summary>
    /// Waits for changes, lets more gather for <paramref name="gather"/> (the writes in that time coalesce, and the reader
    /// wakes once for them instead of once per write), then takes the ids of every account written since the last read.
    /// </summary>
    public async Task<IReadOnlyList<string>> ReadAsync(TimeSpan gather, CancellationToken cancellationToken)
    {
        await _signal.WaitAsync(cancellationToken);
        if (gather > TimeSpan.Zero)
        {
            await Task.Delay(gather, cancellationToken);
        }

        // Reset before taking: a change published from here on signals again, so none is left behind. An id is taken
        // before its document is read, so a write after the take is either in the document read or published again.
        Interlocked.Exchange(ref _signalled, 0);
        var batch = new List<string>();
        foreach (var (id, _) in _pending)
        {
            if (_pending.TryRemove(id, out _))
            {
                batch.Add(id);
            }
        }

        return batch;
    }

    /// <summary>
    /// The newest stored version of the accounts <paramref name="accountIds"/>[<paramref name="from"/>..] names, at most
    /// <see cref="ReadPage"/> of them (one that no longer exists is left out), how many ids they took, and the ids whose
    /// read failed with the fault: one account that cannot be read holds back no other of the page. Read with
    /// <see cref="IAccountStore.PeekAsync"/>: monitoring does not push the accounts in use out of the memory store's parsed ones.
    /// </summary>
    public static async Task<(IReadOnlyList<AccountState> Accounts, int Taken, IReadOnlyList<(string AccountId, Exception Fault)> Unread)> ReadNewestAsync(
        IAccountStore store, IReadOnlyList<string> accountIds, int from, CancellationToken cancellationToken)
    {
        var taken = Math.Min(ReadPage, accountIds.Count - from);
        var accounts = new List<AccountState>(taken);
        List<(string, Exception)>? unread = null;
        for (var i = from; i < from + taken; i++)
        {
            try
            {
                if (await store.PeekAsync(accountIds[i], cancellationToken) is { } stored)
                {
                    accounts.Add(stored.Value);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                (unread ??= []).Add((accountIds[i], ex));
            }
        }

        return (accounts, taken, unread ?? []);
    }
}

/// <summary>An account store that tells the change stream about every document it wrote.</summary>
public sealed class ObservedAccountStore(IAccountStore inner, AccountChangeStream changes) : IAccountStore
{
    public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) => inner.GetAsync(accountId, cancellationToken);

    public Task<Versioned<AccountState>?> PeekAsync(string accountId, CancellationToken cancellationToken) => inner.PeekAsync(accountId, cancellationToken);

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
