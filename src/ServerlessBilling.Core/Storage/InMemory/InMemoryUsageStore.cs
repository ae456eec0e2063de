using System.Collections.Concurrent;
using ServerlessBilling.Core.Ingestion;

namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>
/// The embedded usage store, bounded (<see cref="MemoryStoreOptions.MaxUsageRecords"/>): beyond the count the oldest
/// recorded is dropped first. Records are kept compact (<see cref="CompactUsage"/>) and by account, so that a listing
/// reads only its account's records.
/// </summary>
public sealed class InMemoryUsageStore : IUsageStore
{
    private readonly Dictionary<string, Dictionary<string, CompactUsage>> _byAccount = new(StringComparer.Ordinal);
    private readonly Queue<CompactUsage> _oldestFirst = new();
    private readonly SharedText _shared = new();
    private readonly Lock _lock = new();
    private readonly int _max;

    public InMemoryUsageStore()
        : this(new MemoryStoreOptions())
    {
    }

    public InMemoryUsageStore(MemoryStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _max = options.MaxUsageRecords;
    }

    /// <summary>Records kept; for tests and the bench.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _oldestFirst.Count;
            }
        }
    }

    public Task<IReadOnlyDictionary<string, UsageRecord>> FindExistingAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cdrIds);
        var found = new Dictionary<string, UsageRecord>(StringComparer.Ordinal);
        lock (_lock)
        {
            if (_byAccount.TryGetValue(accountId, out var records))
            {
                foreach (var id in cdrIds)
                {
                    if (records.TryGetValue(id, out var record))
                    {
                        found[id] = record.ToRecord();
                    }
                }
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, UsageRecord>>(found);
    }

    public Task<bool> TryCreateAsync(UsageRecord record, CancellationToken cancellationToken)
    {
        var compact = Compact(record);
        lock (_lock)
        {
            return Task.FromResult(Add(compact));
        }
    }

    public Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        // Made compact before the lock: the lock covers only the index, so concurrent account groups wait (and spin) less.
        var compact = new CompactUsage[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            compact[i] = Compact(records[i]);
        }

        var created = new bool[records.Count];
        lock (_lock)
        {
            for (var i = 0; i < compact.Length; i++)
            {
                created[i] = Add(compact[i]);
            }
        }

        return Task.FromResult<IReadOnlyList<bool>>(created);
    }

    public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        List<CompactUsage> within;
        lock (_lock)
        {
            within = _byAccount.TryGetValue(accountId, out var records)
                ? records.Values.Where(r => r.StartTime >= from && r.StartTime < to).ToList()
                : [];
        }

        return Task.FromResult<IReadOnlyList<UsageRecord>>(within
            .OrderBy(r => r.StartTime).ThenBy(r => r.CdrId, StringComparer.Ordinal)
            .Take(limit)
            .Select(r => r.ToRecord())
            .ToList());
    }

    private CompactUsage Compact(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new CompactUsage(record, _shared.Of(record.AccountId), _shared);
    }

    private bool Add(CompactUsage compact)
    {
        if (!_byAccount.TryGetValue(compact.AccountId, out var records))
        {
            records = new Dictionary<string, CompactUsage>(StringComparer.Ordinal);
            _byAccount[compact.AccountId] = records;
        }

        if (!records.TryAdd(compact.CdrId, compact))
        {
            return false;
        }

        _oldestFirst.Enqueue(compact);
        while (_oldestFirst.Count > _max)
        {
            var dropped = _oldestFirst.Dequeue();
            var of = _byAccount[dropped.AccountId];
            of.Remove(dropped.CdrId);
            if (of.Count == 0)
            {
                _byAccount.Remove(dropped.AccountId);
            }
        }

        return true;
    }
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
