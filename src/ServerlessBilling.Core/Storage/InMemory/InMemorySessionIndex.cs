using System.Collections.Concurrent;

namespace ServerlessBilling.Core.Storage.InMemory;

public sealed class InMemorySessionIndex : ISessionIndex
{
    private readonly ConcurrentDictionary<string, string> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ClosedSession> _closed = new(StringComparer.Ordinal);

    public Task<SessionClaim> ClaimAsync(string sessionId, string accountId, CancellationToken cancellationToken) =>
        Task.FromResult(_sessions.TryAdd(sessionId, accountId) ? new SessionClaim(accountId, true) : new SessionClaim(_sessions[sessionId], false));

    public Task<string?> FindAccountAsync(string sessionId, CancellationToken cancellationToken) =>
        Task.FromResult(_sessions.GetValueOrDefault(sessionId));

    public Task RecordClosedAsync(ClosedSession closed, CancellationToken cancellationToken)
    {
        _closed[closed.SessionId] = closed;
        return Task.CompletedTask;
    }

    public Task<ClosedSession?> FindClosedAsync(string sessionId, CancellationToken cancellationToken) =>
        Task.FromResult(_closed.GetValueOrDefault(sessionId));
}
