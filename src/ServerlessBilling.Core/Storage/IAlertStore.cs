using ServerlessBilling.Core.Monitoring;

namespace ServerlessBilling.Core.Storage;

/// <summary>Raised alerts, partition by account; created once (the id is deterministic), never changed.</summary>
public interface IAlertStore
{
    /// <summary>Stores the alert; false when one with that id exists already (it was raised before).</summary>
    Task<bool> TryCreateAsync(Alert alert, CancellationToken cancellationToken);

    Task<Alert?> FindAsync(string accountId, string alertId, CancellationToken cancellationToken);

    /// <summary>Newest first; all accounts when <paramref name="accountId"/> is null.</summary>
    Task<IReadOnlyList<Alert>> ListAsync(string? accountId, int limit, CancellationToken cancellationToken);
}
