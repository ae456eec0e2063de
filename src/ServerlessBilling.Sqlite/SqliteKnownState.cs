using System.Collections.Concurrent;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// What this process knows the file holds, so that credit control's reads need not ask the file: the latest
/// committed account documents with their versions, and which account each session belongs to. It is sound
/// because the process is the file's only writer (<see cref="SqliteDatabase"/> holds an exclusive lock on it) and
/// every commit updates it on the writer's thread, in commit order, before the commit's callers resume. A document
/// read from the file is added only if it is newer than what is known and no eviction ran since the read began,
/// so a read that raced a commit never puts an older version back.
/// </summary>
internal sealed class SqliteKnownState
{
    public const int Capacity = 100_000;

    /// <summary>
    /// Written documents kept for their next version to reuse and to write only the rows that changed
    /// (<see cref="SqliteDocumentRows"/>): the accounts being written now.
    /// </summary>
    public const int DocumentCapacity = 10_000;

    private readonly SqliteKnownVersions<Versioned<AccountState>> _accounts = new(Capacity);
    private readonly ConcurrentDictionary<string, string> _sessionOwners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AccountDocument> _documents = new(StringComparer.Ordinal);

    // The dictionaries' sizes, kept beside them: ConcurrentDictionary.Count takes every one of its locks (up to 1,024
    // once it has grown), and it was asked on every commit: 16% of the writer thread's CPU under credit control.
    // Each is moved only by a successful add or remove, so it stays the size within the writes under way.
    private int _sessionOwnerCount;
    private int _documentCount;

    /// <summary>Sessions being claimed, or claimed and not yet committed: the owner once decided. Never evicted; each leaves at its commit.</summary>
    public ConcurrentDictionary<string, TaskCompletionSource<string>> Claims { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Claims let go (<see cref="SqliteSessionIndex.ReleaseAsync"/>) whose delete is queued and not yet committed: the
    /// account they named is nobody's owner of the session meanwhile, whatever the file or a claim's commit says.
    /// </summary>
    public ConcurrentDictionary<string, string> Released { get; } = new(StringComparer.Ordinal);

    /// <summary>Closed-session records queued and not yet committed, so that a read right after the record finds it.</summary>
    public ConcurrentDictionary<string, ClosedSession> Closing { get; } = new(StringComparer.Ordinal);

    /// <summary>A marker taken before reading a document from the file, for <see cref="RememberRead"/>.</summary>
    public long ReadMarker => _accounts.ReadMarker;

    public Versioned<AccountState>? Account(string accountId) => _accounts.Find(accountId)?.Value;

    /// <summary>What this process last wrote for the account, if kept: its parts that the next version still holds are copied, not written again.</summary>
    public AccountDocument? Document(string accountId) => _documents.GetValueOrDefault(accountId);

    /// <summary>On the writer's thread, after the commit that wrote <paramref name="state"/> as <paramref name="document"/>.</summary>
    public void Committed(Versioned<AccountState> state, long version, AccountDocument document)
    {
        // Only this thread adds to or clears the documents.
        if (_documentCount >= DocumentCapacity)
        {
            _documents.Clear();
            _documentCount = 0;
        }

        if (_documents.TryAdd(state.Value.AccountId, document))
        {
            _documentCount++;
        }
        else
        {
            _documents[state.Value.AccountId] = document;
        }

        _accounts.Committed(state.Value.AccountId, state, version);
    }

    /// <summary>A document read from the file at some point after <paramref name="marker"/> was taken.</summary>
    public void RememberRead(Versioned<AccountState> state, long version, long marker) => _accounts.RememberRead(state.Value.AccountId, state, version, marker);

    /// <summary>After a conditional write was refused: whatever is known of the account may be stale, so the next read asks the file.</summary>
    public void Forget(string accountId) => _accounts.Forget(accountId);

    /// <summary>
    /// A session's account never changes once recorded, so what is known of it stays true; except a claim let go
    /// (the account it named does not exist), which is no owner from the moment it is let go (a commit of the claim
    /// that remembers it meanwhile included) and is forgotten here when its delete commits.
    /// </summary>
    public string? SessionOwner(string sessionId) =>
        _sessionOwners.TryGetValue(sessionId, out var owner) && !IsReleased(sessionId, owner) ? owner : null;

    /// <summary>Whether <paramref name="accountId"/>'s claim of the session is being let go.</summary>
    public bool IsReleased(string sessionId, string accountId) => Released.TryGetValue(sessionId, out var released) && released == accountId;

    public void ForgetSessionOwner(string sessionId, string accountId)
    {
        if (_sessionOwners.TryRemove(new KeyValuePair<string, string>(sessionId, accountId)))
        {
            Interlocked.Decrement(ref _sessionOwnerCount);
        }
    }

    public void RememberSessionOwner(string sessionId, string accountId)
    {
        if (Volatile.Read(ref _sessionOwnerCount) >= Capacity)
        {
            _sessionOwners.Clear();
            Volatile.Write(ref _sessionOwnerCount, 0);
        }

        if (_sessionOwners.TryAdd(sessionId, accountId))
        {
            Interlocked.Increment(ref _sessionOwnerCount);
        }
    }
}
