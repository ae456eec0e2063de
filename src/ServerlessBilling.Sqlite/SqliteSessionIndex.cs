using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// Session id → account id, and each closed session's record (the whole session) as a JSON document beside it.
/// A session's account never changes once recorded, so the owners this process has recorded or read are answered
/// from memory (<see cref="SqliteKnownState"/>); a claim of an unknown session goes straight to the writer, whose
/// insert-or-keep decides it, instead of first asking the file.
/// </summary>
public sealed class SqliteSessionIndex(SqliteDatabase database, TimeProvider clock) : ISessionIndex
{
    private const string OwnerQuery = "SELECT account_id FROM sessions WHERE session_id = $id";
    private readonly SqliteKnownState _known = database.Known;

    public async Task<SessionClaim> ClaimAsync(string sessionId, string accountId, CancellationToken cancellationToken)
    {
        if (_known.SessionOwner(sessionId) is { } known)
        {
            return new SessionClaim(known, IsNew: false); // a replay: no write needed
        }

        var createdAt = SqliteValues.Ticks(clock.GetUtcNow());
        return await database.WriteAsync(
            session =>
            {
                var recorded = session.Command("INSERT INTO sessions (session_id, account_id, created_at) VALUES ($id, $account, $at) ON CONFLICT (session_id) DO NOTHING")
                    .With("$id", sessionId).With("$account", accountId).With("$at", createdAt).ExecuteNonQuery() == 1;
                return recorded
                    ? new SessionClaim(accountId, IsNew: true)
                    : new SessionClaim((string)session.Command(OwnerQuery).With("$id", sessionId).ExecuteScalar()!, IsNew: false);
            },
            claim => _known.RememberSessionOwner(sessionId, claim.AccountId),
            cancellationToken);
    }

    public Task<string?> FindAccountAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (_known.SessionOwner(sessionId) is { } known)
        {
            return Task.FromResult<string?>(known);
        }

        var owner = database.Read(session => session.Command(OwnerQuery).With("$id", sessionId).ExecuteScalar() as string);
        if (owner is not null)
        {
            _known.RememberSessionOwner(sessionId, owner);
        }

        return Task.FromResult(owner);
    }

    public Task RecordClosedAsync(ClosedSession closed, CancellationToken cancellationToken)
    {
        var doc = SqliteValues.Json(closed);
        var createdAt = SqliteValues.Ticks(clock.GetUtcNow());
        return database.WriteAsync(session => session
            .Command("""
                INSERT INTO sessions (session_id, account_id, created_at, closed) VALUES ($id, $account, $at, $closed)
                ON CONFLICT (session_id) DO UPDATE SET closed = excluded.closed
                """)
            .With("$id", closed.SessionId).With("$account", closed.AccountId).With("$at", createdAt).With("$closed", doc)
            .ExecuteNonQuery(), cancellationToken);
    }

    public Task<ClosedSession?> FindClosedAsync(string sessionId, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(session =>
        {
            using var reader = session.Command("SELECT closed FROM sessions WHERE session_id = $id AND closed IS NOT NULL").With("$id", sessionId).ExecuteReader();
            return reader.Read() ? SqliteValues.FromJson<ClosedSession>(reader, 0) : null;
        }));
}
