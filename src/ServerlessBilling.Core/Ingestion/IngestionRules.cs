using System.Globalization;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Ingestion;

/// <summary>What became of one CDR of a batch; <see cref="Closed"/> is the session this CDR closed, if any.</summary>
public readonly record struct CdrOutcome(Cdr Cdr, int Line, UsageRecord? Applied, string? QuarantineReason, ClosedSession? Closed = null)
{
    public bool IsDuplicate => Applied is null && QuarantineReason is null;
}

/// <summary>
/// Applies CDRs to their account's document, as a pure function: the same rules for pre-paid and post-paid.
/// Every CDR moves the money at most once: its id joins the document's applied set in the same write.
/// A CDR whose session was already charged by terminate is recorded as settled by that session.
/// </summary>
public static class IngestionRules
{
    /// <summary>
    /// Applies a group of CDRs of one account in one step: the charges, periods, spend and applied ids are gathered as
    /// the CDRs go and the next document is built once (again only around a CDR that closes a session), so a group
    /// costs one copy of the document, not two per CDR. The outcome is the one of <see cref="ApplyEach"/>, the
    /// reference path that applies the CDRs one by one (a property test holds the two together).
    /// </summary>
    public static Decision<IReadOnlyList<CdrOutcome>> Apply(
        AccountState account,
        RateDeck? deck,
        IReadOnlyList<(Cdr Cdr, int Line)> cdrs,
        DateTimeOffset now,
        IReadOnlyDictionary<string, ClosedSession>? history = null,
        int closedSessionsKept = int.MaxValue,
        IReadOnlySet<string>? unrecorded = null) =>
        Run(account, deck, cdrs, now, history, closedSessionsKept, unrecorded, oneByOne: false);

    /// <summary>
    /// The reference path: each CDR applied to the document the one before it left, through the document's own rules
    /// (<see cref="AccountState.Commit"/>, <see cref="AccountState.RememberApplied"/>). <see cref="Apply"/> must agree with it.
    /// </summary>
    internal static Decision<IReadOnlyList<CdrOutcome>> ApplyEach(
        AccountState account, RateDeck? deck, IReadOnlyList<(Cdr Cdr, int Line)> cdrs, DateTimeOffset now, IReadOnlyDictionary<string, ClosedSession>? history, int closedSessionsKept,
        IReadOnlySet<string>? unrecorded = null) =>
        Run(account, deck, cdrs, now, history, closedSessionsKept, unrecorded, oneByOne: true);

    private static Decision<IReadOnlyList<CdrOutcome>> Run(
        AccountState account, RateDeck? deck, IReadOnlyList<(Cdr Cdr, int Line)> cdrs, DateTimeOffset now, IReadOnlyDictionary<string, ClosedSession>? history, int closedSessionsKept,
        IReadOnlySet<string>? unrecorded, bool oneByOne)
    {
        var scratch = Scratch.ForThisThread();
        var applied = AppliedBefore(account, cdrs, scratch.Applied);
        var outcomes = new List<CdrOutcome>(cdrs.Count);
        scratch.Unrecorded = unrecorded;
        var step = scratch.Step.Start(account, now, oneByOne);
        Dictionary<string, Session>? closedHere = null; // sessions CDRs of this group closed, as they closed them
        for (var i = 0; i < cdrs.Count; i++)
        {
            var (cdr, line) = cdrs[i];
            if (!applied.Add(cdr.CdrId))
            {
                outcomes.Add(new CdrOutcome(cdr, line, null, null));
                continue;
            }

            CdrOutcome outcome;
            var session = SessionOf(step.Sessions, closedHere, account.Sessions, cdr, history);
            if (session is null || NotItsCall(session, cdr))
            {
                outcome = ApplyAlone(step, deck, cdr, line, now, session);
            }
            else if (session.TerminateAnswer is null)
            {
                // Closing a session changes the sessions as well as the money: the step's document is built for it.
                (var next, outcome) = ChargeThroughSession(step.Build(), session, cdr, line, now, closedSessionsKept);
                step.Start(next, now, oneByOne);
                (closedHere ??= new(StringComparer.Ordinal))[session.SessionId] = outcome.Closed!.Session;
            }
            else
            {
                outcome = SettledBySession(step, session, cdr, line, now);
            }

            if (outcome.Applied is not null)
            {
                step.Remember(cdr.CdrId);
            }
            else
            {
                applied.Remove(cdr.CdrId);
            }

            outcomes.Add(outcome);
        }

        var built = step.Build();
        return ReferenceEquals(built, account) ? Decision.Unchanged<IReadOnlyList<CdrOutcome>>(outcomes) : Decision.Changed<IReadOnlyList<CdrOutcome>>(built, outcomes);
    }

    /// <summary>
    /// The ids of the group that the document's window already holds. Replays are judged against the window as it was
    /// before this group (the group's own ids may push old ones out of it), all looked up before the first change.
    /// </summary>
    private static HashSet<string> AppliedBefore(AccountState account, IReadOnlyList<(Cdr Cdr, int Line)> cdrs, HashSet<string> applied)
    {
        for (var i = 0; i < cdrs.Count; i++)
        {
            var id = cdrs[i].Cdr.CdrId;
            if (account.AppliedWindow.Contains(id))
            {
                applied.Add(id);
            }
        }

        return applied;
    }

    /// <summary>
    /// The session the CDR names: in the document as the step has it, else as a CDR of this group closed it, else in the
    /// document the group started from, else (dropped from it) in the session history. Closing a session pushes the
    /// oldest terminated one out of the step's document (only <c>closedSessionsKept</c> stay): one that was terminated when
    /// the group started is final as the group found it, so its CDR later in the group is settled by it, not charged again.
    /// </summary>
    private static Session? SessionOf(
        SessionMap sessions, Dictionary<string, Session>? closedHere, SessionMap atStart, Cdr cdr, IReadOnlyDictionary<string, ClosedSession>? history) =>
        cdr.SessionId is { } sessionId
            ? sessions.GetValueOrDefault(sessionId)
                ?? closedHere?.GetValueOrDefault(sessionId)
                ?? atStart.GetValueOrDefault(sessionId)
                ?? history?.GetValueOrDefault(sessionId)?.Session
            : null;

    /// <summary>
    /// How far a switch's clock (which stamps a CDR's start) may be from the platform's (which stamps a session's close),
    /// ring time included: a CDR's call is taken as its closed session's unless it started more than this after the session ended.
    /// </summary>
    public static readonly TimeSpan SessionClockTolerance = TimeSpan.FromHours(1);

    /// <summary>
    /// Whether the CDR's call cannot be the one of the closed session it names: it started after the session closed, by
    /// more than <see cref="SessionClockTolerance"/>. A switch that reuses a session id (its
    /// counter restarted) gets the old answer to the new call's authorize (the replay rule) and carries the call; its CDR
    /// is then a call of its own, charged from the CDR, not one already settled by the old session. A CDR that starts
    /// before its session is still taken as its call: a switch's CDR clock running behind must not charge a call twice.
    /// </summary>
    private static bool NotItsCall(Session session, Cdr cdr)
    {
        if (session.TerminateAnswer is null || session.ClosedAt is not { } closedAt || session.ClosedByCdr == cdr.CdrId)
        {
            return false;
        }

        // The session's start is the switch's own (when it sent one), its close the platform's: the call lies within either.
        var ended = session.StartTime.AddSeconds(session.ReportedSeconds);
        var latest = closedAt > ended ? closedAt : ended;
        return cdr.StartTime - latest > SessionClockTolerance;
    }

    private static CdrOutcome ApplyAlone(GroupStep step, RateDeck? deck, Cdr cdr, int line, DateTimeOffset now, Session? closed = null)
    {
        var account = step.Account;
        if (deck is null)
        {
            return new CdrOutcome(cdr, line, null, $"rate deck '{account.Settings.RateDeckId}' of account '{account.AccountId}' does not exist");
        }

        var rating = deck.Rate(cdr.CalledNumber, cdr.StartTime, cdr.DurationSeconds, cdr.Disposition);
        if (!rating.IsRated)
        {
            return new CdrOutcome(cdr, line, null, rating.Reason);
        }

        var row = rating.Row!;
        var note = cdr.SessionId is null ? null
            : closed is not null ? string.Create(CultureInfo.InvariantCulture,
                $"session '{cdr.SessionId}' (started {closed.StartTime:O}, closed {closed.ClosedAt:O}) cannot be this call, which started {cdr.StartTime:O}: a reused session id; charged from the CDR as a call of its own")
            : $"session '{cdr.SessionId}' is not known here (never authorized, or closed more than the retention ago): charged from the CDR";
        step.Charge(new ChargeLine(rating.Charge, rating.BilledSeconds, rating.BilledSeconds > 0 ? 1 : 0, row.Destination, cdr.StartTime));
        return new CdrOutcome(cdr, line, Usage(account, step.PeriodOf(cdr.StartTime), cdr, row.Prefix, row.Destination, rating.BilledSeconds, rating.Charge, Settlement.Cdr, note, now), null);
    }

    /// <summary>The session already charged the call: the CDR is recorded at its own rating, and a difference is a note, not a charge.</summary>
    private static CdrOutcome SettledBySession(GroupStep step, Session session, Cdr cdr, int line, DateTimeOffset now)
    {
        if (session.ClosedByCdr == cdr.CdrId)
        {
            // This very CDR closed the session, and its record was lost: the record it gets again is the one it got then.
            return new CdrOutcome(cdr, line, ClosedByItsCdr(step.Account, step.PeriodOf(session.StartTime), session, cdr, now), null);
        }

        // The tariff fixed at authorize prices the CDR too: one price for the call, whichever path charges it.
        var (billed, charge) = SessionCharging.Price(session, cdr.DurationSeconds, cdr.Answered);
        var terminated = session.TerminateAnswer!;
        var note = terminated.TotalSeconds == cdr.DurationSeconds && terminated.Charge == charge
            ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"reconciliation: the session charged {terminated.TotalSeconds} s ({terminated.Charge}); the CDR says {cdr.DurationSeconds} s ({charge}); the difference was not charged");
        // The record's period is the one the terminate counted the charge in: the call's start fixed at authorize.
        return new CdrOutcome(cdr, line, Usage(step.Account, step.PeriodOf(session.StartTime), cdr, session.Prefix, session.Destination, billed, charge, Settlement.Session, note, now), null);
    }

    /// <summary>
    /// The CDR arrived before the terminate (or after the reservation expired): it charges the whole call now and
    /// closes the session, so that a later terminate changes nothing.
    /// </summary>
    private static (AccountState, CdrOutcome) ChargeThroughSession(AccountState account, Session session, Cdr cdr, int line, DateTimeOffset now, int closedSessionsKept)
    {
        var (next, closed) = SessionCharging.Close(account, session, SessionUse.FromCdr(session, cdr.DurationSeconds, cdr.Answered), now, closedSessionsKept, cdr.CdrId);
        // The charge counts in the period of the session's start (fixed at authorize), which the record names too, not
        // the CDR's start: a call authorized in a period's last seconds may be answered in the next.
        var period = account.PeriodBook.Roll(now, account.Settings).PeriodOf(session.StartTime, account.Settings).Label;
        return (next, new CdrOutcome(cdr, line, ClosedByItsCdr(account, period, closed, cdr, now), null, new ClosedSession(account.AccountId, closed)));
    }

    /// <summary>The usage record of the CDR that closed <paramref name="closed"/>: the CDR's charge, the whole call as the session priced it.</summary>
    private static UsageRecord ClosedByItsCdr(AccountState account, string period, Session closed, Cdr cdr, DateTimeOffset now)
    {
        var charged = closed.TerminateAnswer!;
        var note = charged.BilledSeconds > Rater.BilledSeconds(cdr.DurationSeconds, cdr.Answered, closed.Tariff)
            ? string.Create(CultureInfo.InvariantCulture,
                $"session '{closed.SessionId}' closed by its CDR; its interims had reported and charged {closed.UsedSeconds} s, more than the CDR bills ({cdr.DurationSeconds} s, {cdr.Disposition.ToWire()}): none of it was given back")
            : $"session '{closed.SessionId}' closed by its CDR";
        return Usage(account, period, cdr, closed.Prefix, closed.Destination, charged.BilledSeconds, charged.Charge, Settlement.Cdr, note, now);
    }

    private static UsageRecord Usage(AccountState account, string period, Cdr cdr, string prefix, string destination, int billed, decimal charge, Settlement settlement, string? note, DateTimeOffset now) =>
        new(
            cdr.CdrId,
            account.AccountId,
            cdr.SessionId,
            cdr.CalledNumber,
            cdr.StartTime,
            cdr.DurationSeconds,
            cdr.Disposition.ToWire(),
            prefix,
            destination,
            billed,
            charge,
            account.Settings.Currency.Code,
            period,
            settlement,
            note,
            now);

    /// <summary>
    /// What a group of CDRs does to one document, gathered as it goes: the charges in order and the ids applied. The
    /// next document is built once from them by the parts' own group methods, which count in the order
    /// <see cref="AccountState.Commit"/> would one by one. <c>oneByOne</c> is the reference path instead: each charge and
    /// id goes into the document at once, through <see cref="AccountState.Commit"/> and <see cref="AccountState.RememberApplied"/>.
    /// </summary>
    private sealed class GroupStep(Scratch scratch)
    {
        private readonly Scratch _scratch = scratch;
        private AccountState _account = null!;
        private DateTimeOffset _now;
        private bool _oneByOne;

        // The period book rolled to now once: the label of each usage record comes from it without time-zone work.
        private PeriodBook _periods;
        private AccountState _current = null!;

        /// <summary>Starts a step from <paramref name="account"/> (the thread's one step, reused: a run never yields).</summary>
        public GroupStep Start(AccountState account, DateTimeOffset now, bool oneByOne)
        {
            (_account, _now, _oneByOne, _current) = (account, now, oneByOne, account);
            _periods = account.PeriodBook.Roll(now, account.Settings);
            return this;
        }

        /// <summary>The document the step started from (its settings and sessions hold for the whole step).</summary>
        public AccountState Account => _account;

        public SessionMap Sessions => _account.Sessions;

        public void Charge(in ChargeLine charge)
        {
            if (_oneByOne)
            {
                _current = _current.Commit(charge, _now);
                return;
            }

            _scratch.Charges.Add(charge);
        }

        public void Remember(string cdrId)
        {
            if (_oneByOne)
            {
                _current = _current.RememberApplied(cdrId, _scratch.Unrecorded);
                return;
            }

            _scratch.Remembered.Add(cdrId);
        }

        /// <summary>The label of the billing period of a call that started at <paramref name="callStart"/>.</summary>
        public string PeriodOf(DateTimeOffset callStart) => _periods.PeriodOf(callStart, _account.Settings).Label;

        /// <summary>The document after the step (the one it started from when nothing was charged or applied); the step is spent.</summary>
        public AccountState Build()
        {
            var (charges, remembered) = (_scratch.Charges, _scratch.Remembered);
            if (charges.Count == 0 && remembered.Count == 0)
            {
                return _current;
            }

            var ledger = _account.Ledger;
            var periods = _account.PeriodBook;
            var spend = _account.Spend;
            if (charges.Count > 0)
            {
                foreach (var charge in charges)
                {
                    ledger = ledger.Charge(charge.Amount);
                }

                periods = _periods.AddAll(charges, _account.Settings);
                spend = spend.AddAll(charges, _now);
            }

            var window = AccountState.AppliedAfter(_account.AppliedWindow, remembered, _scratch.Unrecorded);
            charges.Clear();
            remembered.Clear();
            return _account.WithIngested(ledger, periods, spend, window);
        }
    }

    /// <summary>
    /// The working lists and the step of one <see cref="Run"/>, kept per thread: a run never yields, so they are reused by every group
    /// the thread applies instead of being allocated per group. Only references to ids and destinations stay in them.
    /// </summary>
    private sealed class Scratch
    {
        [ThreadStatic]
        private static Scratch? _current;

        private GroupStep? _step;

        public HashSet<string> Applied { get; } = new(StringComparer.Ordinal);

        public List<ChargeLine> Charges { get; } = [];

        public List<string> Remembered { get; } = [];

        /// <summary>The applied ids of the document that may not be forgotten yet (see <see cref="AccountState.AppliedAfter"/>).</summary>
        public IReadOnlySet<string>? Unrecorded { get; set; }

        public GroupStep Step => _step ??= new GroupStep(this);

        public static Scratch ForThisThread()
        {
            var scratch = _current ??= new Scratch();
            scratch.Applied.Clear();
            scratch.Charges.Clear();
            scratch.Remembered.Clear();
            scratch.Unrecorded = null;
            return scratch;
        }
    }
}
