using System.Collections.Concurrent;
using System.Globalization;
using ServerlessBilling.Core.Monitoring;

namespace ServerlessBilling.Core.Storage.InMemory;

public sealed class InMemoryAlertStore : IAlertStore
{
    private readonly ConcurrentDictionary<string, Alert> _alerts = new(StringComparer.Ordinal);

    public Task<bool> TryCreateAsync(Alert alert, CancellationToken cancellationToken) => Task.FromResult(_alerts.TryAdd(alert.AlertId, alert));

    public Task<Alert?> FindAsync(string accountId, string alertId, CancellationToken cancellationToken) =>
        Task.FromResult(_alerts.TryGetValue(alertId, out var alert) && alert.AccountId == accountId ? alert : null);

    public Task<IReadOnlyList<Alert>> ListAsync(string? accountId, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Alert>>(_alerts.Values
            .Where(a => accountId is null || a.AccountId == accountId)
            .OrderByDescending(a => a.RaisedAt).ThenBy(a => a.AlertId, StringComparer.Ordinal)
            .Take(limit)
            .ToList());
}

/// <summary>
/// Monitoring's documents, one per account judged: kept packed (<see cref="PackedJson"/>, about 70 bytes instead of
/// about 300 as objects), since every account has one and monitoring reads each only when it judges the account.
/// </summary>
public sealed class InMemoryMonitorStore : IMonitorStore
{
    private readonly ConcurrentDictionary<string, (byte[] State, long Version)> _states = new(StringComparer.Ordinal);
    private readonly PackedJson _json = new();

    public Task<Versioned<MonitorState>?> GetAsync(string accountId, CancellationToken cancellationToken) =>
        Task.FromResult(_states.TryGetValue(accountId, out var found) ? new Versioned<MonitorState>(_json.UnpackDocument<MonitorState>(found.State), Tag(found.Version)) : null);

    public Task<string?> TryCreateAsync(MonitorState state, CancellationToken cancellationToken) =>
        Task.FromResult(_states.TryAdd(state.AccountId, (_json.PackDocument(state), 1)) ? Tag(1) : null);

    public Task<string?> TryReplaceAsync(MonitorState state, string ifMatch, CancellationToken cancellationToken)
    {
        if (!_states.TryGetValue(state.AccountId, out var current) || Tag(current.Version) != ifMatch)
        {
            return Task.FromResult<string?>(null);
        }

        var next = (_json.PackDocument(state), current.Version + 1);
        return Task.FromResult(_states.TryUpdate(state.AccountId, next, current) ? Tag(next.Item2) : null);
    }

    private static string Tag(long version) => version.ToString(CultureInfo.InvariantCulture);
}
