using System.Collections.Concurrent;
using ServerlessBilling.LoadBench.Infrastructure;

namespace ServerlessBilling.LoadBench.Stores;

/// <summary>
/// Wraps the usage store: counts look-ups and creates (and creates refused as existing), and with a <c>clock</c> (wall or thread CPU ticks) adds
/// up the time spent in each, so that a batch's time can be split.
/// </summary>
internal sealed class TimedUsageStore(IUsageStore inner, Func<long>? clock) : IUsageStore
{
    public StripedCounter Finds { get; } = new();

    public StripedCounter FindTicks { get; } = new();

    public StripedCounter Creates { get; } = new();

    public StripedCounter Refused { get; } = new();

    public StripedCounter CreateTicks { get; } = new();

    /// <summary>As the store timed: the ingestion service runs as many account groups at once as the store declares.</summary>
    public int AccountsInParallel => inner.AccountsInParallel;

    /// <summary>As the store timed: whole batches in one write where the store takes them.</summary>
    public bool RecordsWholeBatches => inner.RecordsWholeBatches;

    public async Task<IReadOnlyDictionary<string, UsageRecord>> FindExistingAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken)
    {
        var start = clock?.Invoke() ?? 0;
        var found = await inner.FindExistingAsync(accountId, cdrIds, cancellationToken);
        if (clock is not null)
        {
            FindTicks.Add(clock() - start);
        }

        Finds.Add();
        return found;
    }

    public async Task<IReadOnlyList<string>> FindUnrecordedAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken)
    {
        var start = clock?.Invoke() ?? 0;
        var found = await inner.FindUnrecordedAsync(accountId, cdrIds, cancellationToken);
        if (clock is not null)
        {
            FindTicks.Add(clock() - start);
        }

        Finds.Add();
        return found;
    }

    public async Task<bool> TryCreateAsync(UsageRecord record, CancellationToken cancellationToken)
    {
        var start = clock?.Invoke() ?? 0;
        var created = await inner.TryCreateAsync(record, cancellationToken);
        if (clock is not null)
        {
            CreateTicks.Add(clock() - start);
        }

        Creates.Add();
        if (!created)
        {
            Refused.Add();
        }

        return created;
    }

    /// <summary>Counts each record as a create; the time is the batch's, so per record it is the batch's time shared out.</summary>
    public async Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        var start = clock?.Invoke() ?? 0;
        var created = await inner.TryCreateManyAsync(records, cancellationToken);
        if (clock is not null)
        {
            CreateTicks.Add(clock() - start);
        }

        Creates.Add(records.Count);
        Refused.Add(created.Count(c => !c));
        return created;
    }

    public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        inner.ListAsync(accountId, from, to, limit, cancellationToken);

    public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, ListOrder order, ListCursor? after, CancellationToken cancellationToken) =>
        inner.ListAsync(accountId, from, to, limit, order, after, cancellationToken);

    public void Reset()
    {
        foreach (var counter in new[] { Finds, FindTicks, Creates, Refused, CreateTicks })
        {
            counter.Reset();
        }
    }
}

/// <summary>Wraps the quarantine store: counts and (with a <c>clock</c>) times the adds.</summary>
internal sealed class TimedQuarantineStore(IQuarantineStore inner, Func<long>? clock) : IQuarantineStore
{
    public StripedCounter Adds { get; } = new();

    public StripedCounter AddTicks { get; } = new();

    public async Task AddAsync(QuarantineRecord record, CancellationToken cancellationToken)
    {
        var start = clock?.Invoke() ?? 0;
        await inner.AddAsync(record, cancellationToken);
        if (clock is not null)
        {
            AddTicks.Add(clock() - start);
        }

        Adds.Add();
    }

    public Task<IReadOnlyList<QuarantineRecord>> ListAsync(string? accountId, int limit, CancellationToken cancellationToken) =>
        inner.ListAsync(accountId, limit, cancellationToken);

    public Task<IReadOnlyList<QuarantineRecord>> ListAsync(string? accountId, int limit, ListCursor? after, CancellationToken cancellationToken) =>
        inner.ListAsync(accountId, limit, after, cancellationToken);

    public void Reset()
    {
        Adds.Reset();
        AddTicks.Reset();
    }
}

/// <summary>
/// Wraps the account store: counts reads, writes and the conditional writes refused because another writer changed
/// the document first (412, or 409 on create; each one makes the updater re-read and retry). With a <c>clock</c>
/// (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> or thread CPU ticks) it adds up the time in reads, in
/// writes, and in the decision: from a read returning to the service to the service's conditional write of the same
/// account (rules, rating, deck cache, session history). The updater queues writers per account in this process, so
/// one pending read per account is enough.
/// </summary>
internal sealed class TimedAccountStore(IAccountStore inner, Func<long>? clock) : IAccountStore
{
    private readonly ConcurrentDictionary<string, long> _readAt = new(StringComparer.Ordinal);

    public StripedCounter Reads { get; } = new();

    public StripedCounter Writes { get; } = new();

    public StripedCounter Conflicts { get; } = new();

    public StripedCounter ReadTicks { get; } = new();

    public StripedCounter DecideTicks { get; } = new();

    public StripedCounter WriteTicks { get; } = new();

    public async Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        var start = clock?.Invoke() ?? 0;
        return AfterRead(accountId, start, await inner.GetAsync(accountId, cancellationToken));
    }

    public async Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken)
    {
        var start = BeforeWrite(account.AccountId);
        return AfterWrite(start, await inner.TryCreateAsync(account, cancellationToken));
    }

    public async Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
    {
        var start = BeforeWrite(account.AccountId);
        return AfterWrite(start, await inner.TryReplaceAsync(account, ifMatch, cancellationToken));
    }

    /// <summary>As the store timed: the updater's read with no task when the store answers at once, and none of this decorator's either.</summary>
    public ValueTask<Versioned<AccountState>?> ReadForWriteAsync(string accountId, CancellationToken cancellationToken)
    {
        var start = clock?.Invoke() ?? 0;
        var pending = inner.ReadForWriteAsync(accountId, cancellationToken);
        return pending.IsCompletedSuccessfully ? new(AfterRead(accountId, start, pending.Result)) : ReadLaterAsync(accountId, start, pending);
    }

    /// <summary>As the store timed: the updater's write with no task when the store answers at once, and none of this decorator's either.</summary>
    public ValueTask<string?> TryReplaceNowAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
    {
        var start = BeforeWrite(account.AccountId);
        var pending = inner.TryReplaceNowAsync(account, ifMatch, cancellationToken);
        return pending.IsCompletedSuccessfully ? new(AfterWrite(start, pending.Result)) : WriteLaterAsync(start, pending);
    }

    private async ValueTask<Versioned<AccountState>?> ReadLaterAsync(string accountId, long start, ValueTask<Versioned<AccountState>?> pending) =>
        AfterRead(accountId, start, await pending);

    private async ValueTask<string?> WriteLaterAsync(long start, ValueTask<string?> pending) => AfterWrite(start, await pending);

    private Versioned<AccountState>? AfterRead(string accountId, long start, Versioned<AccountState>? result)
    {
        Reads.Add();
        if (clock is not null)
        {
            var end = clock();
            ReadTicks.Add(end - start);
            _readAt[accountId] = end;
        }

        return result;
    }

    public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) =>
        inner.FindExpiringAsync(instant, cancellationToken);

    public void Reset()
    {
        foreach (var counter in new[] { Reads, Writes, Conflicts, ReadTicks, DecideTicks, WriteTicks })
        {
            counter.Reset();
        }
    }

    private long BeforeWrite(string accountId)
    {
        if (clock is null)
        {
            return 0;
        }

        var start = clock();
        if (_readAt.TryRemove(accountId, out var readAt))
        {
            DecideTicks.Add(start - readAt);
        }

        return start;
    }

    private string? AfterWrite(long start, string? etag)
    {
        if (clock is not null)
        {
            WriteTicks.Add(clock() - start);
        }

        Writes.Add();
        if (etag is null)
        {
            Conflicts.Add();
        }

        return etag;
    }
}
