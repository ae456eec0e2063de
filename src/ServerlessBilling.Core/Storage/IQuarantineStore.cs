using ServerlessBilling.Core.Ingestion;

namespace ServerlessBilling.Core.Storage;

/// <summary>Rejected CDRs with their reasons. Adding the same record twice keeps one.</summary>
public interface IQuarantineStore
{
    Task AddAsync(QuarantineRecord record, CancellationToken cancellationToken);

    /// <summary>Newest first; all accounts when <paramref name="accountId"/> is null.</summary>
    Task<IReadOnlyList<QuarantineRecord>> ListAsync(string? accountId, int limit, CancellationToken cancellationToken);
}
