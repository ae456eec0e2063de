using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBilling.Core.Ingestion;

namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>
/// The embedded usage store, bounded (<see cref="MemoryStoreOptions.MaxUsageRecords"/>): beyond the count the oldest
/// recorded is dropped first, and the first drop is logged once. Records are packed (<see cref="UsageLog"/>); each
/// links to its account's previous one, so that a listing reads only its account's records.
/// </summary>
public sealed class InMemoryUsageStore : IUsageStore
{
    private readonly UsageLog _log = new();
    private readonly Dictionary<string, AccountSlot> _accounts = new(StringComparer.Ordinal);
    private readonly List<string?> _accountIds = [];
    private readonly Stack<int> _freeAccountNumbers = new();
    private readonly UsageIds _ids;
    private byte[] _probe = new byte[64];
    private readonly Lock _lock = new();
    private readonly int _max;
    private readonly ILogger _logger;
    private bool _dropping;

    /// <summary>The accounts some of whose records the bound has dropped (see <see cref="FindUnrecordedAsync"/>).</summary>
    private readonly HashSet<string> _droppedFrom = new(StringComparer.Ordinal);

    private static readonly Task<IReadOnlyList<string>> NoneMissing = Task.FromResult<IReadOnlyList<string>>([]);

    private static readonly Task<IReadOnlyDictionary<string, UsageRecord>> NothingFound =
        Task.FromResult<IReadOnlyDictionary<string, UsageRecord>>(System.Collections.Frozen.FrozenDictionary<string, UsageRecord>.Empty);

    public InMemoryUsageStore()
        : this(new MemoryStoreOptions())
    {
    }

    public InMemoryUsageStore(MemoryStoreOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _max = options.MaxUsageRecords;
        _logger = logger ?? NullLogger.Instance;
        _ids = new UsageIds(_log);
    }

    /// <summary>Records kept; for tests and the bench.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return (int)_log.Count;
            }
        }
    }

    public Task<IReadOnlyDictionary<string, UsageRecord>> FindExistingAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cdrIds);
        Dictionary<string, UsageRecord>? found = null;
        lock (_lock)
        {
            if (_accounts.TryGetValue(accountId, out var slot))
            {
                foreach (var id in cdrIds)
                {
                    if (Find(slot.Number, id) is { } seq)
                    {
                        (found ??= new(StringComparer.Ordinal))[id] = _log.Read(seq, slot.AccountId);
                    }
                }
            }
        }

        // Most look-ups of a batch find nothing: they share one empty answer.
        return found is null ? NothingFound : Task.FromResult<IReadOnlyDictionary<string, UsageRecord>>(found);
    }

    /// <summary>
    /// As the interface says, except on an account some of whose records the bound has dropped: there a missing record
    /// cannot be told from a dropped one, so none counts as missing, and the account's applied set is bounded at its
    /// capacity as before (a redelivery older than what is kept is charged again, as the bound documents).
    /// </summary>
    public Task<IReadOnlyList<string>> FindUnrecordedAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cdrIds);
        List<string>? missing = null;
        lock (_lock)
        {
            if (!_droppedFrom.Contains(accountId))
            {
                _accounts.TryGetValue(accountId, out var slot);
                foreach (var id in cdrIds)
                {
                    if (slot is null || Find(slot.Number, id) is null)
                    {
                        (missing ??= []).Add(id);
                    }
                }
            }
        }

        return missing is null ? NoneMissing : Task.FromResult<IReadOnlyList<string>>(missing);
    }

    public Task<bool> TryCreateAsync(UsageRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        bool created;
        lock (_lock)
        {
            created = Add(record);
        }

        return Task.FromResult(created);
    }

    /// <summary>
    /// One account group per core: every call is done when it returns (under one lock), so the groups are CPU work, and
    /// more than the cores only costs thread hand-offs; fewer leaves a core idle while one batch is in flight.
    /// </summary>
    public int AccountsInParallel => Environment.ProcessorCount;

    /// <summary>A batch's records under one lock, not one per account group.</summary>
    public bool RecordsWholeBatches => true;

    public Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var created = new bool[records.Count];
        lock (_lock)
        {
            for (var i = 0; i < records.Count; i++)
            {
                created[i] = Add(records[i] ?? throw new ArgumentException("a null record", nameof(records)));
            }
        }

        return Task.FromResult<IReadOnlyList<bool>>(created);
    }

    public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        ListAsync(accountId, from, to, limit, ListOrder.OldestFirst, after: null, cancellationToken);

    public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, ListOrder order, ListCursor? after, CancellationToken cancellationToken)
    {
        var within = new List<UsageRecord>();
        lock (_lock)
        {
            if (_accounts.TryGetValue(accountId, out var slot))
            {
                for (var seq = slot.Last; seq >= _log.Oldest; seq = _log.PreviousOf(seq))
                {
                    var start = _log.StartOf(seq);
                    if (start >= from && start < to && (after is null || after.Reaches(order, start)))
                    {
                        within.Add(_log.Read(seq, slot.AccountId));
                    }
                }
            }
        }

        return Task.FromResult<IReadOnlyList<UsageRecord>>(ListPage.Of(within, ListCursor.After, order, after, limit));
    }

    private long? Find(int account, string cdrId)
    {
        var key = Probe(account, cdrId);
        return _ids.Find(key, key.Hash());
    }

    /// <summary>The identity of <paramref name="cdrId"/> under account number <paramref name="account"/>, as the log keeps it.</summary>
    private UsageLog.Key Probe(int account, string cdrId)
    {
        var max = Encoding.UTF8.GetMaxByteCount(cdrId.Length);
        if (max > _probe.Length)
        {
            _probe = new byte[max];
        }

        return new UsageLog.Key(account, _probe.AsSpan(0, Encoding.UTF8.GetBytes(cdrId, _probe)));
    }

    private bool Add(UsageRecord record)
    {
        if (!_accounts.TryGetValue(record.AccountId, out var slot))
        {
            var number = _freeAccountNumbers.Count > 0 ? _freeAccountNumbers.Pop() : _accountIds.Count;
            slot = new AccountSlot(record.AccountId, number) { Last = -1 };
            if (number == _accountIds.Count)
            {
                _accountIds.Add(record.AccountId);
            }
            else
            {
                _accountIds[number] = record.AccountId;
            }

            _accounts[record.AccountId] = slot;
        }

        var key = Probe(slot.Number, record.CdrId);
        var hash = key.Hash();
        if (slot.Last >= 0 && _ids.Find(key, hash) is not null)
        {
            return false;
        }

        slot.Last = _log.Append(record, slot.Number, slot.Last);
        _ids.Add(slot.Last, hash);
        while (_log.Count > _max)
        {
            DropOldest();
        }

        return true;
    }

    private void DropOldest()
    {
        if (!_dropping)
        {
            _dropping = true;
            MemoryStoreLog.UsageRecordsDropped(_logger, _max);
        }

        var seq = _log.Oldest;
        var key = _log.KeyOf(seq);
        _ids.Remove(seq, key.Hash());
        var account = key.Account;
        var slot = _accounts[_accountIds[account]!];
        _droppedFrom.Add(slot.AccountId);
        if (slot.Last == seq)
        {
            // The account's last record kept: its number is free for another account.
            _accounts.Remove(slot.AccountId);
            _accountIds[account] = null;
            _freeAccountNumbers.Push(account);
        }

        _log.DropOldest();
    }

    private sealed class AccountSlot(string accountId, int number)
    {
        public string AccountId => accountId;

        public int Number => number;

        /// <summary>The sequence of the account's newest record.</summary>
        public long Last { get; set; }
    }
}

/// <summary>
/// The embedded quarantine, bounded (<see cref="MemoryStoreOptions.MaxQuarantineRecords"/>): beyond the count the
/// oldest received is dropped first, and the first drop is logged once.
/// </summary>
public sealed class InMemoryQuarantineStore : IQuarantineStore
{
    private readonly Dictionary<string, QuarantineRecord> _records = new(StringComparer.Ordinal);
    private readonly Queue<string> _oldestFirst = new();
    private readonly Lock _lock = new();
    private readonly int _max;
    private readonly ILogger _logger;
    private bool _dropping;

    public InMemoryQuarantineStore()
        : this(new MemoryStoreOptions())
    {
    }

    public InMemoryQuarantineStore(MemoryStoreOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _max = options.MaxQuarantineRecords;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Quarantined CDRs kept; for tests and the bench.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _records.Count;
            }
        }
    }

    public Task AddAsync(QuarantineRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock)
        {
            Add(record);
        }

        return Task.CompletedTask;
    }

    /// <summary>Under one lock.</summary>
    public Task AddManyAsync(IReadOnlyList<QuarantineRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        lock (_lock)
        {
            foreach (var record in records)
            {
                Add(record ?? throw new ArgumentException("a null record", nameof(records)));
            }
        }

        return Task.CompletedTask;
    }

    private void Add(QuarantineRecord record)
    {
        if (_records.TryAdd(record.QuarantineId, record))
        {
            _oldestFirst.Enqueue(record.QuarantineId);
            while (_oldestFirst.Count > _max)
            {
                if (!_dropping)
                {
                    _dropping = true;
                    MemoryStoreLog.QuarantineDropped(_logger, _max);
                }

                _records.Remove(_oldestFirst.Dequeue());
            }
        }
    }

    public Task<IReadOnlyList<QuarantineRecord>> ListAsync(string? accountId, int limit, CancellationToken cancellationToken) =>
        ListAsync(accountId, limit, after: null, cancellationToken);

    public Task<IReadOnlyList<QuarantineRecord>> ListAsync(string? accountId, int limit, ListCursor? after, CancellationToken cancellationToken)
    {
        List<QuarantineRecord> matching;
        lock (_lock)
        {
            matching = [.. _records.Values.Where(r => accountId is null || r.AccountId == accountId)];
        }

        return Task.FromResult<IReadOnlyList<QuarantineRecord>>(ListPage.Of(matching, ListCursor.After, ListOrder.NewestFirst, after, limit));
    }
}
