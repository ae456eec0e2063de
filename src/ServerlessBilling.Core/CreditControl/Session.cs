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
    public required string SessionId { get; init; }

    /// <summary>What the authorize asked, to tell a replay from a reused session id.</summary>
    public required string Fingerprint { get; init; }

    public required DateTimeOffset StartTime { get; init; }

    public required string Prefix { get; init; }

    public required string Destination { get; init; }

    public required Tariff Tariff { get; init; }

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

    public required GrantAnswer AuthorizeAnswer { get; init; }

    /// <summary>The answer to <see cref="LastRequestNumber"/> when it was an interim.</summary>
    public GrantAnswer? LastInterimAnswer { get; init; }

    public TerminateAnswer? TerminateAnswer { get; init; }
}
