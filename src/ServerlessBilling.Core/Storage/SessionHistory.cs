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
            if (account.Sessions.GetValueOrDefault(sessionId) is { TerminateAnswer: not null } held)
            {
                await sessions.RecordClosedAsync(new ClosedSession(account.AccountId, held), cancellationToken);
            }
        }
    }
}
