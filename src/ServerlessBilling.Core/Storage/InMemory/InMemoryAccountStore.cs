using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>The embedded account store: the same ETag semantics as Cosmos DB, in process.</summary>
public sealed class InMemoryAccountStore : IAccountStore, IAccountDirectory
{
    private readonly ConcurrentDictionary<string, Versioned<AccountState>> _accounts = new(StringComparer.Ordinal);
    private long _version;

    public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) =>
        Task.FromResult(_accounts.GetValueOrDefault(accountId));

    public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken)
    {
        var created = new Versioned<AccountState>(account, NextETag());
        return Task.FromResult(_accounts.TryAdd(account.AccountId, created) ? created.ETag : null);
    }

    public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
    {
        if (!_accounts.TryGetValue(account.AccountId, out var current) || current.ETag != ifMatch)
        {
            return Task.FromResult<string?>(null);
        }

        var replacement = new Versioned<AccountState>(account, NextETag());
        return Task.FromResult(_accounts.TryUpdate(account.AccountId, replacement, current) ? replacement.ETag : null);
    }

    public async IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        foreach (var (id, account) in _accounts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (account.Value.NextExpiry is { } next && next <= instant)
            {
                yield return id;
            }
        }
    }

    public async IAsyncEnumerable<string> ListAccountIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        foreach (var id in _accounts.Keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }
    }

    public Task<IReadOnlyList<AccountState>> ListPageAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        IReadOnlyList<AccountState> page = _accounts
            .Where(a => after is null || string.CompareOrdinal(a.Key, after) > 0)
            .OrderBy(a => a.Key, StringComparer.Ordinal)
            .Take(limit)
            .Select(a => a.Value.Value)
            .ToList();
        return Task.FromResult(page);
    }

    public IEnumerable<AccountState> All => _accounts.Values.Select(v => v.Value);

    private string NextETag() => "\"" + Interlocked.Increment(ref _version).ToString(CultureInfo.InvariantCulture) + "\"";
}
