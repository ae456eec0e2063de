using System.Collections.Concurrent;
using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Core.Storage.InMemory;

public sealed class InMemoryTopUpStore : ITopUpStore
{
    private readonly ConcurrentDictionary<(string Account, string TopUpId), TopUpRecord> _records = new();

    public Task<TopUpRecord?> FindAsync(string accountId, string topUpId, CancellationToken cancellationToken) =>
        Task.FromResult(_records.GetValueOrDefault((accountId, topUpId)));

    public Task<bool> TryCreateAsync(TopUpRecord record, CancellationToken cancellationToken) =>
        Task.FromResult(_records.TryAdd((record.AccountId, record.TopUpId), record));
}
