using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Testing;

/// <summary>
/// An account store that freezes on demand, as a store under a network partition does: while frozen, every call
/// waits until it is thawed, ignoring cancellation. <see cref="Stalled"/> completes when the first call is held.
/// </summary>
public sealed class StallingAccountStore(IAccountStore inner) : IAccountStore
{
    private TaskCompletionSource _thaw = NewSource();
    private TaskCompletionSource _stalled = NewSource();
    private volatile bool _frozen;
    private volatile bool _writesOnly;

    public Task Stalled => _stalled.Task;

    /// <param name="writesOnly">Hold only writes: reads answer, so a decision is made and its write lands late.</param>
    public void Freeze(bool writesOnly = false)
    {
        _thaw = NewSource();
        _stalled = NewSource();
        _writesOnly = writesOnly;
        _frozen = true;
    }

    public void Thaw()
    {
        _frozen = false;
        _thaw.TrySetResult();
    }

    public async Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        if (!_writesOnly)
        {
            await HoldAsync();
        }

        return await inner.GetAsync(accountId, cancellationToken);
    }

    public async Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken)
    {
        await HoldAsync();
        return await inner.TryCreateAsync(account, CancellationToken.None);
    }

    public async Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
    {
        await HoldAsync();
        return await inner.TryReplaceAsync(account, ifMatch, CancellationToken.None);
    }

    public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) =>
        inner.FindExpiringAsync(instant, cancellationToken);

    private Task HoldAsync()
    {
        if (!_frozen)
        {
            return Task.CompletedTask;
        }

        _stalled.TrySetResult();
        return _thaw.Task;
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
