using ServerlessBilling.Core.Ingestion;

namespace ServerlessBilling.Core.Storage;

/// <summary>Rated usage, partitioned by account.</summary>
public interface IUsageStore
{
    /// <summary>The usage records that exist on the account for any of <paramref name="cdrIds"/>, keyed by CDR id.</summary>
    Task<IReadOnlyDictionary<string, UsageRecord>> FindExistingAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken);

    /// <summary>
    /// The ids of <paramref name="cdrIds"/> that have no usage record on the account, in their order (ingestion asks it
    /// for the oldest applied ids before the account document may forget them; nearly always none).
    /// </summary>
    async Task<IReadOnlyList<string>> FindUnrecordedAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken)
    {
        var found = await FindExistingAsync(accountId, cdrIds, cancellationToken);
        return cdrIds.Where(id => !found.ContainsKey(id)).ToList();
    }

    /// <summary>Creates the record; false when one with that CDR id exists (already applied).</summary>
    Task<bool> TryCreateAsync(UsageRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the records as one batch, idempotent on (account, CDR id) like <see cref="TryCreateAsync"/>. The answer lines
    /// up with <paramref name="records"/>: true where the record was created, false where one with its id existed (also an
    /// earlier copy in the same batch). When it throws, any subset may have been created; calling again with the same
    /// records is safe and completes the batch.
    /// </summary>
    Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken);

    /// <summary>
    /// How many account groups of a CDR batch ingestion works on at once with these stores: the cores where every call is done
    /// when it returns (the memory stores: more only costs thread hand-offs and lock contention); many where a write waits
    /// for something it can share (SQLite's group commit, which then holds the writes of many accounts) or for a round trip.
    /// </summary>
    int AccountsInParallel => 4;

    /// <summary>
    /// Whether ingestion gives this store a CDR batch's usage records in one <see cref="TryCreateManyAsync"/> call once every
    /// account group's money has moved (the embedded stores: one lock, or one SQLite transaction, per batch), instead of
    /// one call per account group as its money moves (a store whose writes fail per partition, or that sends them apart).
    /// </summary>
    bool RecordsWholeBatches => false;

    /// <summary>
    /// Usage of the account with a start time in [from, to), ordered by start time (oldest or newest first, as
    /// <paramref name="order"/> says) then CDR id, at most <paramref name="limit"/>; with <paramref name="after"/>, only the
    /// records after it in that order (the next page).
    /// </summary>
    Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, ListOrder order, ListCursor? after, CancellationToken cancellationToken);

    /// <summary>The first page of <see cref="ListAsync(string, DateTimeOffset, DateTimeOffset, int, ListOrder, ListCursor?, CancellationToken)"/> oldest first (stores give it as that with no cursor).</summary>
    Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);
}
