using ServerlessBilling.Core.Monitoring;

namespace ServerlessBilling.Core.Storage;

/// <summary>Raised alerts, partition by account; created once (the id is deterministic), never changed.</summary>
public interface IAlertStore
{
    /// <summary>Stores the alert; false when one with that id exists already (it was raised before).</summary>
    Task<bool> TryCreateAsync(Alert alert, CancellationToken cancellationToken);

    Task<Alert?> FindAsync(string accountId, string alertId, CancellationToken cancellationToken);

    /// <summary>
    /// Newest first (ties by alert id), at most <paramref name="limit"/>; all accounts when <paramref name="accountId"/> is
    /// null; with <paramref name="after"/>, only the alerts after it in that order (the next page).
    /// </summary>
    Task<IReadOnlyList<Alert>> ListAsync(string? accountId, int limit, ListCursor? after, CancellationToken cancellationToken);

    /// <summary>The first page of <see cref="ListAsync(string?, int, ListCursor?, CancellationToken)"/> (stores give it as that with no cursor).</summary>
    Task<IReadOnlyList<Alert>> ListAsync(string? accountId, int limit, CancellationToken cancellationToken);
}
