using System.Text.Json.Serialization;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Storage;

/// <summary>A stored value and the ETag that a conditional write must name.</summary>
public sealed class Versioned<T>(T value, string eTag)
{
    public T Value { get; } = value;

    public string ETag { get; } = eTag;
}

/// <summary>Account documents with optimistic concurrency: every write names the ETag it read.</summary>
public interface IAccountStore
{
    Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>Creates the document; null when one with that id exists already.</summary>
    Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken);

    /// <summary>Replaces the document when its ETag is still <paramref name="ifMatch"/>; null when it is not (HTTP 412).</summary>
    Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken);

    /// <summary>Accounts holding a reservation that expires at or before <paramref name="instant"/>.</summary>
    IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken);
}

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

public interface IRateDeckStore
{
    Task PutAsync(RateDeck deck, CancellationToken cancellationToken);

    Task<RateDeck?> GetAsync(string deckId, CancellationToken cancellationToken);

    /// <summary>Every deck's id and row count, by deck id, without reading the rows.</summary>
    Task<IReadOnlyList<RateDeckSummary>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>A stored deck as the list shows it.</summary>
public sealed record RateDeckSummary(string DeckId, int Rows);

/// <summary>
/// The store could not be reached or kept throttling after retries. Never a business answer: the HTTP
/// layer maps it to 503 so a switch does not take it as a grant.
/// </summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
