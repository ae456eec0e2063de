using System.Text.Json.Serialization;
using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Core.Storage;

/// <summary>
/// Which account a session id belongs to (interim and terminate name only the session), and the durable record
/// of each terminated session, which answers replays and settles CDRs once the account document has let it go.
/// </summary>
public interface ISessionIndex
{
    /// <summary>
    /// Records the session's account, or returns the account it was first recorded with; <see cref="SessionClaim.IsNew"/>
    /// says whether this call recorded it (when it did not, the session may be in the history already).
    /// </summary>
    Task<SessionClaim> ClaimAsync(string sessionId, string accountId, CancellationToken cancellationToken);

    Task<string?> FindAccountAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>
    /// Lets go of <paramref name="accountId"/>'s claim of the session, so that the id is free again: credit control's
    /// answer for a claim made in the name of an account that does not exist (<see cref="SessionClaims"/>). Only a bare
    /// claim goes: a claim by another account, and a closed session's record, stay as they are (the record stays the
    /// history of the account that closed it). Releasing a claim that is not there changes nothing.
    /// </summary>
    Task ReleaseAsync(string sessionId, string accountId, CancellationToken cancellationToken);

    /// <summary>As <see cref="ClaimAsync"/>, for credit control's hot path: an index that answers at once (the embedded one) answers with no task.</summary>
    ValueTask<SessionClaim> ClaimNowAsync(string sessionId, string accountId, CancellationToken cancellationToken) => new(ClaimAsync(sessionId, accountId, cancellationToken));

    /// <summary>As <see cref="FindAccountAsync"/>, for credit control's hot path: an index that answers at once answers with no task.</summary>
    ValueTask<string?> FindAccountNowAsync(string sessionId, CancellationToken cancellationToken) => new(FindAccountAsync(sessionId, cancellationToken));

    /// <summary>
    /// Records the session as it leaves credit control (terminated, or expired and dropped); writing the same record
    /// again changes nothing, and a later record of the same session replaces an earlier one.
    /// </summary>
    Task RecordClosedAsync(ClosedSession closed, CancellationToken cancellationToken);

    Task<ClosedSession?> FindClosedAsync(string sessionId, CancellationToken cancellationToken);
}

/// <summary>Who owns a session id, and whether the call that asked recorded it first.</summary>
public readonly record struct SessionClaim(string AccountId, bool IsNew);

/// <summary>
/// A session as the durable history keeps it once it is settled: everything needed to answer a replayed authorize,
/// interim or terminate and to price its CDR, whatever the number of sessions closed on the account since.
/// </summary>
public sealed record ClosedSession(string AccountId, Session Session)
{
    [JsonIgnore]
    public string SessionId => Session.SessionId;

    /// <summary>The terminate's answer; null when the session expired without a terminate.</summary>
    [JsonIgnore]
    public TerminateAnswer? Answer => Session.TerminateAnswer;
}
