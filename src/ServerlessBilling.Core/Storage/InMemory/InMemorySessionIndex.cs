using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>
/// The embedded session index, bounded (<see cref="MemoryStoreOptions"/>): an entry not written for longer than the
/// retention is forgotten, as Cosmos' time to live does, and beyond the count the longest closed sessions are forgotten
/// first. A forgotten session id is unknown: a replayed authorize is a new call, a replayed terminate is not found.
/// Open sessions are never dropped by count, so that their terminate always finds them within the retention; an open
/// session's age counts from its last interim (or terminate), not from its authorize.
/// </summary>
public sealed class InMemorySessionIndex : ISessionIndex
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly EntryList _open = new();
    private readonly EntryList _closed = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _clock;
    private readonly long _retentionTicks;
    private readonly int _maxClosed;
    private readonly ILogger _logger;
    private bool _forgotByCount;
    private bool _forgotByAge;

    public InMemorySessionIndex()
        : this(new MemoryStoreOptions(), TimeProvider.System)
    {
    }

    public InMemorySessionIndex(MemoryStoreOptions options, TimeProvider clock, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? NullLogger.Instance;
        _clock = clock;
        _retentionTicks = options.SessionHistoryRetention.Ticks;
        _maxClosed = options.MaxClosedSessions;
    }

    /// <summary>Session ids known (open and closed); for tests and the bench.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public Task<SessionClaim> ClaimAsync(string sessionId, string accountId, CancellationToken cancellationToken) =>
        Task.FromResult(Claim(sessionId, accountId));

    /// <summary>As <see cref="ClaimAsync"/>, with no task: the index answers at once.</summary>
    public ValueTask<SessionClaim> ClaimNowAsync(string sessionId, string accountId, CancellationToken cancellationToken) =>
        new(Claim(sessionId, accountId));

    public Task<string?> FindAccountAsync(string sessionId, CancellationToken cancellationToken) =>
        Task.FromResult(FindAccount(sessionId));

    /// <summary>As <see cref="FindAccountAsync"/>, with no task: the index answers at once.</summary>
    public ValueTask<string?> FindAccountNowAsync(string sessionId, CancellationToken cancellationToken) =>
        new(FindAccount(sessionId));

    public Task ReleaseAsync(string sessionId, string accountId, CancellationToken cancellationToken)
    {
        var now = Now();
        lock (_lock)
        {
            if (Live(sessionId, now) is { } entry && entry.ClaimedBy == accountId)
            {
                if (entry.Closed is null)
                {
                    Forget(entry);
                }
                else
                {
                    entry.ClaimedBy = null; // the history stays; the id is claimed anew, as after a CDR closed it
                }
            }
        }

        return Task.CompletedTask;
    }

    private SessionClaim Claim(string sessionId, string accountId)
    {
        var now = Now();
        lock (_lock)
        {
            if (Live(sessionId, now) is { } known)
            {
                if (known.ClaimedBy is { } owner)
                {
                    return new SessionClaim(owner, false);
                }

                // Closed by its CDR before any authorize named it: the history stays, the claim is new.
                known.ClaimedBy = accountId;
                return new SessionClaim(accountId, true);
            }

            var entry = new Entry(sessionId) { ClaimedBy = accountId, WrittenAt = now };
            _entries[sessionId] = entry;
            _open.Append(entry);
            Trim(now);
            return new SessionClaim(accountId, true);
        }
    }

    /// <summary>
    /// The account of the session. An open session found here (by its interim or terminate) is written anew, so that a
    /// call its switch keeps reporting on outlives the retention however long it lasts (a long call reports at least
    /// once a <c>CreditControl:ClosedSessionRetention</c>, far more often than the retention).
    /// </summary>
    private string? FindAccount(string sessionId)
    {
        var now = Now();
        lock (_lock)
        {
            if (Live(sessionId, now) is not { } entry)
            {
                return null;
            }

            if (entry.Closed is null && entry.WrittenAt != now)
            {
                entry.WrittenAt = now; // moved to the tail: the open list stays in write order
                _open.Remove(entry);
                _open.Append(entry);
            }

            return entry.ClaimedBy;
        }
    }

    public Task RecordClosedAsync(ClosedSession closed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(closed);
        var now = Now();
        lock (_lock)
        {
            if (Live(closed.SessionId, now) is { } entry)
            {
                (entry.Closed is null ? _open : _closed).Remove(entry);
            }
            else
            {
                entry = new Entry(closed.SessionId);
                _entries[closed.SessionId] = entry;
            }

            entry.Closed = closed;
            entry.WrittenAt = now;
            _closed.Append(entry);
            Trim(now);
        }

        return Task.CompletedTask;
    }

    public Task<ClosedSession?> FindClosedAsync(string sessionId, CancellationToken cancellationToken)
    {
        var now = Now();
        lock (_lock)
        {
            return Task.FromResult(Live(sessionId, now)?.Closed);
        }
    }

    private long Now() => _clock.GetUtcNow().UtcTicks;

    /// <summary>The entry of the session unless it has outlived the retention (then it is forgotten now).</summary>
    private Entry? Live(string sessionId, long now)
    {
        if (!_entries.TryGetValue(sessionId, out var entry))
        {
            return null;
        }

        if (!Expired(entry, now))
        {
            return entry;
        }

        ForgetExpired(entry);
        return null;
    }

    private bool Expired(Entry entry, long now) => now - entry.WrittenAt > _retentionTicks;

    /// <summary>Both lists are in write order, so the expired and the surplus entries are at their heads.</summary>
    private void Trim(long now)
    {
        while (_open.Head is { } open && Expired(open, now))
        {
            ForgetExpired(open);
        }

        while (_closed.Head is { } closed && (_closed.Count > _maxClosed || Expired(closed, now)))
        {
            if (Expired(closed, now))
            {
                ForgetExpired(closed);
                continue;
            }

            if (!_forgotByCount)
            {
                _forgotByCount = true;
                MemoryStoreLog.ClosedSessionsForgotten(_logger, _maxClosed);
            }

            Forget(closed);
        }
    }

    private void ForgetExpired(Entry entry)
    {
        if (!_forgotByAge)
        {
            _forgotByAge = true;
            MemoryStoreLog.SessionsExpired(_logger, TimeSpan.FromTicks(_retentionTicks));
        }

        Forget(entry);
    }

    private void Forget(Entry entry)
    {
        (entry.Closed is null ? _open : _closed).Remove(entry);
        _entries.Remove(entry.SessionId);
    }

    private sealed class Entry(string sessionId)
    {
        public string SessionId => sessionId;

        /// <summary>The account the session id was claimed for; null when only its history was recorded.</summary>
        public string? ClaimedBy { get; set; }

        public ClosedSession? Closed { get; set; }

        public long WrittenAt { get; set; }

        public Entry? Previous { get; set; }

        public Entry? Next { get; set; }
    }

    /// <summary>A doubly linked list threaded through the entries: append and remove in constant time, no node objects.</summary>
    private sealed class EntryList
    {
        public Entry? Head { get; private set; }

        public int Count { get; private set; }

        private Entry? Tail { get; set; }

        public void Append(Entry entry)
        {
            entry.Previous = Tail;
            entry.Next = null;
            if (Tail is null)
            {
                Head = entry;
            }
            else
            {
                Tail.Next = entry;
            }

            Tail = entry;
            Count++;
        }

        public void Remove(Entry entry)
        {
            if (entry.Previous is null)
            {
                Head = entry.Next;
            }
            else
            {
                entry.Previous.Next = entry.Next;
            }

            if (entry.Next is null)
            {
                Tail = entry.Previous;
            }
            else
            {
                entry.Next.Previous = entry.Previous;
            }

            entry.Previous = entry.Next = null;
            Count--;
        }
    }
}
