using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// Session id → account id, and each closed session's record (the whole session) as a JSON document beside it.
/// A session's account never changes once recorded, so the owners this process has recorded or read are answered
/// from memory (<see cref="SqliteKnownState"/>). A claim and a closed-session record are written without waiting
/// for their commit (<see cref="SqliteDatabase.WriteBefore"/>): credit control always follows them with the
/// account write that answers the switch, which the writer commits only with them or after them, so a step waits
/// for one commit instead of two, and no answer is ever given for an account write whose session record is lost.
/// Until they commit, they are answered from memory.
/// </summary>
public sealed class SqliteSessionIndex(SqliteDatabase database, TimeProvider clock) : ISessionIndex
{
    private const string OwnerQuery = "SELECT account_id FROM sessions WHERE session_id = ?1";
    private readonly SqliteKnownState _known = database.Known;

    public async Task<SessionClaim> ClaimAsync(string sessionId, string accountId, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_known.SessionOwner(sessionId) is { } known)
            {
                return new SessionClaim(known, IsNew: false); // a replay: no write needed
            }

            // Registered before the file is asked: a concurrent claim of the same id waits for this one's decision,
            // and once this one leaves the map at its commit, the file holds it.
            var mine = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_known.Claims.TryAdd(sessionId, mine))
            {
                if (_known.Claims.TryGetValue(sessionId, out var other))
                {
                    return new SessionClaim(await other.Task.WaitAsync(cancellationToken), IsNew: false);
                }

                continue; // it committed meanwhile: known now
            }

            return Decide(sessionId, accountId, mine);
        }
    }

    public Task<string?> FindAccountAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (_known.SessionOwner(sessionId) is { } known)
        {
            return Task.FromResult<string?>(known);
        }

        if (_known.Claims.TryGetValue(sessionId, out var claim) && claim.Task.IsCompletedSuccessfully)
        {
            return Task.FromResult<string?>(claim.Task.Result);
        }

        return Task.FromResult(ReadOwner(sessionId));
    }

    public Task RecordClosedAsync(ClosedSession closed, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var doc = SqliteDocumentRows.WriteHolding(closed, closed.Session); // the session's JSON is kept for the account write that follows
        var createdAt = SqliteValues.Ticks(clock.GetUtcNow());
        _known.Closing[closed.SessionId] = closed;
        database.SessionIds.Add(closed.SessionId); // before the row can be in the file

        // The record's JSON goes back to the pool at the commit that holds it: the writer runs the write until then.
        database.WriteBefore(
            session => session
                .Statement("""
                    INSERT INTO sessions (session_id, account_id, created_at, closed) VALUES (?1, ?2, ?3, ?4)
                    ON CONFLICT (session_id) DO UPDATE SET closed = excluded.closed
                    """)
                .Bind(1, closed.SessionId).Bind(2, closed.AccountId).Bind(3, createdAt).Bind(4, doc.Span)
                .Run(),
            () =>
            {
                _known.Closing.TryRemove(new KeyValuePair<string, ClosedSession>(closed.SessionId, closed));
                doc.Return();
            });
        return Task.CompletedTask;
    }

    public Task<ClosedSession?> FindClosedAsync(string sessionId, CancellationToken cancellationToken) =>
        _known.Closing.TryGetValue(sessionId, out var closing) ? Task.FromResult<ClosedSession?>(closing) :
        !database.SessionIds.MayHold(sessionId) ? Task.FromResult<ClosedSession?>(null) : Task.FromResult(database.Read(session =>
        {
            using var reader = session.Command("SELECT closed FROM sessions WHERE session_id = $id AND closed IS NOT NULL").With("$id", sessionId).ExecuteReader();
            return reader.Read() ? SqliteValues.FromJson<ClosedSession>(reader, 0) : null;
        }));

    private SessionClaim Decide(string sessionId, string accountId, TaskCompletionSource<string> mine)
    {
        string? owner;
        try
        {
            owner = ReadOwner(sessionId);
        }
        catch (Exception ex)
        {
            Abandon(sessionId, mine, ex);
            throw;
        }

        if (owner is not null)
        {
            mine.SetResult(owner); // remembered by ReadOwner before it leaves the map
            _known.Claims.TryRemove(new KeyValuePair<string, TaskCompletionSource<string>>(sessionId, mine));
            return new SessionClaim(owner, IsNew: false);
        }

        // Queued before the claim is told to anyone: a release of it that follows (ReleaseAsync) is queued after it.
        var createdAt = SqliteValues.Ticks(clock.GetUtcNow());
        try
        {
            database.SessionIds.Add(sessionId); // before the row can be in the file
            database.WriteBefore(
                session => session.Statement("INSERT INTO sessions (session_id, account_id, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (session_id) DO NOTHING")
                    .Bind(1, sessionId).Bind(2, accountId).Bind(3, createdAt).Run(),
                () =>
                {
                    if (!_known.IsReleased(sessionId, accountId))
                    {
                        _known.RememberSessionOwner(sessionId, accountId);
                    }

                    _known.Claims.TryRemove(new KeyValuePair<string, TaskCompletionSource<string>>(sessionId, mine));
                });
        }
        catch (Exception ex)
        {
            // The store is closing: nothing was queued, and those waiting on this claim are told so rather than left waiting.
            Abandon(sessionId, mine, ex);
            throw;
        }

        mine.SetResult(accountId);
        return new SessionClaim(accountId, IsNew: true);
    }

    /// <summary>
    /// Forgets the claim in memory at once and queues its delete, which the writer runs after the claim's own insert (queued
    /// before the claim was answered). Until the delete commits, the claim's account is no owner here (<see cref="SqliteKnownState.Released"/>);
    /// a claim queued after it by another account finds the row gone. The delete is durable with the next commit: if the
    /// process stops first, the claim is found again and let go by whoever finds it (<see cref="SessionClaims"/>).
    /// </summary>
    public Task ReleaseAsync(string sessionId, string accountId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _known.Released[sessionId] = accountId;
        _known.ForgetSessionOwner(sessionId, accountId);
        if (_known.Claims.TryGetValue(sessionId, out var claim) && claim.Task.IsCompletedSuccessfully && claim.Task.Result == accountId)
        {
            _known.Claims.TryRemove(new KeyValuePair<string, TaskCompletionSource<string>>(sessionId, claim));
        }

        database.WriteBefore(
            session => session.Statement("DELETE FROM sessions WHERE session_id = ?1 AND account_id = ?2 AND closed IS NULL")
                .Bind(1, sessionId).Bind(2, accountId).Run(),
            () =>
            {
                _known.ForgetSessionOwner(sessionId, accountId); // before the mark goes, so that it is never an owner in between
                _known.Released.TryRemove(new KeyValuePair<string, string>(sessionId, accountId));
            });
        return Task.CompletedTask;
    }

    /// <summary>The claim could not be decided: it leaves the map, and those waiting on it get the fault.</summary>
    private void Abandon(string sessionId, TaskCompletionSource<string> mine, Exception fault)
    {
        _known.Claims.TryRemove(new KeyValuePair<string, TaskCompletionSource<string>>(sessionId, mine));
        mine.SetException(fault);
    }

    private string? ReadOwner(string sessionId)
    {
        if (!database.SessionIds.MayHold(sessionId))
        {
            return null; // a new id (every authorize of a new call): the file is not asked
        }

        var owner = database.Read(session => session.Statement(OwnerQuery).Bind(1, sessionId).Text());
        if (owner is null || _known.IsReleased(sessionId, owner))
        {
            return null;
        }

        _known.RememberSessionOwner(sessionId, owner);
        return owner;
    }
}
