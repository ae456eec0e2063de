using ServerlessBilling.Core.Monitoring;

namespace ServerlessBilling.Core.Storage;

/// <summary>Monitoring's per-account documents, with optimistic concurrency as for accounts.</summary>
public interface IMonitorStore
{
    Task<Versioned<MonitorState>?> GetAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>Creates the document; null when one exists already.</summary>
    Task<string?> TryCreateAsync(MonitorState state, CancellationToken cancellationToken);

    /// <summary>Replaces the document when its ETag is still <paramref name="ifMatch"/>; null when it is not.</summary>
    Task<string?> TryReplaceAsync(MonitorState state, string ifMatch, CancellationToken cancellationToken);
}
