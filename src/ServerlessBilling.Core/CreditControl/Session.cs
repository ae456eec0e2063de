using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.CreditControl;

public enum SessionStatus
{
    /// <summary>Holding a reservation.</summary>
    Active,

    /// <summary>Its reservation ran out of time and was released; a late terminate still charges it.</summary>
    Expired,

    /// <summary>Charged by terminate; kept for replays and for matching its CDR.</summary>
    Terminated,
}

/// <summary>
/// A call under credit control, kept inside its account's document so that every step on it is one
/// conditional write. The tariff is fixed at authorize, so the session and the CDR price the call alike.
/// </summary>
public sealed record Session
{
    // What authorize fixed (the id, the fingerprint, the call's start, destination and tariff, the first answer) lies in
    // one object that the session's later states share, so that each step on the session copies a smaller record. Set
    // only while a session is being made (see Own).
    private Opened _opened = Opened.Unset;

    public required string SessionId { get => _opened.SessionId; init => Own().SessionId = value; }

    /// <summary>What the authorize asked, to tell a replay from a reused session id.</summary>
    public required string Fingerprint { get => _opened.Fingerprint; init => Own().Fingerprint = value; }

    public required DateTimeOffset StartTime { get => _opened.StartTime; init => Own().StartTime = value; }

    public required string Prefix { get => _opened.Prefix; init => Own().Prefix = value; }

    public required string Destination { get => _opened.Destination; init => Own().Destination = value; }

    public required Tariff Tariff { get => _opened.Tariff; init => Own().Tariff = value; }

    public SessionStatus Status { get; init; } = SessionStatus.Active;

    /// <summary>Seconds charged so far: the reported use, less what a pre-paid account's credit could not cover.</summary>
    public int UsedSeconds { get; init; }

    /// <summary>Seconds the switch has reported so far, whether or not they could be charged.</summary>
    public int ReportedSeconds { get; init; }

    /// <summary>Reported seconds beyond what the grant of the time covered: a switch that overran its grant.</summary>
    public int OverrunSeconds { get; init; }

    /// <summary>What has been committed for <see cref="UsedSeconds"/>: always the rating of them as a whole call.</summary>
    public decimal CommittedCharge { get; init; }

    /// <summary>The credit held for the current grant.</summary>
    public decimal Reserved { get; init; }

    public int GrantedSeconds { get; init; }

    public int LastRequestNumber { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    public required GrantAnswer AuthorizeAnswer { get => _opened.AuthorizeAnswer; init => Own().AuthorizeAnswer = value; }

    /// <summary>The answer to <see cref="LastRequestNumber"/> when it was an interim.</summary>
    public GrantAnswer? LastInterimAnswer { get; init; }

    public TerminateAnswer? TerminateAnswer { get; init; }

    /// <summary>
    /// The id of the CDR that closed the session, charging the whole call before any terminate (see
    /// <c>SessionUse.FromCdr</c>); absent when a terminate or the expiry closed it, and in sessions stored before it was
    /// kept. A redelivery of that CDR whose usage record was lost records it again as the CDR's charge.
    /// </summary>
    public string? ClosedByCdr { get; init; }

    /// <summary>
    /// The part this session's initializers may set: its own, made on the first set (a session made by <c>with</c> starts
    /// with its original's, which is never changed again).
    /// </summary>
    private Opened Own() => ReferenceEquals(_opened.Owner, this) ? _opened : _opened = _opened.CopyFor(this);

    /// <summary>What authorize fixed; equal when its members are (the owner aside).</summary>
    private sealed class Opened : IEquatable<Opened>
    {
        public static readonly Opened Unset = new();

        public Session? Owner { get; private init; }

        public string SessionId { get; set; } = null!;

        public string Fingerprint { get; set; } = null!;

        public DateTimeOffset StartTime { get; set; }

        public string Prefix { get; set; } = null!;

        public string Destination { get; set; } = null!;

        public Tariff Tariff { get; set; }

        public GrantAnswer AuthorizeAnswer { get; set; } = null!;

        public Opened CopyFor(Session owner) => new()
        {
            Owner = owner,
            SessionId = SessionId,
            Fingerprint = Fingerprint,
            StartTime = StartTime,
            Prefix = Prefix,
            Destination = Destination,
            Tariff = Tariff,
            AuthorizeAnswer = AuthorizeAnswer,
        };

        public bool Equals(Opened? other) =>
            other is not null && (ReferenceEquals(this, other) || (SessionId == other.SessionId && Fingerprint == other.Fingerprint && StartTime.Equals(other.StartTime)
                && Prefix == other.Prefix && Destination == other.Destination && Tariff.Equals(other.Tariff) && Equals(AuthorizeAnswer, other.AuthorizeAnswer)));

        public override bool Equals(object? obj) => Equals(obj as Opened);

        public override int GetHashCode() => HashCode.Combine(SessionId, Fingerprint, StartTime, Prefix, Destination, Tariff, AuthorizeAnswer);
    }
}
