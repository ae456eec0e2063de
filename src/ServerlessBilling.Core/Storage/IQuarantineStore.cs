using ServerlessBilling.Core.Ingestion;

namespace ServerlessBilling.Core.Storage;

/// <summary>Rejected CDRs with their reasons. Adding the same record twice keeps one.</summary>
public interface IQuarantineStore
{
    Task AddAsync(QuarantineRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Adds the records, each kept once as by <see cref="AddAsync"/>; a store that can does it in one write. When it
    /// throws, any subset may have been added; adding them again is safe.
    /// </summary>
    async Task AddManyAsync(IReadOnlyList<QuarantineRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            await AddAsync(record, cancellationToken);
        }
    }

    /// <summary>
    /// Newest first (ties by quarantine id), at most <paramref name="limit"/>; all accounts when <paramref name="accountId"/>
    /// is null; with <paramref name="after"/>, only the entries after it in that order (the next page).
    /// </summary>
    Task<IReadOnlyList<QuarantineRecord>> ListAsync(string? accountId, int limit, ListCursor? after, CancellationToken cancellationToken);

    /// <summary>The first page of <see cref="ListAsync(string?, int, ListCursor?, CancellationToken)"/> (stores give it as that with no cursor).</summary>
    Task<IReadOnlyList<QuarantineRecord>> ListAsync(string? accountId, int limit, CancellationToken cancellationToken);
}
