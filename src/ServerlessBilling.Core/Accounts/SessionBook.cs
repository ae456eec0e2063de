using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// The calls of an account under credit control: every session by id, the credit they hold
/// (<c>Reserved = Σ session reservations</c>, kept up to date rather than summed on the hot path), a lower bound on
/// when one next expires (for the sweep), and the bounded list of terminated sessions still held.
/// </summary>
public readonly record struct SessionBook
{
    private readonly SessionMap? _sessions;

    // How many terminated sessions with an overrun the book holds, kept by With; not known (counted when asked) for a
    // book whose sessions were set whole (read from a store). Equal for every book, so record equality ignores it.
    private readonly OverrunTally _overruns;

    /// <summary>Every session by id, enumerated in id order (see <see cref="SessionMap"/>).</summary>
    public SessionMap Sessions
    {
        get => _sessions ?? SessionMap.Empty;
        internal init => (_sessions, _overruns) = (value.Frozen(), default);
    }

    /// <summary>The credit held by the sessions.</summary>
    public decimal Reserved { get; internal init; }

    /// <summary>
    /// No active session expires before this time (a lower bound, kept without scanning the sessions), so a
    /// sweeper can find the account by query; <see cref="Tidy"/> makes it exact again.
    /// </summary>
    public DateTimeOffset? NextExpiry { get; internal init; }

    /// <summary>Terminated sessions still in <see cref="Sessions"/>, oldest first (bounded; older ones live in the session history).</summary>
    /// <remarks>An <see cref="IdWindow{T}"/>: closing a session writes a slot of a shared chunk, not a queue node, and never reverses a list.</remarks>
    public IEnumerable<string> ClosedOrder { get => ClosedWindow.Items; internal init => ClosedWindow = IdWindow<string>.Of(value); }

    private IdWindow<string> ClosedWindow { get; init; }

    /// <summary>How many ids <see cref="ClosedOrder"/> holds (kept, so that trimming is O(1)).</summary>
    public int ClosedCount { get; internal init; }

    /// <summary>
    /// How many sessions are terminated with an overrun (<see cref="Session.OverrunSeconds"/> above 0), the ones
    /// monitoring raises an alert for: kept as the sessions change, so that it is read without a pass over them (counted
    /// once when the sessions were set whole, e.g. read from a store, and the book not changed since).
    /// </summary>
    public int OverrunCount => _overruns.Known ? _overruns.Count : CountOverruns(Sessions);

    /// <summary>The most <see cref="PastOverruns"/> a book keeps (the newest).</summary>
    public const int PastOverrunsKept = 20;

    /// <summary>
    /// Terminated sessions with an overrun that have left <see cref="Sessions"/> by the count of closed sessions kept,
    /// oldest first, at most <see cref="PastOverrunsKept"/>, each kept for the closed-session retention (see
    /// <see cref="Tidy"/>); null when none. Monitoring alerts these too: a change feed may show it only the newest version
    /// of a busy account, in which an overrun session has already been pushed out by the calls after it.
    /// </summary>
    public IReadOnlyList<OverrunNote>? PastOverruns { get => _pastOverruns.Items; internal init => _pastOverruns = new(value is { Count: > 0 } ? value : null); }

    private readonly OverrunNotes _pastOverruns;

    /// <summary>Whether monitoring raises an overrun alert for <paramref name="session"/> (see <see cref="OverrunCount"/>).</summary>
    internal static bool IsOverrun(Session? session) => session is { Status: SessionStatus.Terminated, OverrunSeconds: > 0 };

    /// <summary>How many sessions hold a reservation now (known to the map: see <see cref="SessionMap.ActiveCount"/>).</summary>
    public int ActiveCount => Sessions.ActiveCount;

    /// <summary>
    /// Stores the session's new state. The reserved total and the expiry bound follow it; a session that has just
    /// terminated joins the bounded list of closed sessions, and the oldest beyond <paramref name="closedKept"/>
    /// leaves the book (its durable record is in the session history).
    /// </summary>
    public SessionBook With(Session session, int closedKept = int.MaxValue) => With(session, closedKept, via: null);

    /// <summary>
    /// As <see cref="With(Session, int)"/>, when earlier in the same step the session passed through the state
    /// <paramref name="via"/> (e.g. charged, its reservation released): the book is the one storing that state and then
    /// <paramref name="session"/> gives, with one copy of the sessions instead of two.
    /// </summary>
    internal SessionBook With(Session session, int closedKept, SessionPass? via)
    {
        var sessions = Sessions.SetItem(session.SessionId, session, out var stored);
        var overruns = OverrunCount - (IsOverrun(stored) ? 1 : 0) + (IsOverrun(session) ? 1 : 0);
        var reserved = Follow(Reserved, stored?.Reserved, (via ?? SessionPass.Of(session)).Reserved);
        var nextExpiry = Bound(NextExpiry, via ?? SessionPass.Of(session));
        var previousStatus = stored?.Status;
        if (via is { } passed)
        {
            if (passed.Status == SessionStatus.Terminated && previousStatus != SessionStatus.Terminated)
            {
                throw new ArgumentException("a session that terminated within the step is stored once, terminated", nameof(via));
            }

            (reserved, nextExpiry, previousStatus) = (Follow(reserved, passed.Reserved, session.Reserved), Bound(nextExpiry, SessionPass.Of(session)), passed.Status);
        }

        if (session.Status != SessionStatus.Terminated || previousStatus == SessionStatus.Terminated)
        {
            return this with { Sessions = sessions, Reserved = reserved, NextExpiry = nextExpiry, Overruns = new(overruns) };
        }

        // The session joins the closed ones; the oldest beyond closedKept (by the count kept) leave the order and the book.
        var order = ClosedWindow;
        var leaving = Math.Clamp(ClosedCount + 1 - closedKept, 0, order.Count + 1);
        var past = PastOverruns;
        for (var i = 0; i < leaving; i++)
        {
            var id = i < order.Count ? order.Items[i] : session.SessionId;
            if (overruns > 0 && sessions.GetValueOrDefault(id) is { } gone && IsOverrun(gone))
            {
                overruns--;
                past = OverrunNote.Append(past, gone);
            }

            // The map made above is seen by no one yet: the oldest closed session leaves it in place.
            sessions = sessions.RemoveUnshared(id);
        }

        var kept = order.Count + 1 - leaving;
        return new SessionBook
        {
            Sessions = sessions,
            Reserved = reserved,
            NextExpiry = nextExpiry,
            ClosedWindow = kept == 0 ? IdWindow<string>.Empty : order.Add(session.SessionId, kept),
            ClosedCount = ClosedCount + 1 - leaving,
            Overruns = new(overruns),
            PastOverruns = past,
        };
    }

    /// <summary>The credit held once <paramref name="session"/> is stored in place of what the book holds for it.</summary>
    internal decimal ReservedWith(Session session) => Follow(Reserved, Sessions.GetValueOrDefault(session.SessionId)?.Reserved, session.Reserved);

    private static decimal Follow(decimal reserved, decimal? previous, decimal next) => reserved - (previous ?? 0m) + next;

    private static DateTimeOffset? Bound(DateTimeOffset? nextExpiry, in SessionPass session) =>
        session.Status == SessionStatus.Active && (nextExpiry is null || session.ExpiresAt < nextExpiry) ? session.ExpiresAt : nextExpiry;

    /// <summary>
    /// The sweep's housekeeping: drops expired sessions older than <paramref name="retention"/> (their CDRs charge
    /// them) and makes <see cref="NextExpiry"/> exact.
    /// </summary>
    public SessionBook Tidy(DateTimeOffset now, TimeSpan retention)
    {
        List<string>? stale = null;
        foreach (var session in Sessions.Unordered)
        {
            if (session.Status == SessionStatus.Expired && (session.ClosedAt ?? session.ExpiresAt) + retention <= now)
            {
                (stale ??= []).Add(session.SessionId);
            }
        }

        var sessions = stale is null ? Sessions : Sessions.RemoveRange(stale);
        // Only expired sessions leave: the overruns (terminated sessions) stay as counted. Past overruns leave after the retention.
        return this with { Sessions = sessions, NextExpiry = NextDue(sessions, retention), Overruns = _overruns, PastOverruns = OverrunNote.Within(PastOverruns, now, retention) };
    }

    private OverrunTally Overruns { init => _overruns = value; }

    private static int CountOverruns(SessionMap sessions)
    {
        var count = 0;
        foreach (var session in sessions.Unordered)
        {
            if (IsOverrun(session))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>When the sweep must look at the account next: an active session's expiry, or an expired one's removal.</summary>
    private static DateTimeOffset? NextDue(SessionMap sessions, TimeSpan retention)
    {
        DateTimeOffset? earliest = null;
        foreach (var session in sessions.Unordered)
        {
            DateTimeOffset? due = session.Status switch
            {
                SessionStatus.Active => session.ExpiresAt,
                SessionStatus.Expired => (session.ClosedAt ?? session.ExpiresAt) + retention,
                _ => null,
            };
            if (due is not null && (earliest is null || due < earliest))
            {
                earliest = due;
            }
        }

        return earliest;
    }
}

/// <summary>What of a state a session passed through within a step the book follows: its status, expiry and reservation.</summary>
internal readonly record struct SessionPass(SessionStatus Status, DateTimeOffset ExpiresAt, decimal Reserved)
{
    public static SessionPass Of(Session session) => new(session.Status, session.ExpiresAt, session.Reserved);
}

/// <summary>
/// A count a <see cref="SessionBook"/> keeps of its sessions (or not known: the default). Equal to every other, so
/// that a book's equality is that of its sessions and totals, whether it has counted them or not.
/// </summary>
internal readonly struct OverrunTally(int count) : IEquatable<OverrunTally>
{
    private readonly int _countPlusOne = count + 1;

    public bool Known => _countPlusOne > 0;

    public int Count => _countPlusOne - 1;

    public bool Equals(OverrunTally other) => true;

    public override bool Equals(object? obj) => obj is OverrunTally;

    public override int GetHashCode() => 0;
}

/// <summary>A terminated session with an overrun, as kept once it has left its account's sessions (see <see cref="SessionBook.PastOverruns"/>).</summary>
public sealed record OverrunNote(string SessionId, int OverrunSeconds, int ReportedSeconds, int UsedSeconds, DateTimeOffset? ClosedAt)
{
    /// <summary><paramref name="notes"/> with <paramref name="session"/>'s note last, the oldest beyond <see cref="SessionBook.PastOverrunsKept"/> dropped.</summary>
    internal static IReadOnlyList<OverrunNote> Append(IReadOnlyList<OverrunNote>? notes, Session session)
    {
        var kept = Math.Min(notes?.Count ?? 0, SessionBook.PastOverrunsKept - 1);
        var next = new OverrunNote[kept + 1];
        for (var i = 0; i < kept; i++)
        {
            next[i] = notes![notes.Count - kept + i];
        }

        next[kept] = new OverrunNote(session.SessionId, session.OverrunSeconds, session.ReportedSeconds, session.UsedSeconds, session.ClosedAt);
        return next;
    }

    /// <summary>The notes of sessions closed within <paramref name="retention"/> before <paramref name="now"/> (the same list when all are).</summary>
    internal static IReadOnlyList<OverrunNote>? Within(IReadOnlyList<OverrunNote>? notes, DateTimeOffset now, TimeSpan retention)
    {
        if (notes is null || notes.All(n => n.ClosedAt is not { } closed || closed + retention > now))
        {
            return notes;
        }

        var kept = notes.Where(n => n.ClosedAt is not { } closed || closed + retention > now).ToArray();
        return kept.Length == 0 ? null : kept;
    }
}

/// <summary>The past overruns of a book, equal when their notes are (so that a document read back equals the one written).</summary>
internal readonly struct OverrunNotes(IReadOnlyList<OverrunNote>? items) : IEquatable<OverrunNotes>
{
    public IReadOnlyList<OverrunNote>? Items { get; } = items;

    public bool Equals(OverrunNotes other) => ReferenceEquals(Items, other.Items) || (Items is { } mine && other.Items is { } theirs && mine.SequenceEqual(theirs));

    public override bool Equals(object? obj) => obj is OverrunNotes other && Equals(other);

    public override int GetHashCode() => Items?.Count ?? 0;
}
