using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.CreditControl;

/// <summary>
/// One price for a call under credit control, whichever path charges it (interims, terminate or the call's CDR): the
/// rating of its seconds as one whole call at the tariff fixed at authorize. A step commits that rating less what was
/// committed before, so the steps add up to the price of the whole call. Closing a session and charging its final use
/// are one step, the same for terminate and for a CDR.
/// </summary>
public static class SessionCharging
{
    /// <summary>The seconds billed and the charge for <paramref name="seconds"/> of the session's call as a whole call.</summary>
    public static (int Billed, decimal Charge) Price(Session session, int seconds, bool answered)
    {
        var billed = Rater.BilledSeconds(seconds, answered, session.Tariff);
        return (billed, Rater.Charge(session.Tariff, billed));
    }

    /// <summary>Commits the use an interim reports and releases the session's reservation; the session stays open.</summary>
    public static (AccountState Account, Session Used) Commit(AccountState account, Session session, in SessionUse use, DateTimeOffset now)
    {
        var (line, _, charge) = Charge(session, use);
        var used = Used(session, use, charge);
        return (account.Settle(used, line, now), used);
    }

    /// <summary>
    /// Charges the session's final use and closes it: the answer to its terminate is stored on it, and it joins the
    /// closed sessions of the document (the oldest beyond <paramref name="closedKept"/> leave).
    /// </summary>
    public static (AccountState Account, Session Closed) Close(AccountState account, Session session, in SessionUse use, DateTimeOffset now, int closedKept)
        => Close(account, session, use, now, closedKept, closedByCdr: null);

    /// <summary>As <see cref="Close(AccountState, Session, in SessionUse, DateTimeOffset, int)"/>, for the CDR <paramref name="closedByCdr"/> (null: not a CDR) that closes it.</summary>
    public static (AccountState Account, Session Closed) Close(AccountState account, Session session, in SessionUse use, DateTimeOffset now, int closedKept, string? closedByCdr)
    {
        var (line, billed, charge) = Charge(session, use);
        var answer = new TerminateAnswer(
            session.SessionId, ResultCode.Success, use.AnswerSeconds, billed, charge, account.Settings.Currency.Code,
            account.Ledger.Charge(line.Amount).Balance, use.AnswerOverrunSeconds);
        var closed = session with
        {
            UsedSeconds = use.ChargeableSeconds,
            ReportedSeconds = use.ReportedSeconds,
            OverrunSeconds = use.OverrunSeconds,
            CommittedCharge = charge,
            Status = SessionStatus.Terminated,
            Reserved = 0m,
            GrantedSeconds = 0,
            LastRequestNumber = Math.Max(session.LastRequestNumber, use.RequestNumber),
            ClosedAt = now,
            TerminateAnswer = answer,
            ClosedByCdr = closedByCdr,
        };

        // On its way to closed the session was charged with its reservation released (see Used): the book follows that too.
        return (account.Settle(closed, line, now, closedKept, via: new SessionPass(session.Status, session.ExpiresAt, 0m)), closed);
    }

    /// <summary>What the step commits: the rating of the session's use as a whole call, less what was committed before.</summary>
    private static (ChargeLine Line, int Billed, decimal Charge) Charge(Session session, in SessionUse use)
    {
        var (billed, charge) = Price(session, use.ChargeableSeconds, use.Answered);
        var alreadyBilled = Rater.BilledSeconds(session.UsedSeconds, answered: true, session.Tariff);
        var calls = use.Calls switch
        {
            CallCount.WhenUsed when billed > 0 || use.ReportedSeconds > 0 => 1,
            CallCount.WhenBilled when billed > 0 => 1,
            _ => 0,
        };
        return (new ChargeLine(charge - session.CommittedCharge, billed - alreadyBilled, calls, session.Destination, session.StartTime), billed, charge);
    }

    /// <summary>The session with its use charged and its reservation released.</summary>
    private static Session Used(Session session, in SessionUse use, decimal charge) => session with
    {
        UsedSeconds = use.ChargeableSeconds,
        ReportedSeconds = use.ReportedSeconds,
        OverrunSeconds = use.OverrunSeconds,
        CommittedCharge = charge,
        Reserved = 0m,
    };
}

/// <summary>Whether a charge completes the call, so that the period's totals count it.</summary>
public enum CallCount
{
    /// <summary>An interim: the call goes on.</summary>
    None,

    /// <summary>
    /// Terminate: the call counts once when it was used (any seconds reported, billed or not). A call terminated with no
    /// use was not answered: it counts as its CDR (<see cref="WhenBilled"/>) would, as no call, and alone it issues no invoice.
    /// </summary>
    WhenUsed,

    /// <summary>A CDR: the call counts when it bills any seconds, as a CDR charged without a session does.</summary>
    WhenBilled,
}

/// <summary>
/// What of a session's use a step charges: what the switch reported through credit control (an interim or a
/// terminate), or what the call's CDR says. Made only by its factories, which hold what differs between the paths.
/// </summary>
public readonly record struct SessionUse
{
    /// <summary>The seconds charged in all: priced as one whole call.</summary>
    public int ChargeableSeconds { get; private init; }

    /// <summary>Seconds the switch has reported in all, whether or not they could be charged.</summary>
    public int ReportedSeconds { get; private init; }

    /// <summary>Reported seconds beyond what the grants covered.</summary>
    public int OverrunSeconds { get; private init; }

    /// <summary>Whether the call was answered (an unanswered call bills nothing).</summary>
    public bool Answered { get; private init; }

    /// <summary>The request number of the step (never lowers the session's last one).</summary>
    public int RequestNumber { get; private init; }

    /// <summary>How the charge counts the call.</summary>
    public CallCount Calls { get; private init; }

    /// <summary>The total seconds a terminate answer states.</summary>
    public int AnswerSeconds { get; private init; }

    /// <summary>The overrun a terminate answer states.</summary>
    public int AnswerOverrunSeconds { get; private init; }

    /// <summary>An interim's report of <paramref name="usedSeconds"/> more use (see <see cref="Terminate"/>); the call goes on.</summary>
    public static SessionUse Interim(AccountState account, Session session, int usedSeconds) =>
        Reported(account, session, usedSeconds, session.LastRequestNumber, CallCount.None);

    /// <summary>
    /// A terminate's report of <paramref name="usedSeconds"/> more use, added to what interims reported. Use beyond the
    /// grant is an overrun: a post-paid account is charged it (and it is flagged); a pre-paid account is charged only
    /// what its credit covers — what the grant reserved plus what is still available — so credit control never takes
    /// its balance below zero, unless a CDR charged in full took credit held for this grant. The mode is the one the call
    /// started under (see <see cref="PeriodBook.ModeAt"/>), whose document bills it, whatever the mode at its terminate.
    /// The call counts once when any use was reported.
    /// </summary>
    public static SessionUse Terminate(AccountState account, Session session, int usedSeconds, int requestNumber) =>
        Reported(account, session, usedSeconds, requestNumber, CallCount.WhenUsed);

    /// <summary>
    /// The call's CDR, arrived before the terminate (or after the reservation expired): its duration is the whole call,
    /// charged in full because the switch carried it; the disposition says whether it was answered. Use the interims
    /// already reported was charged, and a CDR that says less (another leg's duration, or not answered) gives none of it
    /// back: the call costs what the use reported so far costs, as it would had its terminate come first (the CDR's
    /// difference is then a note). A CDR that says the call was not answered bills none of its own seconds (they are
    /// ringing, not talk): once interims reported use, that use alone is the call, as its terminate would have charged
    /// it. The answer states the seconds charged and no overrun.
    /// </summary>
    public static SessionUse FromCdr(Session session, int durationSeconds, bool answered)
    {
        var chargeable = answered || session.UsedSeconds == 0 ? Math.Max(session.UsedSeconds, durationSeconds) : session.UsedSeconds;
        return new()
        {
            ChargeableSeconds = chargeable,
            ReportedSeconds = Math.Max(session.ReportedSeconds, durationSeconds),
            OverrunSeconds = session.OverrunSeconds,
            Answered = answered || session.UsedSeconds > 0,
            RequestNumber = session.LastRequestNumber,
            Calls = CallCount.WhenBilled,
            AnswerSeconds = chargeable,
            AnswerOverrunSeconds = 0,
        };
    }

    /// <summary>
    /// Whether the switch's last request asked for no seconds and was answered SUCCESS (a switch that only reports use):
    /// it was granted nothing because it wanted nothing, so the use it reports next is beyond no grant. Its overrun is
    /// only what could not be charged (a pre-paid account's credit spent). A grant cut to nothing (credit reached, a
    /// suspended account) is no such answer: use after it is overrun.
    /// </summary>
    private static bool AskedForNothing(Session session) =>
        (session.LastInterimAnswer ?? session.AuthorizeAnswer) is { ResultCode: ResultCode.Success, GrantedSeconds: 0 };

    private static SessionUse Reported(AccountState account, Session session, int usedSeconds, int requestNumber, CallCount calls)
    {
        var chargeable = session.UsedSeconds + usedSeconds;
        if (account.PeriodBook.ModeAt(session.StartTime, account.Settings) == AccountMode.Prepaid)
        {
            // What the grant reserved is the call's whatever else took the balance since (a late CDR charged in full).
            var budget = Math.Max(account.Balance - (account.Reserved - session.Reserved), session.Reserved) + session.CommittedCharge;
            chargeable = Math.Max(session.UsedSeconds, Rater.AffordableSeconds(session.Tariff, budget, chargeable));
        }

        var reported = session.ReportedSeconds + usedSeconds;
        var overrun = session.OverrunSeconds + (AskedForNothing(session)
            ? usedSeconds - (chargeable - session.UsedSeconds)
            : Math.Max(0, usedSeconds - session.GrantedSeconds));
        return new SessionUse
        {
            ChargeableSeconds = chargeable,
            ReportedSeconds = reported,
            OverrunSeconds = overrun,
            Answered = true,
            RequestNumber = requestNumber,
            Calls = calls,
            AnswerSeconds = reported,
            AnswerOverrunSeconds = overrun,
        };
    }
}
