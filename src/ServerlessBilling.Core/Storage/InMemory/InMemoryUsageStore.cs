using System.Collections.Concurrent;
using ServerlessBilling.Core.Ingestion;

namespace ServerlessBilling.Core.Storage.InMemory;

public sealed class InMemoryUsageStore : IUsageStore
{
    private readonly ConcurrentDictionary<(string Account, string CdrId), UsageRecord> _records = new();

    public Task<IReadOnlyDictionary<string, UsageRecord>> FindExistingAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, UsageRecord>(StringComparer.Ordinal);
        foreach (var id in cdrIds)
        {
            if (_records.TryGetValue((accountId, id), out var record))
            {
                found[id] = record;
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, UsageRecord>>(found);
    }

    public Task<bool> TryCreateAsync(UsageRecord record, CancellationToken cancellationToken) =>
        Task.FromResult(_records.TryAdd((record.AccountId, record.CdrId), record));

    public Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        var created = new bool[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            created[i] = _records.TryAdd((records[i].AccountId, records[i].CdrId), records[i]);
        }

        return Task.FromResult<IReadOnlyList<bool>>(created);
    }

    public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<UsageRecord>>(_records.Values
            .Where(r => r.AccountId == accountId && r.StartTime >= from && r.StartTime < to)
            .OrderBy(r => r.StartTime).ThenBy(r => r.CdrId, StringComparer.Ordinal)
            .Take(limit)
            .ToList());
}

public sealed class InMemoryQuarantineStore : IQuarantineStore
{
    private readonly ConcurrentDictionary<string, QuarantineRecord> _records = new(StringComparer.Ordinal);

    public Task AddAsync(QuarantineRecord record, CancellationToken cancellationToken)
    {
        _records.TryAdd(record.QuarantineId, record);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<QuarantineRecord>> ListAsync(string? accountId, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<QuarantineRecord>>(_records.Values
            .Where(r => accountId is null || r.AccountId == accountId)
            .OrderByDescending(r => r.ReceivedAt).ThenBy(r => r.QuarantineId, StringComparer.Ordinal)
            .Take(limit)
            .ToList());
}
