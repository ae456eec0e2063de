using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Core.Storage;

/// <summary>
/// Keeps the session history in step with the account document when a write's rule runs again. A closing is recorded
/// before the write that holds it; when that write loses to another process's (the call's CDR and its terminate, or the
/// sweep, on two instances at once), the rule runs again on the winner's document, and the record the first run made
/// describes a closing that never landed. Once the document lets the session go, replays would be answered with it.
/// </summary>
public static class SessionHistory
{
    /// <summary>Records again, as the document holds them, the closed sessions of <paramref name="sessionIds"/> that it holds.</summary>
    public static async ValueTask RecordAsHeldAsync(this ISessionIndex sessions, AccountState account, IEnumerable<string> sessionIds, CancellationToken cancellationToken)
    {
        foreach (var sessionId in sessionIds)
        {
            await sessions.RecordAsLandedAsync(account, sessionId, replaced: null, cancellationToken);
        }
    }

    /// <summary>
    /// As <see cref="RecordAsHeldAsync"/>, and a session of <paramref name="closings"/> that the document does not hold gets
    /// back the record its closing replaced (the value; null when the document held the session then), since that closing
    /// did not land: a CDR that closed a session from the history (it lapsed and was dropped) and lost its write must not
    /// leave the record "closed by this CDR, charged", or the same CDR delivered again is taken as charged.
    /// </summary>
    public static async ValueTask RecordAsLandedAsync(this ISessionIndex sessions, AccountState account, IReadOnlyDictionary<string, ClosedSession?> closings, CancellationToken cancellationToken)
    {
        foreach (var (sessionId, replaced) in closings)
        {
            await sessions.RecordAsLandedAsync(account, sessionId, replaced, cancellationToken);
        }
    }

    private static async ValueTask RecordAsLandedAsync(this ISessionIndex sessions, AccountState account, string sessionId, ClosedSession? replaced, CancellationToken cancellationToken)
    {
        if (account.Sessions.GetValueOrDefault(sessionId) is { TerminateAnswer: not null } held)
        {
            await sessions.RecordClosedAsync(new ClosedSession(account.AccountId, held), cancellationToken);
        }
        else if (replaced is not null && !account.Sessions.ContainsKey(sessionId))
        {
            await sessions.RecordClosedAsync(replaced, cancellationToken);
        }
    }
}
